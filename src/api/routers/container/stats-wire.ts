import type { ContainerRecord } from '../../../container/index.js';
import type { BlkioEntry } from '../../../cgroups/index.js';
import type { StatsSample } from '../../../observe/index.js';

/**
 * Docker's stats document (swagger ContainerStatsResponse) from two samples: `cur` and the one before it
 * (`prev`, whose CPU figures become precpu_stats). Without a previous sample, or for a container that is
 * not running, the fields are Docker's zero values: Docker sends `{name, id}` with everything else empty.
 */
const ZERO_TIME = '0001-01-01T00:00:00Z';

type Json = Record<string, unknown>;

function cpuStats(s: StatsSample | undefined): Json {
  const m = s?.metrics;
  if (!s || !m) {
    return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  }
  const usage: Json = { total_usage: m.cpu.total };
  if (m.cpu.perCpu?.length) usage.percpu_usage = m.cpu.perCpu;
  usage.usage_in_kernelmode = m.cpu.kernel;
  usage.usage_in_usermode = m.cpu.user;
  return {
    cpu_usage: usage,
    system_cpu_usage: s.systemCpuUsage,
    online_cpus: s.onlineCpus,
    throttling_data: { periods: m.cpu.throttling.periods, throttled_periods: m.cpu.throttling.throttledPeriods, throttled_time: m.cpu.throttling.throttledTime },
  };
}

const entries = (e: BlkioEntry[]): Json[] => e.map((x) => ({ major: x.major, minor: x.minor, op: x.op, value: x.value }));

function emptyBlkio(): Json {
  return {
    io_service_bytes_recursive: null,
    io_serviced_recursive: null,
    io_queue_recursive: null,
    io_service_time_recursive: null,
    io_wait_time_recursive: null,
    io_merged_recursive: null,
    io_time_recursive: null,
    sectors_recursive: null,
  };
}

export function statsJson(rec: ContainerRecord, cur: StatsSample, prev: StatsSample | undefined, memTotal: number): Json {
  const m = cur.metrics;
  const base = { name: rec.name, id: rec.id };
  if (!m) {
    return { read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, blkio_stats: emptyBlkio(), num_procs: 0, storage_stats: {}, cpu_stats: cpuStats(undefined), precpu_stats: cpuStats(undefined), memory_stats: {}, ...base };
  }
  const memory: Json = { usage: m.memory.usage };
  if (m.memory.maxUsage !== undefined) memory.max_usage = m.memory.maxUsage;
  memory.stats = m.memory.stats;
  if (m.memory.failcnt) memory.failcnt = m.memory.failcnt;
  // Docker: a container without a memory limit reports the host's memory as its limit
  memory.limit = m.memory.limit !== undefined && (memTotal <= 0 || m.memory.limit < memTotal) ? m.memory.limit : memTotal;
  const pids: Json = { current: m.pids.current };
  if (m.pids.limit !== undefined) pids.limit = m.pids.limit;
  const out: Json = {
    read: cur.read,
    preread: prev?.metrics ? prev.read : ZERO_TIME,
    pids_stats: pids,
    blkio_stats: { ...emptyBlkio(), io_service_bytes_recursive: entries(m.blkio.serviceBytes), io_serviced_recursive: entries(m.blkio.serviced) },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(prev?.metrics ? prev : undefined),
    memory_stats: memory,
    ...base,
  };
  if (cur.networks && Object.keys(cur.networks).length > 0) out.networks = cur.networks;
  return out;
}
