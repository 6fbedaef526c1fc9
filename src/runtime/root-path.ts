import { promises as fs, constants as fsc } from 'node:fs';
import { resolveInRoot } from '../util/path-in-root.js';

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

export { resolveInRoot };
