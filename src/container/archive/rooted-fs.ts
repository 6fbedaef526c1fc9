import { constants as C, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, invalidArgument } from '../../errdefs/index.js';

/**
 * Race-safe file operations inside a container's root filesystem, for cp (archive), export and diff.
 *
 * Vocabulary
 * - root: the host directory that is `/` for the container (its mounted rootfs).
 * - container path: an absolute path as the container sees it ("/etc/passwd").
 * - a "spot" is an opened directory plus one name in it: where an object is, or will be created.
 *
 * Why file descriptors: a container process can swap any directory for a symlink (`/tmp/d -> /`) at any
 * time, so a host path resolved a moment ago proves nothing (the docker cp symlink-exchange escapes,
 * HOST-NOTES §5). Here every step of a walk is relative to a directory already opened with O_NOFOLLOW,
 * symlinks are expanded by this code as if root were `/` (an absolute or `..`-climbing link stops at the
 * root), and every later operation names its target as `/proc/self/fd/<dir fd>/<name>`: the kernel jumps
 * to the exact directory held open, and only the last name is looked up there, never followed
 * (mkdir, symlink, link, unlink, lstat, lchown, lutimes and O_NOFOLLOW|O_EXCL opens do not follow it).
 * Metadata of an existing object goes through an O_PATH descriptor of that very inode.
 * This is what openat2(RESOLVE_IN_ROOT) gives in C, without native code.
 */
export const O_PATH = 0o10000000;
const MAX_LINKS = 40;

/** An opened directory inside the root; `path` is its container path. */
export interface DirRef {
  readonly fd: number;
  readonly path: string;
}

/** An object (or a free name) in an opened directory. `name` is '' when the spot is the directory itself. */
export interface Spot {
  dir: DirRef;
  name: string;
  /** container path of the object */
  path: string;
  /** lstat of the object; undefined when nothing is there */
  stat?: Stats;
}

export function fdPath(fd: number, name = ''): string {
  return name ? `/proc/self/fd/${fd}/${name}` : `/proc/self/fd/${fd}`;
}

