import type { CgroupMetrics, CgroupReader } from './cgroup-metrics.js';
import { parseBlkioV1, parseFlatKeyed, parseLimit, parseNumberList, parseSingle, procsRecursive, readText } from './parse.js';

/** USER_HZ: cpuacct.stat counts in these ticks (100 on every Linux architecture Docker supports). */
const CLOCK_TICKS = 100;

/** The directories of one cgroup, by v1 controller name (cpu and cpuacct may be the same directory). */
export type V1Dirs = Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'pids' | 'blkio' | 'freezer' | 'cpuset', string>>;

/**
 * cgroup v1, with the files containerd's cgroups library reads for Docker: cpuacct.usage{,_percpu},
 * cpuacct.stat, cpu.stat (throttling), memory.{usage,max_usage,limit}_in_bytes, memory.failcnt,
 * memory.stat, pids.{current,max}, blkio.io_service_bytes_recursive/io_serviced_recursive (CFQ/BFQ
 * schedulers) else blkio.throttle.io_service_bytes/io_serviced.
 */
export class V1Reader implements CgroupReader {
  readonly version = 1 as const;
  constructor(readonly dirs: V1Dirs) {}

  async read(): Promise<CgroupMetrics> {
    const d = this.dirs;
    const [usage, percpu, cpuacctStat, cpuStat, memUsage, memMax, memFail, memLimit, memStat, pidsCur, pidsMax] = await Promise.all([
      readText(d.cpuacct, 'cpuacct.usage'),
      readText(d.cpuacct, 'cpuacct.usage_percpu'),
      readText(d.cpuacct, 'cpuacct.stat'),
      readText(d.cpu, 'cpu.stat'),
      readText(d.memory, 'memory.usage_in_bytes'),
      readText(d.memory, 'memory.max_usage_in_bytes'),
      readText(d.memory, 'memory.failcnt'),
      readText(d.memory, 'memory.limit_in_bytes'),
      readText(d.memory, 'memory.stat'),
      readText(d.pids, 'pids.current'),
      readText(d.pids, 'pids.max'),
    ]);
    const ticks = parseFlatKeyed(cpuacctStat);
    const thr = parseFlatKeyed(cpuStat);
    const stats = parseFlatKeyed(memStat);
    // Docker reports hierarchical_memory_limit: a parent's lower limit counts too.
    const hierarchical = stats.hierarchical_memory_limit !== undefined ? parseLimit(String(stats.hierarchical_memory_limit)) : undefined;
    const own = parseLimit(memLimit);
    const limit = hierarchical !== undefined && (own === undefined || hierarchical < own) ? hierarchical : own;
    return {
      cpu: {
        total: parseSingle(usage) ?? 0,
        perCpu: parseNumberList(percpu),
        kernel: ((ticks.system ?? 0) * 1e9) / CLOCK_TICKS,
        user: ((ticks.user ?? 0) * 1e9) / CLOCK_TICKS,
        throttling: { periods: thr.nr_periods ?? 0, throttledPeriods: thr.nr_throttled ?? 0, throttledTime: thr.throttled_time ?? 0 },
      },
      memory: { usage: parseSingle(memUsage) ?? 0, maxUsage: parseSingle(memMax) ?? 0, failcnt: parseSingle(memFail) ?? 0, limit, stats },
      pids: { current: parseSingle(pidsCur) ?? 0, limit: parseLimit(pidsMax) },
      blkio: await this.blkio(),
    };
  }

  private async blkio(): Promise<CgroupMetrics['blkio']> {
    const dir = this.dirs.blkio;
    const cfqBytes = await readText(dir, 'blkio.io_service_bytes_recursive');
    if (cfqBytes !== undefined) return { serviceBytes: parseBlkioV1(cfqBytes), serviced: parseBlkioV1(await readText(dir, 'blkio.io_serviced_recursive')) };
    return {
      serviceBytes: parseBlkioV1(await readText(dir, 'blkio.throttle.io_service_bytes')),
      serviced: parseBlkioV1(await readText(dir, 'blkio.throttle.io_serviced')),
    };
  }

  async pids(): Promise<number[]> {
    const d = this.dirs;
    const dir = d.pids ?? d.memory ?? d.cpu ?? d.freezer ?? Object.values(d)[0];
    return dir ? procsRecursive(dir) : [];
  }

  async oomKills(): Promise<number> {
    return parseFlatKeyed(await readText(this.dirs.memory, 'memory.oom_control')).oom_kill ?? 0;
  }
}
