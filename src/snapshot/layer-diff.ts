import { constants as C, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { getXattr, OPAQUE_XATTR } from './sys-calls.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from './tar-writer.js';

const CAPABILITY_XATTR = 'security.capability';

const major = (rdev: number) => Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
const minor = (rdev: number) => Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & 0xfff00n);

/**
 * The OCI layer tar of an overlay upper dir (the container's changes), for commit, build and diff:
 * overlay whiteouts (char 0:0) become `.wh.<name>` files, opaque directories get a `.wh..wh..opq` entry,
 * hard links inside the dir stay hard links, and security.capability is kept (the only xattr Docker puts
 * in layers). Entries are sorted by name, so the same tree always gives the same tar (and diff ID).
 * Overlay-internal xattrs (trusted.overlay.origin, impure…) are not carried; sockets are skipped.
 */
export function layerDiffTar(upper: string, opts: LayerDiffOptions = {}): Readable {
  return Readable.from(layer(upper, opts.skip));
}

async function* layer(upper: string, skip: LayerDiffOptions['skip']): AsyncGenerator<Buffer> {
  const root = await fs.open(upper, C.O_RDONLY | C.O_DIRECTORY);
  try {
    yield* members(`/proc/self/fd/${root.fd}`, '', new Map(), skip);
  } finally {
    await root.close();
  }
  yield END_OF_ARCHIVE;
}

export interface LayerDiffOptions {
  /** leaves an entry (and what is below it) out, e.g. the runtime's mountpoint placeholders on commit */
  skip?: (name: string, st: Stats) => boolean | Promise<boolean>;
}

/**
 * The upper dir of a running container changes under our feet (commit --pause=false), and its process
 * can swap a directory for a symlink to the host: so the walk goes through opened directories
 * (`dir` is `/proc/self/fd/<n>` of one, opened O_NOFOLLOW) and opens files O_NOFOLLOW, never
 * following a link out of the upper dir (see container/archive/rooted-fs.ts).
 */
async function* members(dir: string, rel: string, seen: Map<string, string>, skip: LayerDiffOptions['skip']): AsyncGenerator<Buffer> {
  for (const child of (await fs.readdir(dir)).sort()) {
    const name = rel ? `${rel}/${child}` : child;
    const abs = `${dir}/${child}`;
    const st = await fs.lstat(abs).catch(() => undefined);
    if (!st) continue; // removed meanwhile
    if (skip && (await skip(name, st))) continue;
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
    if (st.isCharacterDevice() && st.rdev === 0) {
      yield encodeHeader({ ...base, name: (rel ? `${rel}/` : '') + '.wh.' + child, type: 'file', mode: st.mode & 0o777 });
    } else if (st.isDirectory()) {
      const sub = await fs.open(abs, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW).catch(() => undefined);
      if (!sub) continue; // replaced by something else meanwhile
      try {
        yield encodeHeader({ ...base, type: 'directory' });
        if (getXattr(abs, OPAQUE_XATTR)?.toString() === 'y') yield encodeHeader({ ...base, name: `${name}/.wh..wh..opq`, type: 'file', mode: 0o644 });
        yield* members(`/proc/self/fd/${sub.fd}`, name, seen, skip);
      } finally {
        await sub.close();
      }
    } else if (st.isSymbolicLink()) {
      yield encodeHeader({ ...base, type: 'symlink', linkname: await fs.readlink(abs) });
    } else if (st.isFIFO()) {
      yield encodeHeader({ ...base, type: 'fifo' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      yield encodeHeader({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    } else if (st.isFile()) {
      const fh = await fs.open(abs, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK).catch(() => undefined);
      if (!fh) continue;
      try {
        if (!(await fh.stat()).isFile()) continue;
        yield* fileMember(fh, abs, name, st, base, seen);
      } finally {
        await fh.close();
      }
    }
  }
}

async function* fileMember(fh: FileHandle, abs: string, name: string, st: Stats, base: Omit<TarHeader, 'type'>, seen: Map<string, string>): AsyncGenerator<Buffer> {
  const key = `${st.dev}:${st.ino}`;
  const first = st.nlink > 1 ? seen.get(key) : undefined;
  if (first !== undefined) {
    yield encodeHeader({ ...base, type: 'link', linkname: first });
    return;
  }
  if (st.nlink > 1) seen.set(key, name);
  const cap = getXattr(abs, CAPABILITY_XATTR);
  const header: TarHeader = { ...base, type: 'file', size: st.size };
  if (cap) header.pax = { [`SCHILY.xattr.${CAPABILITY_XATTR}`]: cap };
  yield encodeHeader(header);
  let written = 0;
  // A file that grew while being read must not break the archive: stop at the size announced.
  while (written < st.size) {
    const buf = Buffer.allocUnsafe(Math.min(64 * 1024, st.size - written));
    const { bytesRead } = await fh.read(buf, 0, buf.length, written);
    if (bytesRead === 0) break;
    written += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
  if (written < st.size) yield Buffer.alloc(st.size - written); // it shrank: pad with zeros
  yield padding(st.size);
}
