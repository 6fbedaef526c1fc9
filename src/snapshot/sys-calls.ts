import { createRequire } from 'node:module';
import { internal } from '../errdefs/index.js';

// koffi (and its 6 MiB native library) is loaded on first use only: an idle daemon never needs it.
const require = createRequire(import.meta.url);
let koffiModule: typeof import('koffi') | undefined;
const koffi = (): typeof import('koffi') => (koffiModule ??= require('koffi') as typeof import('koffi'));

/**
 * The few syscalls Node's fs lacks (mknod, xattrs), through koffi's FFI: no spawn, no native build.
 * Loaded lazily so that importing this module never fails on a host without libc.so.6.
 */
interface Libc {
  mknod: (path: string, mode: number, dev: number) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  lgetxattr: (path: string, name: string, value: Buffer | null, size: number) => number;
  mount: (source: string, target: string, fstype: string, flags: number, data: string) => number;
  umount2: (target: string, flags: number) => number;
  strerror: (errnum: number) => string;
}

let libc: Libc | undefined;

function load(): Libc {
  if (!libc) {
    const lib = koffi().load('libc.so.6');
    libc = {
      mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as Libc['mknod'],
      lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)') as Libc['lsetxattr'],
      lgetxattr: lib.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ void *value, size_t size)') as Libc['lgetxattr'],
      mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)') as Libc['mount'],
      umount2: lib.func('int umount2(const char *target, int flags)') as Libc['umount2'],
      strerror: lib.func('const char *strerror(int errnum)') as Libc['strerror'],
    };
  }
  return libc;
}

function fail(call: string, path: string): never {
  throw internal(`${call} ${path}: errno ${koffi().errno()}`);
}

const S_IFCHR = 0o020000;

/** Creates an overlay whiteout: a character device 0:0. */
export function mknodWhiteout(path: string): void {
  if (load().mknod(path, S_IFCHR, 0) !== 0) fail('mknod', path);
}

/**
 * mknod(2) of a fifo or device node (type bits included in `mode`), for `docker cp` of such members.
 * mknod never follows a symlink in the last component: it fails with EEXIST.
 */
export function mknodNode(path: string, mode: number, devMajor = 0, devMinor = 0): void {
  const dev = ((devMajor & 0xfff) << 8) | (devMinor & 0xff) | ((devMinor & ~0xff) << 12);
  if (load().mknod(path, mode, dev) !== 0) {
    const e = koffi().errno();
    throw Object.assign(internal(`mknod ${path}: ${load().strerror(e)}`), { errno: e, code: e === 17 ? 'EEXIST' : undefined });
  }
}

export function setXattr(path: string, name: string, value: string | Buffer): void {
  const buf = Buffer.from(value);
  if (load().lsetxattr(path, name, buf, buf.length, 0) !== 0) fail('lsetxattr', path);
}

/** An xattr's value, or undefined when absent. */
export function getXattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(4096);
  const n = Number(load().lgetxattr(path, name, buf, buf.length));
  if (n < 0) return undefined;
  return buf.subarray(0, n);
}

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * mount(2) of an overlay: 0.3 ms against 3 ms for spawning mount(8) (HOST-NOTES §1), on the path of every
 * container start. Throws with the kernel's reason.
 */
export function mountOverlay(data: string, target: string): void {
  if (load().mount('overlay', target, 'overlay', 0, data) !== 0) {
    const e = koffi().errno();
    throw internal(`mount overlay on ${target}: ${load().strerror(e)}`);
  }
}

/** mount(2) of a tmpfs with nosuid, nodev, noexec and the given options ("mode=1777,size=65536k"). */
export function mountTmpfs(target: string, data: string): void {
  const MS_NOSUID = 2;
  const MS_NODEV = 4;
  const MS_NOEXEC = 8;
  if (load().mount('shm', target, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, data) !== 0) {
    const e = koffi().errno();
    throw internal(`mount tmpfs on ${target}: ${load().strerror(e)}`);
  }
}

/** umount2(2); flags 2 = MNT_DETACH. Throws with errno attached as `code` (EBUSY, EINVAL…). */
export function unmount(target: string, detach = false): void {
  if (load().umount2(target, detach ? 2 : 0) !== 0) {
    const e = koffi().errno();
    throw Object.assign(internal(`umount ${target}: ${load().strerror(e)}`), { errno: e });
  }
}
