import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errdefs/index.js';
import { getXattr, OPAQUE_XATTR } from '../snapshot/sys-calls.js';
import { MAX_SYMLINKS } from './context.js';

/**
 * A read-only view of an image's filesystem straight from its unpacked layer directories (top-most
 * first), without mounting: what overlayfs would show, whiteouts (char 0:0) and opaque directories
 * honoured. The builder reads it to resolve COPY destinations (symlinks followed inside the image, as
 * Docker does), to keep the metadata of existing parent directories, to look users up for --chown, and
 * as the source of COPY --from. Each path is walked one component at a time with lstat, so a symlink
 * inside a layer is never followed by the host: layers are immutable, so nothing can swap one meanwhile.
 */
export interface ViewEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  st: Stats;
  /** host path of the object in the layer that provides it */
  hostPath: string;
  linkname?: string;
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

export class LayeredFs {
  constructor(readonly layers: readonly string[]) {}

  /** The entry at an exact path (components, no links followed). */
  async lookup(comps: readonly string[]): Promise<ViewEntry | undefined> {
    if (comps.length === 0) {
      const top = this.layers[0];
      if (!top) return undefined;
      return { type: 'dir', st: await fs.lstat(top), hostPath: top };
    }
    for (const layer of this.layers) {
      let dir = layer;
      let blocked = false;
      let opaque = false;
      for (let i = 0; i < comps.length; i++) {
        const p = path.join(dir, comps[i]!);
        const st = await fs.lstat(p).catch(() => undefined);
        const last = i === comps.length - 1;
        if (!st) break;
        if (isWhiteout(st)) return undefined;
        if (last) {
          const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
          return { type, st, hostPath: p, ...(type === 'symlink' ? { linkname: await fs.readlink(p) } : {}) };
        }
        if (!st.isDirectory()) {
          blocked = true;
          break;
        }
        if (getXattr(p, OPAQUE_XATTR)?.toString() === 'y') opaque = true;
        dir = p;
      }
      if (blocked || opaque) return undefined;
    }
    return undefined;
  }

  /** Names in a directory of the merged view. */
  async readdir(comps: readonly string[]): Promise<string[]> {
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const layer of this.layers) {
      let dir = layer;
      let ok = true;
      for (const c of comps) {
        const p = path.join(dir, c);
        const st = await fs.lstat(p).catch(() => undefined);
        if (!st || !st.isDirectory()) {
          ok = false;
          if (st) return [...names].sort();
          break;
        }
        dir = p;
      }
      if (!ok) continue;
      for (const d of await fs.readdir(dir, { withFileTypes: true })) {
        if (names.has(d.name) || hidden.has(d.name)) continue;
        if (d.isCharacterDevice() && isWhiteout(await fs.lstat(path.join(dir, d.name)))) hidden.add(d.name);
        else names.add(d.name);
      }
      if (getXattr(dir, OPAQUE_XATTR)?.toString() === 'y') break;
    }
    return [...names].sort();
  }

  /**
   * Resolves a path inside the image (FollowSymlinkInScope): returns its components with every link
   * replaced by its target (the last one only when followLast), and the entry there if any.
   */
  async resolve(p: string, followLast = true): Promise<{ comps: string[]; entry?: ViewEntry }> {
    const todo = p.split('/').filter((c) => c && c !== '.');
    const done: string[] = [];
    let links = 0;
    let entry: ViewEntry | undefined;
    while (todo.length) {
      const c = todo.shift()!;
      if (c === '..') {
        done.pop();
        entry = undefined;
        continue;
      }
      const e = await this.lookup([...done, c]);
      if (e?.type === 'symlink' && (todo.length > 0 || followLast)) {
        if (++links > MAX_SYMLINKS) throw invalidArgument(`too many links while resolving ${p}`);
        const target = e.linkname ?? '';
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...target.split('/').filter((x) => x && x !== '.'));
        continue;
      }
      done.push(c);
      entry = e;
      if (!e && todo.length) {
        // the rest does not exist: no more links to follow
        done.push(...todo.filter((x) => x !== '..'));
        return { comps: path.posix.normalize('/' + done.join('/')).split('/').filter(Boolean) };
      }
    }
    if (done.length === 0) entry = await this.lookup([]);
    return { comps: done, ...(entry ? { entry } : {}) };
  }

  /** A file's bytes (the path resolved in the image); undefined when it is not a regular file. */
  async readFile(p: string): Promise<Buffer | undefined> {
    const { entry } = await this.resolve(p);
    if (entry?.type !== 'file') return undefined;
    return fs.readFile(entry.hostPath);
  }
}
