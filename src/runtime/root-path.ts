import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';

const MAX_SYMLINKS = 255;

/**
 * Resolves `unsafePath` inside `root` as if `root` were `/`: every symlink, absolute or relative, is
 * followed within the root and `..` never climbs above it (like Go's securejoin / FollowSymlinkInScope).
 * The rootfs is untrusted, so this is how files inside it are found. Missing components are kept as they are.
 */
export async function resolveInRoot(root: string, unsafePath: string): Promise<string> {
  const rootAbs = path.resolve(root);
  let pending = unsafePath.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(rootAbs, ...resolved, part);
    let st;
    try {
      st = await fs.lstat(candidate);
    } catch {
      resolved.push(part);
      continue;
    }
    if (!st.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${unsafePath}`), { code: 'ELOOP' });
    const target = await fs.readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(rootAbs, ...resolved);
}

/**
 * Reads a regular file of an untrusted root, or returns undefined when it does not exist. The last
 * component is opened with O_NOFOLLOW after in-root resolution, so a symlink swapped in cannot point out.
 */
export async function readFileInRoot(root: string, unsafePath: string, maxBytes = 16 * 1024 * 1024): Promise<Buffer | undefined> {
  let p: string;
  try {
    p = await resolveInRoot(root, unsafePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw err;
  }
  let fh;
  try {
    fh = await fs.open(p, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const size = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
