import type { Stats } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { getXattr } from '../../snapshot/sys-calls.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from '../../snapshot/tar-writer.js';
import { type DirRef, RootedFs, type Spot, spotPath } from './rooted-fs.js';

const CAPABILITY_XATTR = 'security.capability';
const CHUNK = 64 * 1024;

const major = (rdev: number) => Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
const minor = (rdev: number) => Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & 0xfff00n);

export interface TarOfSpotOptions {
  /**
   * Name of the spot's own entry and prefix of everything below it (Docker's "rebase" name: the last
   * element of the path asked for, "." for `dir/.`). Undefined for export: no entry for the directory
   * itself, children named relative to it ("bin/", "etc/passwd").
   */
  rootName?: string;
}

/**
 * A tar of the object at a spot inside a container root: a directory recursively, a file, or a symlink
 * itself (never followed). Every step reads through opened directories (rooted-fs.ts), so a symlink
 * swapped in meanwhile cannot make it read the host. Hard links inside the tree stay hard links;
 * sockets are skipped (as Docker's archive does); objects that vanish during the walk are skipped.
 */
export function tarOfSpot(rfs: RootedFs, spot: Spot, opts: TarOfSpotOptions): Readable {
  return Readable.from(generate(rfs, spot, opts));
}

async function* generate(rfs: RootedFs, spot: Spot, opts: TarOfSpotOptions): AsyncGenerator<Buffer> {
  const seen = new Map<string, string>();
  if (spot.name === '') {
    // the spot is an opened directory ("/" or a path that resolved to a directory on the walk)
    const st = await fs.stat(spotPath(spot));
    if (opts.rootName !== undefined) yield encodeHeader(header(`${opts.rootName}/`, st, 'directory'));
    yield* children(rfs, spot.dir, opts.rootName, seen);
  } else {
    const st = await fs.lstat(spotPath(spot));
    yield* member(rfs, spot, st, opts.rootName ?? spot.name, seen);
  }
  yield END_OF_ARCHIVE;
}

function header(name: string, st: Stats, type: TarHeader['type']): TarHeader {
  return { name, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
}

async function* children(rfs: RootedFs, dir: DirRef, prefix: string | undefined, seen: Map<string, string>): AsyncGenerator<Buffer> {
  for (const name of await rfs.readdir(dir)) {
    const spot: Spot = { dir, name, path: path.posix.join(dir.path, name) };
    const st = await fs.lstat(spotPath(spot)).catch(() => undefined);
    if (!st) continue;
    yield* member(rfs, spot, st, prefix === undefined ? name : `${prefix}/${name}`, seen);
  }
}

async function* member(rfs: RootedFs, spot: Spot, st: Stats, name: string, seen: Map<string, string>): AsyncGenerator<Buffer> {
  if (st.isDirectory()) {
    let dir: DirRef;
    try {
      dir = await rfs.openDir(spot.dir, spot.name);
    } catch {
      return; // replaced by something else meanwhile
    }
    try {
      yield encodeHeader(header(`${name}/`, st, 'directory'));
      yield* children(rfs, dir, name, seen);
    } finally {
      await rfs.release(dir);
    }
  } else if (st.isSymbolicLink()) {
    const linkname = await fs.readlink(spotPath(spot)).catch(() => undefined);
    if (linkname !== undefined) yield encodeHeader({ ...header(name, st, 'symlink'), linkname });
  } else if (st.isFIFO()) {
    yield encodeHeader(header(name, st, 'fifo'));
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    yield encodeHeader({ ...header(name, st, st.isCharacterDevice() ? 'character-device' : 'block-device'), devmajor: major(st.rdev), devminor: minor(st.rdev) });
  } else if (st.isFile()) {
    yield* file(rfs, spot, name, seen);
  }
}

async function* file(rfs: RootedFs, spot: Spot, name: string, seen: Map<string, string>): AsyncGenerator<Buffer> {
  let opened;
  try {
    opened = await rfs.openFileForRead(spot);
  } catch {
    return; // vanished or replaced by a non-file meanwhile
  }
  const { handle, stat } = opened;
  try {
    const key = `${stat.dev}:${stat.ino}`;
    const first = stat.nlink > 1 ? seen.get(key) : undefined;
    if (first !== undefined) {
      yield encodeHeader({ ...header(name, stat, 'link'), linkname: first });
      return;
    }
    if (stat.nlink > 1) seen.set(key, name);
    const h: TarHeader = { ...header(name, stat, 'file'), size: stat.size };
    const cap = getXattr(spotPath(spot), CAPABILITY_XATTR);
    if (cap) h.pax = { [`SCHILY.xattr.${CAPABILITY_XATTR}`]: cap };
    yield encodeHeader(h);
    let written = 0;
    while (written < stat.size) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, stat.size - written));
      const { bytesRead } = await handle.read(buf, 0, buf.length, written);
      if (bytesRead === 0) break;
      written += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    // A file that shrank while being read must not break the archive: pad to the size announced.
    if (written < stat.size) yield Buffer.alloc(stat.size - written);
    yield padding(stat.size);
  } finally {
    await rfs.closeFile(handle);
  }
}
