import type { CgroupMetrics, CgroupReader } from './cgroup-metrics.js';
import { parseFlatKeyed, parseIoStatV2, parseLimit, parseSingle, procsRecursive, readText } from './parse.js';

/**
 * cgroup v2 (unified): cpu.stat (usage/user/system/throttled in µs), memory.current, memory.max,
 * memory.stat, memory.events, pids.current, pids.max, io.stat. v2 has no per-CPU usage, no max usage and
 * no failcnt; Docker leaves those out too.
 */
export class V2Reader implements CgroupReader {
  readonly version = 2 as const;
  constructor(readonly dir: string) {}

  async read(): Promise<CgroupMetrics> {
    const [cpuStat, memCur, memMax, memStat, pidsCur, pidsMax, ioStat] = await Promise.all(
      ['cpu.stat', 'memory.current', 'memory.max', 'memory.stat', 'pids.current', 'pids.max', 'io.stat'].map((f) => readText(this.dir, f)),
    );
    const cpu = parseFlatKeyed(cpuStat);
    return {
      cpu: {
        total: (cpu.usage_usec ?? 0) * 1000,
        kernel: (cpu.system_usec ?? 0) * 1000,
        user: (cpu.user_usec ?? 0) * 1000,
        throttling: { periods: cpu.nr_periods ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledTime: (cpu.throttled_usec ?? 0) * 1000 },
      },
      memory: { usage: parseSingle(memCur) ?? 0, limit: parseLimit(memMax), stats: parseFlatKeyed(memStat) },
      pids: { current: parseSingle(pidsCur) ?? 0, limit: parseLimit(pidsMax) },
      blkio: parseIoStatV2(ioStat),
    };
  }

  pids(): Promise<number[]> {
    return procsRecursive(this.dir);
  }

  async oomKills(): Promise<number> {
    return parseFlatKeyed(await readText(this.dir, 'memory.events')).oom_kill ?? 0;
  }
}
