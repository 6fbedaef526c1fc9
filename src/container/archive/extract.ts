import { constants as C, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError, invalidArgument } from '../../errdefs/index.js';
import { decompressStream } from '../../image/decompress-stream.js';
import { mknodNode } from '../../snapshot/sys-calls.js';
import { confinedComponents, type RootedFs, type Spot, spotPath } from './rooted-fs.js';

export interface ExtractOptions {
  /** container path of the destination directory (resolved by the caller; must be a directory) */
  dest: string;
  /** Docker's noOverwriteDirNonDir: refuse to replace a directory by a non-directory and vice versa */
  noOverwriteDirNonDir: boolean;
  /** the owner of everything written (copyUIDGID with a container user); the tar's uid/gid when absent */
  owner?: { uid: number; gid: number };
}

/**
 * Extracts a tar (plain or gzip) into a directory of a container root, the way Docker's archive.Unpack
 * does inside its chroot, but entry by entry through rooted-fs.ts instead of a chroot:
 * - a member name is cleaned lexically below `dest` (a leading "/" is confined, a `..` that climbs out
 *   is refused);
 * - its parent directories are resolved afresh for every member, from the root, following symlinks as
 *   if root were `/` (so `/escape -> /` or `-> ../../..` lands inside the container), and missing ones
 *   are created (0755);
 * - the last name is never followed: whatever is there is replaced (a directory over a directory is
 *   merged), files are created O_CREAT|O_EXCL|O_NOFOLLOW, metadata is set through the very inode;
 * - modes (set-id bits included, set after chown), uid/gid, mtimes (directories' at the end), symlinks,
 *   hard links (to anything already below `dest`), fifos and device nodes are kept.
 * GNU tar is never used here: it is not safe in a tree that already holds symlinks (HOST-NOTES §5).
 */
export async function extractInRoot(rfs: RootedFs, input: Readable, opts: ExtractOptions): Promise<void> {
  const ex = tar.extract();
  const plain = decompressStream(input);
  let failed: unknown;
  plain.on('error', (err) => ex.destroy(err));
  plain.pipe(ex);
  const dirTimes: Array<{ path: string; mtime: Date }> = [];
  try {
    for await (const entry of ex) {
      try {
        await extractEntry(rfs, entry, opts, dirTimes);
      } finally {
        entry.resume();
      }
    }
  } catch (err) {
    failed = err;
    plain.unpipe(ex);
    plain.resume();
    ex.destroy();
  }
  if (failed) {
    if (failed instanceof EngineError) throw failed;
    const e = failed as NodeJS.ErrnoException;
    // tar-stream's own parse errors mean the body was not a tar
    if (!e.code) throw invalidArgument(`invalid tar archive: ${e.message}`);
    throw failed;
  }
  // Directory mtimes last: creating their contents changed them.
  for (const d of dirTimes.reverse()) {
    const spot = await rfs.resolve(d.path).catch(() => undefined);
    if (!spot?.stat?.isDirectory()) {
      await rfs.release(spot);
      continue;
    }
    try {
      await fs.lutimes(spotPath(spot), d.mtime, d.mtime);
    } finally {
      await rfs.release(spot);
    }
  }
}


type Entry = AsyncIterable<unknown> & { header: tar.Header; resume(): unknown };

async function extractEntry(rfs: RootedFs, entry: Entry, opts: ExtractOptions, dirTimes: Array<{ path: string; mtime: Date }>): Promise<void> {
  const h = entry.header;
  const type = h.type ?? 'unknown';
  const comps = confinedComponents(h.name);
  if (comps.length === 0) {
    // "." or "/": the destination itself, which Docker leaves as it is
    if (type === 'directory') return;
    throw invalidArgument(`refusing tar member ${JSON.stringify(h.name)}: it would replace the destination`);
  }
  if (!['file', 'contiguous-file', 'directory', 'symlink', 'link', 'fifo', 'character-device', 'block-device'].includes(type)) return; // pax/GNU extension records are read by tar-stream; others skipped
  const target = path.posix.join(opts.dest, ...comps);
  const owner = opts.owner ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 };
  const mode = (h.mode ?? (type === 'directory' ? 0o755 : 0o644)) & 0o7777;
  const mtime = h.mtime ?? new Date();
  const spot = await rfs.resolve(target, { mkdirParents: opts.owner ?? true });
  try {
    if (spot.name === '') throw invalidArgument(`refusing tar member ${JSON.stringify(h.name)}: it resolves to a directory above it`);
    const existing = spot.stat;
    if (existing) {
      if (opts.noOverwriteDirNonDir && existing.isDirectory() && type !== 'directory') {
        throw invalidArgument(`cannot overwrite directory "${target}" with non-directory "${opts.dest}"`);
      }
      if (opts.noOverwriteDirNonDir && !existing.isDirectory() && type === 'directory') {
        throw invalidArgument(`cannot overwrite non-directory "${target}" with directory "${opts.dest}"`);
      }
      if (!(existing.isDirectory() && type === 'directory')) {
        await rfs.removeAll(spot);
        delete spot.stat;
      }
    }
    switch (type) {
      case 'directory':
        if (!spot.stat) await fs.mkdir(spotPath(spot), 0o700);
        await rfs.setMeta(spot, { ...owner, mode });
        dirTimes.push({ path: target, mtime });
        return;
      case 'file':
      case 'contiguous-file': {
        const fh = await rfs.createFile(spot, 0o600);
        try {
          for await (const chunk of entry) await fh.write(chunk as Buffer);
          await fh.chown(owner.uid, owner.gid);
          await fh.chmod(mode);
          await fh.utimes(mtime, mtime);
        } finally {
          await fh.close();
        }
        return;
      }
      case 'symlink':
        // Any target is fine: every later walk follows it inside the root.
        await fs.symlink(h.linkname ?? '', spotPath(spot));
        await rfs.setMeta(spot, { ...owner, mtime });
        return;
      case 'link': {
        // Docker: the link target is a path below the destination, never outside it.
        const linkTarget = path.posix.join(opts.dest, ...confinedComponents(h.linkname ?? ''));
        const src = await rfs.resolve(linkTarget);
        try {
          if (!src.stat || src.name === '') throw invalidArgument(`hard link target ${JSON.stringify(h.linkname)} of ${JSON.stringify(h.name)} not found`);
          if (src.stat.isDirectory()) throw invalidArgument(`hard link target ${JSON.stringify(h.linkname)} of ${JSON.stringify(h.name)} is a directory`);
          await fs.link(spotPath(src), spotPath(spot));
        } finally {
          await rfs.release(src);
        }
        return;
      }
      case 'fifo':
      case 'character-device':
      case 'block-device': {
        const typeBits = type === 'fifo' ? C.S_IFIFO : type === 'character-device' ? C.S_IFCHR : C.S_IFBLK;
        mknodNode(spotPath(spot), typeBits | 0o600, h.devmajor ?? 0, h.devminor ?? 0);
        await rfs.setMeta(spot, { ...owner, mode, mtime });
        return;
      }
    }
  } finally {
    await rfs.release(spot);
  }
}
