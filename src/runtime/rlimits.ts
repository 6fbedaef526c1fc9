import { readFileSync } from 'node:fs';
import { invalidArgument } from '../errdefs/index.js';

/** RLIM_INFINITY in a RuntimeSpec rlimit; serializeRuntimeSpec() writes it as 18446744073709551615. */
export const RLIM_INFINITY = -1;

/** Docker's ulimit names (go-units) → the OCI rlimit type, and the row of /proc/self/limits. */
const ULIMITS: Record<string, { type: string; row: string }> = {
  core: { type: 'RLIMIT_CORE', row: 'Max core file size' },
  cpu: { type: 'RLIMIT_CPU', row: 'Max cpu time' },
  data: { type: 'RLIMIT_DATA', row: 'Max data size' },
  fsize: { type: 'RLIMIT_FSIZE', row: 'Max file size' },
  locks: { type: 'RLIMIT_LOCKS', row: 'Max file locks' },
  memlock: { type: 'RLIMIT_MEMLOCK', row: 'Max locked memory' },
  msgqueue: { type: 'RLIMIT_MSGQUEUE', row: 'Max msgqueue size' },
  nice: { type: 'RLIMIT_NICE', row: 'Max nice priority' },
  nofile: { type: 'RLIMIT_NOFILE', row: 'Max open files' },
  nproc: { type: 'RLIMIT_NPROC', row: 'Max processes' },
  rss: { type: 'RLIMIT_RSS', row: 'Max resident set' },
  rtprio: { type: 'RLIMIT_RTPRIO', row: 'Max realtime priority' },
  rttime: { type: 'RLIMIT_RTTIME', row: 'Max realtime timeout' },
  sigpending: { type: 'RLIMIT_SIGPENDING', row: 'Max pending signals' },
  stack: { type: 'RLIMIT_STACK', row: 'Max stack size' },
  as: { type: 'RLIMIT_AS', row: 'Max address space' },
};

export interface HostLimit {
  soft: number;
  /** RLIM_INFINITY (-1) for unlimited */
  hard: number;
}

/** The daemon's own limits by Docker ulimit name, from /proc/self/limits (-1 = unlimited). */
export type HostLimits = Record<string, HostLimit>;

export function parseProcLimits(text: string): HostLimits {
  const out: HostLimits = {};
  const lines = text.split('\n');
  for (const [name, { row }] of Object.entries(ULIMITS)) {
    const line = lines.find((l) => l.startsWith(row));
    if (!line) continue;
    const fields = line.slice(row.length).trim().split(/\s+/);
    const num = (s: string | undefined): number => (s === undefined || s === 'unlimited' ? RLIM_INFINITY : Number(s));
    out[name] = { soft: num(fields[0]), hard: num(fields[1]) };
  }
  return out;
}

export function readHostLimits(): HostLimits {
  return parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
}

export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

const isAbove = (value: number, max: number): boolean => max !== RLIM_INFINITY && (value === RLIM_INFINITY || value > max);
const show = (v: number): string => (v === RLIM_INFINITY ? 'unlimited' : String(v));

/**
 * Turns `--ulimit` requests into OCI rlimits. A limit the daemon itself could not set (above its own hard
 * limit; it has no CAP_SYS_RESOURCE) is refused here, with the maximum, rather than failing in the runtime.
 */
export function buildRlimits(ulimits: ReadonlyArray<{ Name: string; Soft: number; Hard: number }>, host: HostLimits): OciRlimit[] {
  const out: OciRlimit[] = [];
  for (const u of ulimits) {
    const name = u.Name.toLowerCase();
    const def = ULIMITS[name];
    if (!def) throw invalidArgument(`invalid ulimit type: ${u.Name}`);
    const soft = u.Soft < 0 ? RLIM_INFINITY : u.Soft;
    const hard = u.Hard < 0 ? RLIM_INFINITY : u.Hard;
    if (!Number.isSafeInteger(soft) || !Number.isSafeInteger(hard)) throw invalidArgument(`invalid ulimit ${name}: values must be integers`);
    if (isAbove(soft, hard)) throw invalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${show(soft)} > ${show(hard)}`);
    const max = host[name]?.hard ?? RLIM_INFINITY;
    if (isAbove(hard, max)) {
      throw invalidArgument(`invalid ulimit ${name}: hard limit ${show(hard)} is above the daemon's maximum of ${show(max)} (the daemon cannot raise its own hard limits)`);
    }
    const existing = out.findIndex((r) => r.type === def.type);
    const entry = { type: def.type, hard, soft };
    if (existing >= 0) out[existing] = entry;
    else out.push(entry);
  }
  return out;
}