/** The host path of a spot's object, usable for single operations that do not follow the last name. */
export function spotPath(s: Spot): string {
  return fdPath(s.dir.fd, s.name);
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Splits a container path into components; '.' and empty ones vanish, '..' stays for the walk. */
export function pathComponents(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Lexically cleans a relative name (a tar member) below a base: leading '/' dropped, '..' applied;
 * climbing above the base is refused, as Docker refuses a member "outside of" the destination.
 */
export function confinedComponents(name: string): string[] {
  if (name.includes('\0')) throw invalidArgument(`invalid tar member name ${JSON.stringify(name)}`);
  const out: string[] = [];
  for (const c of pathComponents(name)) {
    if (c === '..') {
      if (out.length === 0) throw invalidArgument(`refusing tar member ${JSON.stringify(name)}: it is outside of the destination`);
      out.pop();
    } else out.push(c);
  }
  return out;
}

export class RootedFs {
  private readonly handles = new Set<FileHandle>();

  private constructor(
    /** the root on the host, for messages only: no operation goes through it after open */
    readonly root: string,
    private readonly rootHandle: FileHandle,
  ) {}

  static async open(root: string): Promise<RootedFs> {
    const h = await fs.open(root, C.O_RDONLY | C.O_DIRECTORY);
    return new RootedFs(path.resolve(root), h);
  }

  get rootDir(): DirRef {
    return { fd: this.rootHandle.fd, path: '/' };
  }

  /** Closes the root and every directory still held. */
  async close(): Promise<void> {
    for (const h of [...this.handles]) await h.close().catch(() => undefined);
    this.handles.clear();
    await this.rootHandle.close().catch(() => undefined);
  }

  /** Releases a spot's directory (never the root). */
  async release(s: Spot | DirRef | undefined): Promise<void> {
    if (!s) return;
    const fd = 'dir' in s ? s.dir.fd : s.fd;
    for (const h of this.handles) {
      if (h.fd === fd) {
        this.handles.delete(h);
        await h.close().catch(() => undefined);
        return;
      }
    }
  }

  /** Opens `name` in `dir` as a directory, refusing a symlink (ELOOP) or a non-directory (ENOTDIR). */
  async openDir(dir: DirRef, name: string): Promise<DirRef> {
    const h = await fs.open(fdPath(dir.fd, name), C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
    this.handles.add(h);
    return { fd: h.fd, path: path.posix.join(dir.path, name) };
  }

  /**
   * Resolves a container path. All components but the last are followed (symlinks inside the root, as if
   * root were `/`); the last is followed only with `followLast`. With `mkdirParents`, missing directories
   * on the way are created (mode 0755, owner `owner` or root). A missing last component is not an error:
   * the spot then has no `stat`. The caller releases the spot.
   */
  async resolve(p: string, opts: { followLast?: boolean; mkdirParents?: { uid: number; gid: number } | true } = {}): Promise<Spot> {
    const queue = pathComponents(p);
    const stack: DirRef[] = [this.rootDir];
    const top = () => stack[stack.length - 1]!;
    let links = 0;
    try {
      while (queue.length) {
        const comp = queue.shift()!;
        if (comp === '..') {
          if (stack.length > 1) await this.release(stack.pop());
          continue;
        }
        const isLast = queue.length === 0;
        const here = top();
        let st: Stats | undefined;
        try {
          st = await fs.lstat(fdPath(here.fd, comp));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        if (!st) {
          if (isLast) return await this.finish(stack, { dir: here, name: comp, path: path.posix.join(here.path, comp) });
          if (!opts.mkdirParents) throw errno('ENOENT', `no such file or directory: ${path.posix.join(here.path, comp)}`);
          await this.mkdirOwned(here, comp, opts.mkdirParents === true ? undefined : opts.mkdirParents);
          stack.push(await this.openDir(here, comp));
          continue;
        }
        if (st.isSymbolicLink() && (!isLast || opts.followLast)) {
          if (++links > MAX_LINKS) throw errno('ELOOP', `too many levels of symbolic links: ${p}`);
          const target = await fs.readlink(fdPath(here.fd, comp));
          if (target.startsWith('/')) while (stack.length > 1) await this.release(stack.pop());
          queue.unshift(...pathComponents(target));
          continue;
        }
        if (isLast) return await this.finish(stack, { dir: here, name: comp, path: path.posix.join(here.path, comp), stat: st });
        if (!st.isDirectory()) throw errno('ENOTDIR', `not a directory: ${path.posix.join(here.path, comp)}`);
        // lstat said directory; O_NOFOLLOW makes the open fail if it was swapped for a symlink since.
        stack.push(await this.openDir(here, comp));
      }
      // The path named a directory on the stack itself ("/", "/a/..", a link to "/").
      const dir = top();
      return await this.finish(stack, { dir, name: '', path: dir.path, stat: await fs.stat(fdPath(dir.fd)) });
    } catch (err) {
      while (stack.length > 1) await this.release(stack.pop());
      throw err;
    }
  }

  /** Keeps the spot's directory open, closes the rest of the walk. */
  private async finish(stack: DirRef[], spot: Spot): Promise<Spot> {
    for (const d of stack) if (d !== spot.dir && d.fd !== this.rootHandle.fd) await this.release(d);
    return spot;
  }

  private async mkdirOwned(dir: DirRef, name: string, owner?: { uid: number; gid: number }): Promise<void> {
    try {
      await fs.mkdir(fdPath(dir.fd, name), 0o755);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // made meanwhile: openDir checks what it is
      throw err;
    }
    await this.setMeta({ dir, name, path: '' }, { uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mode: 0o755 });
  }

  /**
   * Applies owner, mode and times to the object at a spot without following it: symlinks get lchown and
   * lutimes; anything else goes through an O_PATH descriptor of that inode (chown before chmod, since
   * chown clears set-id bits).
   */
  async setMeta(s: Spot, m: { uid?: number; gid?: number; mode?: number; mtime?: Date }): Promise<void> {
    if (s.name === '') {
      // the spot is an opened directory: its /proc/self/fd link is that inode
      const inode = fdPath(s.dir.fd);
      if (m.uid !== undefined && m.gid !== undefined) await fs.chown(inode, m.uid, m.gid);
      if (m.mode !== undefined) await fs.chmod(inode, m.mode & 0o7777);
      if (m.mtime) await fs.utimes(inode, m.mtime, m.mtime);
      return;
    }
    const p = spotPath(s);
    const h = await fs.open(p, O_PATH | C.O_NOFOLLOW);
    try {
      const st = await h.stat();
      if (st.isSymbolicLink()) {
        if (m.uid !== undefined && m.gid !== undefined) await fs.lchown(p, m.uid, m.gid);
        if (m.mtime) await fs.lutimes(p, m.mtime, m.mtime);
        return;
      }
      const inode = fdPath(h.fd);
      if (m.uid !== undefined && m.gid !== undefined) await fs.chown(inode, m.uid, m.gid);
      if (m.mode !== undefined) await fs.chmod(inode, m.mode & 0o7777);
      if (m.mtime) await fs.utimes(inode, m.mtime, m.mtime);
    } finally {
      await h.close();
    }
  }

  /** Removes whatever is at a spot, a directory tree included, without following any symlink. */
  async removeAll(s: Spot): Promise<void> {
    const st = await fs.lstat(spotPath(s)).catch(() => undefined);
    if (!st) return;
    if (!st.isDirectory()) {
      await fs.unlink(spotPath(s));
      return;
    }
    const dir = await this.openDir(s.dir, s.name);
    try {
      for (const child of await fs.readdir(fdPath(dir.fd))) await this.removeAll({ dir, name: child, path: path.posix.join(dir.path, child) });
    } finally {
      await this.release(dir);
    }
    await fs.rmdir(spotPath(s));
  }

  /** Creates a new regular file at a free spot (never through a symlink, never over anything). */
  async createFile(s: Spot, mode: number): Promise<FileHandle> {
    return fs.open(spotPath(s), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode & 0o777);
  }

  /** Opens a regular file for reading; refuses anything else (a fifo swapped in cannot block: O_NONBLOCK). */
  async openFileForRead(s: Spot): Promise<{ handle: FileHandle; stat: Stats }> {
    const h = await fs.open(spotPath(s), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    this.handles.add(h); // so that close() releases it even when a reader was abandoned midway
    const st = await h.stat();
    if (!st.isFile()) {
      await this.closeFile(h);
      throw errno('EINVAL', `${s.path} is no longer a regular file`);
    }
    return { handle: h, stat: st };
  }

  async closeFile(h: FileHandle): Promise<void> {
    if (this.handles.delete(h)) await h.close().catch(() => undefined);
  }

  async readdir(dir: DirRef): Promise<string[]> {
    return (await fs.readdir(fdPath(dir.fd))).sort();
  }
}

/** NotFound-like errors of a walk, for "Could not find the file" answers. */
export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}
