/**
 * Reading a container's resource usage from its cgroup, on cgroup v1 (one hierarchy per controller) or
 * cgroup v2 (one unified hierarchy).
 *
 * Vocabulary: a *location* (cgroup-location.ts) says where a container's cgroup lives: on v1 one
 * directory per controller (`/sys/fs/cgroup/memory/<parent>/<id>`), on v2 one directory. A *reader*
 * (v1-reader.ts, v2-reader.ts) turns the files of a location into *metrics*, the same shape for both
 * versions; the API layer turns metrics into Docker's stats JSON. Nothing here writes to a cgroup: limits
 * are set by the OCI runtime (create, update).
 *
 * All CPU times are nanoseconds, all sizes bytes. A limit of `undefined` means unlimited.
 */
export interface BlkioEntry {
  major: number;
  minor: number;
  /** "Read", "Write", "Sync", "Async", "Discard", "Total" on v1; "read", "write" on v2 (as Docker reports them) */
  op: string;
  value: number;
}

export interface CgroupMetrics {
  cpu: {
    total: number;
    /** v1 only (cpuacct.usage_percpu) */
    perCpu?: number[];
    kernel: number;
    user: number;
    throttling: { periods: number; throttledPeriods: number; throttledTime: number };
  };
  memory: {
    usage: number;
    /** v1 only */
    maxUsage?: number;
    /** v1 only */
    failcnt?: number;
    limit?: number;
    /** memory.stat, as the kernel names its rows */
    stats: Record<string, number>;
  };
  pids: { current: number; limit?: number };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
}

export interface CgroupReader {
  readonly version: 1 | 2;
  read(): Promise<CgroupMetrics>;
  /** Pids of every process in the cgroup and its descendants. */
  pids(): Promise<number[]>;
  /** How many processes the kernel's OOM killer killed in this cgroup (0 when it cannot tell). */
  oomKills(): Promise<number>;
}

/** A limit of 2^62 or more is the kernel's "unlimited" (v1 writes 9223372036854771712). */
export const UNLIMITED_FLOOR = 2 ** 62;
