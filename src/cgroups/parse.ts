import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UNLIMITED_FLOOR, type BlkioEntry } from './cgroup-metrics.js';

/** Parsers for the cgroup file formats (kernel Documentation/admin-guide/cgroup-v2.rst "Interface Files"). */

/** A file's text, or undefined when it does not exist (a controller not enabled, a container gone). */
export async function readText(dir: string | undefined, file: string): Promise<string | undefined> {
  if (!dir) return undefined;
  try {
    return await fs.readFile(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** A single-value file: a number, or undefined for "max" / missing / unparsable. */
export function parseSingle(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** A limit: undefined for "max", -1 or anything at or above the kernel's unlimited value. */
export function parseLimit(text: string | undefined): number | undefined {
  const n = parseSingle(text);
  return n === undefined || n < 0 || n >= UNLIMITED_FLOOR ? undefined : n;
}

/** "Flat keyed" files: `key value` per line (memory.stat, cpu.stat, cpuacct.stat, memory.events). */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (!k || v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

/** Space-separated numbers (cpuacct.usage_percpu). */
export function parseNumberList(text: string | undefined): number[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite);
}

/** v1 blkio files: `major:minor Op value` lines, and a final `Total value` line that is skipped. */
export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    const m = /^(\d+):(\d+)$/.exec(f[0]!);
    if (!m) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: f[1]!, value: Number(f[2]) });
  }
  return out;
}

/** v2 io.stat: `major:minor rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…` → Docker's read/write entries. */
export function parseIoStatV2(text: string | undefined): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const kv: Record<string, number> = {};
    for (const p of kvs) {
      const eq = p.indexOf('=');
      if (eq > 0) kv[p.slice(0, eq)] = Number(p.slice(eq + 1));
    }
    serviceBytes.push({ major, minor, op: 'read', value: kv.rbytes ?? 0 }, { major, minor, op: 'write', value: kv.wbytes ?? 0 });
    serviced.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
  }
  return { serviceBytes, serviced };
}

/** The pids in a cgroup.procs file and in those of every descendant cgroup. */
export async function procsRecursive(dir: string): Promise<number[]> {
  const out = new Set<number>();
  const walk = async (d: string): Promise<void> => {
    for (const n of parseNumberList(await readText(d, 'cgroup.procs'))) out.add(n);
    const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await walk(path.join(d, e.name));
  };
  await walk(dir);
  return [...out].sort((a, b) => a - b);
}
