import { createHash } from 'node:crypto';
import path from 'node:path';
import { invalidArgument } from '../errdefs/index.js';
import { TarReader, type TarMember } from './context-tar.js';
import { IgnoreMatcher } from './dockerignore.js';

/**
 * The build context: the tar the client sent, held in memory as a tree of entries with the sha256 of
 * every file (what the cache compares), never written to the host filesystem as paths. A hostile tar
 * cannot reach outside: names are cleaned and refused when they climb out (`../x`), and an entry below a
 * symlink is refused, so the tree has no way through a link. Symlinks in the context are followed only
 * inside the context (scoped, as Docker's FollowSymlinkInScope), when a COPY source names them.
 *
 * Lifecycle: fromTar (whole context read before the first step, as the classic builder does) → lookups
 * by the steps → dropped with the build.
 */
export interface ContextEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkname?: string;
  data?: Buffer;
  /** sha256 hex of the content (files) */
  digest?: string;
}

export const MAX_SYMLINKS = 40;

export class BuildContext {
  readonly entries = new Map<string, ContextEntry>();
  private readonly children = new Map<string, Set<string>>();

  constructor() {
    this.entries.set('', { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0), size: 0 });
  }

  /** Reads a context tar (uncompressed) entirely, member by member as its chunks arrive. */
  static async fromTar(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<BuildContext> {
    const ctx = new BuildContext();
    const reader = new TarReader((m, data) => ctx.addTarEntry(m, data));
    for await (const c of chunks) reader.push(c);
    reader.end();
    ctx.index();
    return ctx;
  }

  /** A context holding one Dockerfile (the body was a plain Dockerfile, not a tar). */
  static withFile(name: string, data: Buffer): BuildContext {
    const ctx = new BuildContext();
    ctx.put(name, fileEntry(data, 0o644));
    ctx.index();
    return ctx;
  }

  private addTarEntry(h: TarMember, data: Buffer): void {
    const name = cleanName(h.name);
    if (name === null) throw invalidArgument(`invalid build context: entry ${JSON.stringify(h.name)} lies outside the context`);
    if (name === '') return;
    const base = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date(0) };
    switch (h.type) {
      case 'file':
        this.put(name, { ...base, type: 'file', size: data.length, data, digest: sha256hex(data) });
        break;
      case 'directory':
        this.put(name, { ...base, type: 'dir', size: 0 });
        break;
      case 'symlink':
        this.put(name, { ...base, type: 'symlink', size: 0, linkname: h.linkname ?? '' });
        break;
      case 'link': {
        const target = cleanName(h.linkname ?? '');
        const t = target === null ? undefined : this.entries.get(target);
        if (!t || t.type !== 'file') throw invalidArgument(`invalid build context: hard link ${name} to ${h.linkname} which is not a file of the context`);
        this.put(name, { ...t, ...base });
        break;
      }
      default:
        // devices, fifos, pax globals: nothing a build can copy
        break;
    }
  }

  private put(name: string, e: ContextEntry): void {
    // every parent must be a directory of the context (never a symlink: no way through a link)
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const have = this.entries.get(p);
      if (!have) this.entries.set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: e.mtime, size: 0 });
      else if (have.type !== 'dir') throw invalidArgument(`invalid build context: entry ${name} lies below ${p}, which is not a directory`);
    }
    const old = this.entries.get(name);
    if (old?.type === 'dir' && e.type !== 'dir') {
      for (const k of [...this.entries.keys()]) if (k.startsWith(name + '/')) this.entries.delete(k);
    }
    this.entries.set(name, e);
  }

  private index(): void {
    this.children.clear();
    for (const name of this.entries.keys()) {
      if (name === '') continue;
      const dir = parentOf(name);
      let set = this.children.get(dir);
      if (!set) this.children.set(dir, (set = new Set()));
      set.add(name.slice(dir ? dir.length + 1 : 0));
    }
  }

  /** Applies .dockerignore (the client should have, this makes sure); the Dockerfile is read before. */
  applyIgnore(matcher: IgnoreMatcher): void {
    if (matcher.empty) return;
    for (const name of [...this.entries.keys()]) {
      if (name !== '' && this.entries.has(name) && matcher.excludes(name)) {
        // a directory excluded but with a re-included child stays as the child's parent
        const e = this.entries.get(name)!;
        if (e.type === 'dir' && [...this.entries.keys()].some((k) => k.startsWith(name + '/') && !matcher.excludes(k))) continue;
        this.entries.delete(name);
      }
    }
    this.index();
  }

  remove(name: string): void {
    this.entries.delete(name);
    this.index();
  }

  list(dir: string): string[] {
    return [...(this.children.get(dir) ?? [])].sort();
  }

  /** The file's bytes when `name` (no links followed) is a file. */
  readFile(name: string): Buffer | undefined {
    const e = this.entries.get(name);
    return e?.type === 'file' ? e.data : undefined;
  }

  /**
   * A path resolved inside the context (FollowSymlinkInScope): `..` stops at the root, absolute link
   * targets start from the root. Returns the clean name; it may not exist. Throws when the path climbs
   * out of the context before any link is involved (`COPY ../x`), as the classic builder refuses it.
   */
  resolve(p: string, followLast = true): string {
    const raw = p.replace(/^\.\//, '');
    const lexical = path.posix.normalize(raw || '.');
    if (lexical === '..' || lexical.startsWith('../')) {
      throw invalidArgument(`forbidden path outside the build context: ${p} ()`);
    }
    const todo = lexical.split('/').filter((c) => c && c !== '.');
    const done: string[] = [];
    let links = 0;
    while (todo.length) {
      const c = todo.shift()!;
      if (c === '..') {
        done.pop();
        continue;
      }
      const name = [...done, c].join('/');
      const e = this.entries.get(name);
      if (e?.type === 'symlink' && (todo.length > 0 || followLast)) {
        if (++links > MAX_SYMLINKS) throw invalidArgument(`too many links while resolving ${p} in the build context`);
        const target = e.linkname ?? '';
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...target.split('/').filter((x) => x && x !== '.'));
        continue;
      }
      done.push(c);
    }
    return done.join('/');
  }

  get(name: string): ContextEntry | undefined {
    return this.entries.get(name);
  }

  /** Every name below a directory (recursively), sorted. */
  walk(dir: string): string[] {
    const out: string[] = [];
    const rec = (d: string) => {
      for (const c of this.list(d)) {
        const n = d ? `${d}/${c}` : c;
        out.push(n);
        if (this.entries.get(n)?.type === 'dir') rec(n);
      }
    };
    rec(dir);
    return out;
  }
}

function fileEntry(data: Buffer, mode: number): ContextEntry {
  return { type: 'file', mode, uid: 0, gid: 0, mtime: new Date(0), size: data.length, data, digest: sha256hex(data) };
}

export function sha256hex(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export function parentOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

/** A tar member name made relative and clean; null when it climbs out. */
export function cleanName(n: string): string | null {
  const norm = path.posix.normalize('/' + n);
  const lexical = path.posix.normalize(n.replace(/^\/+/, '') || '.');
  if (lexical === '..' || lexical.startsWith('../')) return null;
  return norm.replace(/^\/+/, '').replace(/\/+$/, '');
}
