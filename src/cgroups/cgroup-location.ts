import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CgroupReader } from './cgroup-metrics.js';
import { V1Reader, type V1Dirs } from './v1-reader.js';
import { V2Reader } from './v2-reader.js';

/**
 * Where a cgroup lives on this host. The mounts come from /proc/self/mountinfo (controllers can be
 * mounted together, `cpu,cpuacct`, or apart, as on this host); the cgroup's path from
 * /proc/<pid>/cgroup of a process in it, or from the cgroupsPath given to the runtime when there is none.
 * A host whose controllers are on v1 (a v1 or hybrid host) gets the v1 reader, a pure v2 host the v2 one.
 */
export interface CgroupMount {
  /** cgroup2: undefined; v1: the controllers mounted there (name=systemd included) */
  controllers?: string[];
  mountPoint: string;
  /** the mount's root inside the hierarchy, "/" unless a sub-tree is bind-mounted */
  root: string;
}

/** The cgroup mounts listed in a mountinfo text. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMount(pre[3] ?? '/');
    const mountPoint = unescapeMount(pre[4] ?? '');
    if (fstype === 'cgroup2') out.push({ mountPoint, root });
    else if (fstype === 'cgroup') out.push({ mountPoint, root, controllers: superOpts.split(',').filter((o) => o.startsWith('name=') || (o !== 'rw' && o !== 'ro' && !o.includes('='))) });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** /proc/<pid>/cgroup: controller (or "" for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '') out.set('', m[2]!);
    else for (const c of m[1]!.split(',')) out.set(c, m[2]!);
  }
  return out;
}

const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer', 'cpuset'] as const;

function join(mount: CgroupMount, cgPath: string): string {
  const rel = mount.root !== '/' && cgPath.startsWith(mount.root) ? cgPath.slice(mount.root.length) : cgPath;
  return path.join(mount.mountPoint, rel);
}

/**
 * The reader for a cgroup given by `procCgroup` (a /proc/<pid>/cgroup text) or, lacking it, by the
 * cgroupsPath the runtime was given (cgroupfs style, the same path in every hierarchy).
 */
export function readerFor(mounts: CgroupMount[], where: { procCgroup?: string; cgroupsPath?: string }): CgroupReader | undefined {
  const paths = where.procCgroup ? parseProcCgroup(where.procCgroup) : undefined;
  const pathOf = (ctrl: string): string | undefined => paths?.get(ctrl) ?? (paths ? undefined : where.cgroupsPath);
  const v1 = mounts.filter((m) => m.controllers);
  if (v1.some((m) => m.controllers!.includes('memory') || m.controllers!.includes('cpu'))) {
    const dirs: V1Dirs = {};
    for (const ctrl of V1_CONTROLLERS) {
      const mount = v1.find((m) => m.controllers!.includes(ctrl));
      const p = pathOf(ctrl);
      if (mount && p) dirs[ctrl] = join(mount, p);
    }
    return new V1Reader(dirs);
  }
  const unified = mounts.find((m) => !m.controllers);
  const p = pathOf('');
  return unified && p ? new V2Reader(join(unified, p)) : undefined;
}

/** The reader for the cgroup of a running process (pid > 0), else for cgroupsPath. */
export async function locateCgroup(where: { pid?: number; cgroupsPath?: string }): Promise<CgroupReader | undefined> {
  const mounts = parseCgroupMounts(await fs.readFile('/proc/self/mountinfo', 'utf8'));
  const procCgroup = where.pid && where.pid > 0 ? await fs.readFile(`/proc/${where.pid}/cgroup`, 'utf8').catch(() => undefined) : undefined;
  return readerFor(mounts, { procCgroup, cgroupsPath: where.cgroupsPath });
}
