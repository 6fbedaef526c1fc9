import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import tar from 'tar-stream';

/**
 * A busybox root filesystem, built in memory from the host's static busybox (Debian's busybox-static):
 *   bin/busybox and one symlink per applet (`busybox --list`), etc/passwd, etc/group, and the empty
 *   directories a container expects (tmp is 1777, root 0700). Everything owned by root.
 * `berth image bootstrap busybox` imports it as busybox:latest; tests and benchmarks reuse it.
 */
export interface RootfsOptions {
  /** Path of a static busybox binary; default /bin/busybox, then /usr/bin/busybox. */
  busybox?: string;
  /** Modification time of every entry (default: now), for reproducible archives pass a fixed date. */
  mtime?: Date;
}

export const BUSYBOX_ENV_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const BUSYBOX_CHANGES = [`ENV PATH=${BUSYBOX_ENV_PATH}`, 'CMD ["sh"]'];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const DIRS: Array<[string, number]> = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o755],
  ['root', 0o700],
  ['sys', 0o755],
  ['tmp', 0o1777],
  ['var', 0o755],
];

export function findBusybox(explicit?: string): string {
  const candidates = explicit ? [explicit] : ['/bin/busybox', '/usr/bin/busybox'];
  for (const c of candidates) if (existsSync(c)) return realpathSync(c);
  throw new Error(`busybox not found at ${candidates.join(' or ')}: install busybox-static`);
}

/** The applets the binary provides, from `busybox --list`. */
export function busyboxApplets(binary: string): string[] {
  const out = execFileSync(binary, ['--list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'busybox' && !s.includes('/'));
}

export async function buildBusyboxRootfs(opts: RootfsOptions = {}): Promise<Buffer> {
  const binary = findBusybox(opts.busybox);
  const content = readFileSync(binary);
  const applets = busyboxApplets(binary);
  const mtime = opts.mtime ?? new Date();
  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const [name, mode] of DIRS) pack.entry({ ...owner, name: `${name}/`, type: 'directory', mode });
  pack.entry({ ...owner, name: 'bin/busybox', mode: 0o755, size: content.length }, content);
  for (const a of applets) pack.entry({ ...owner, name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777 });
  pack.entry({ ...owner, name: 'etc/passwd', mode: 0o644 }, Buffer.from(PASSWD));
  pack.entry({ ...owner, name: 'etc/group', mode: 0o644 }, Buffer.from(GROUP));
  pack.finalize();
  return done;
}
