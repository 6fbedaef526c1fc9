import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
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
  return Readable.from(members(upper, '', new Map(), opts.skip));
}

export interface LayerDiffOptions {
  /** leaves an entry (and what is below it) out, e.g. the runtime's mountpoint placeholders on commit */
  skip?: (name: string, st: Stats) => boolean | Promise<boolean>;
}

async function* members(upper: string, rel: string, seen: Map<string, string>, skip: LayerDiffOptions['skip']): AsyncGenerator<Buffer> {
  for (const child of (await fs.readdir(path.join(upper, rel))).sort()) {
    const name = rel ? `${rel}/${child}` : child;
    const abs = path.join(upper, name);
    const st = await fs.lstat(abs);
    if (skip && (await skip(name, st))) continue;
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
    if (st.isCharacterDevice() && st.rdev === 0) {
      yield encodeHeader({ ...base, name: (rel ? `${rel}/` : '') + '.wh.' + child, type: 'file', mode: st.mode & 0o777 });
    } else if (st.isDirectory()) {
      yield encodeHeader({ ...base, type: 'directory' });
      if (getXattr(abs, OPAQUE_XATTR)?.toString() === 'y') yield encodeHeader({ ...base, name: `${name}/.wh..wh..opq`, type: 'file', mode: 0o644 });
      yield* members(upper, name, seen, skip);
    } else if (st.isSymbolicLink()) {
      yield encodeHeader({ ...base, type: 'symlink', linkname: await fs.readlink(abs) });
    } else if (st.isFIFO()) {
      yield encodeHeader({ ...base, type: 'fifo' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      yield encodeHeader({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? seen.get(key) : undefined;
      if (first !== undefined) {
        yield encodeHeader({ ...base, type: 'link', linkname: first });
        continue;
      }
      if (st.nlink > 1) seen.set(key, name);
      const cap = getXattr(abs, CAPABILITY_XATTR);
      const header: TarHeader = { ...base, type: 'file', size: st.size };
      if (cap) header.pax = { [`SCHILY.xattr.${CAPABILITY_XATTR}`]: cap };
      yield encodeHeader(header);
      let written = 0;
      for await (const chunk of createReadStream(abs, { end: Math.max(st.size - 1, 0) })) {
        const buf = chunk as Buffer;
        // A file that grew while being read must not break the archive: stop at the size announced.
        const part = buf.subarray(0, Math.max(0, st.size - written));
        written += part.length;
        if (part.length) yield part;
      }
      if (written < st.size) yield Buffer.alloc(st.size - written); // it shrank: pad with zeros
      yield padding(st.size);
    }
  }
  if (rel === '') yield END_OF_ARCHIVE;
}
