import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync, rmdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SpecInput } from './spec-input.js';

/**
 * Fixtures for this folder's tests (not used by berthd): a busybox rootfs in a temp dir, a SpecInput
 * with Docker's defaults, and cleanup of the test cgroup parents the runtimes leave behind.
 */
export async function makeBusyboxRootfs(dir: string): Promise<string> {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) await fs.mkdir(path.join(rootfs, d), { recursive: true });
  await fs.copyFile('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  await fs.chmod(path.join(rootfs, 'bin', 'busybox'), 0o755);
  const list = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((n) => n && n !== 'busybox');
  for (const name of list) await fs.symlink('busybox', path.join(rootfs, 'bin', name)).catch(() => undefined);
  await fs.writeFile(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await fs.writeFile(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nwheel:x:10:root,nobody\nnogroup:x:65534:\n');
  return rootfs;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export function testSpecInput(id: string, rootfs: string, cgroupParent: string, over: Partial<SpecInput> = {}): SpecInput {
  return {
    id,
    rootfs,
    readonlyRootfs: false,
    args: ['sh', '-c', 'true'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${id.slice(0, 12)}`],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: id.slice(0, 12),
    terminal: false,
    mounts: [],
    network: { mode: 'private' },
    privileged: false,
    capAdd: [],
    capDrop: [],
    seccomp: 'default',
    noNewPrivileges: false,
    cgroupsPath: `/${cgroupParent}/${id}`,
    ulimits: [],
    ...over,
  };
}

/** Removes /sys/fs/cgroup/<controller>/<parent> (and below) wherever the runtimes created it. */
export function removeCgroupParent(parent: string): void {
  const roots = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
  for (const entry of readdirSync('/sys/fs/cgroup')) roots.push(path.join('/sys/fs/cgroup', entry));
  const rm = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rm(path.join(dir, e.name));
    try {
      rmdirSync(dir);
    } catch {
      // busy or gone
    }
  };
  for (const r of new Set(roots)) rm(path.join(r, parent));
}
