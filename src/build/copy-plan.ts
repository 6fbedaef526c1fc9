import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { invalidArgument, notFound } from '../errdefs/index.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from '../snapshot/tar-writer.js';
import { BuildContext, cleanName, sha256hex } from './context.js';
import type { LayeredFs } from './layered-fs.js';

/**
 * COPY and ADD as a layer tar made directly from their sources, never by writing into a mounted root:
 * the tar holds the destination's parent directories (with the image's own metadata where they exist,
 * so the layer changes nothing about them) and the copied objects; the layer store then unpacks it with
 * its hostile-archive checks into a fresh directory. The destination is resolved through the image's
 * symlinks inside the image (layered-fs.ts), sources through the context's inside the context.
 *
 * The plan also yields the step's cache identity: a digest over every copied object's name, type, mode,
 * owner, link target and content digest (not mtimes, as Docker's tarsum), named `file:`, `dir:` or `multi:`.
 */
export interface SourceNode {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkname?: string;
  digest?: string;
  read(): Promise<Buffer>;
}

/** Where COPY reads from: the build context, or an image (`--from`). */
export interface SourceTree {
  /** a clean name inside the tree ('' is the root); throws for a path out of the context */
  resolve(p: string): Promise<string>;
  stat(name: string): Promise<SourceNode | undefined>;
  list(name: string): Promise<string[]>;
}

export function contextTree(ctx: BuildContext): SourceTree {
  return {
    resolve: async (p) => ctx.resolve(p),
    stat: async (name) => {
      const e = ctx.get(name);
      if (!e) return undefined;
      return { ...e, read: async () => e.data ?? Buffer.alloc(0) };
    },
    list: async (name) => ctx.list(name),
  };
}

export function imageTree(view: LayeredFs): SourceTree {
  return {
    resolve: async (p) => (await view.resolve(p)).comps.join('/'),
    stat: async (name) => {
      const e = await view.lookup(name ? name.split('/') : []);
      if (!e || e.type === 'other') return undefined;
      const st = e.st;
      const node: SourceNode = { type: e.type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: e.type === 'file' ? st.size : 0, read: () => import('node:fs/promises').then((f) => f.readFile(e.hostPath)) };
      if (e.linkname !== undefined) node.linkname = e.linkname;
      if (e.type === 'file') node.digest = sha256hex(await node.read());
      return node;
    },
    list: (name) => view.readdir(name ? name.split('/') : []),
  };
}

export interface CopyRequest {
  sources: string[];
  /** absolute destination (WORKDIR applied); a trailing '/' kept */
  dest: string;
  tree: SourceTree;
  /** the image the step runs on */
  image: LayeredFs;
  chown?: { uid: number; gid: number };
  chmod?: number;
  /** ADD: local archives are extracted; URLs refused */
  add: boolean;
  instruction: 'COPY' | 'ADD';
  /** heredoc files (COPY <<EOF): name → content */
  inline?: Map<string, Buffer>;
}

interface Member {
  header: TarHeader;
  data?: () => Promise<Buffer>;
}

export interface CopyPlan {
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`: what the cache compares */
  identity: string;
  /** the layer tar */
  tar(): Readable;
  /** number of objects copied */
  count: number;
}

const GLOB = /[*?[]/;

export async function planCopy(req: CopyRequest): Promise<CopyPlan> {
  const hash = createHash('sha256');
  const members = new Map<string, Member>();
  const destIsDirSyntax = req.dest.endsWith('/') || req.dest.endsWith('/.');
  // expand globs, resolve sources
  const items: Array<{ name: string; node: SourceNode; src: string } | { inline: string; data: Buffer }> = [];
  for (const src of req.sources) {
    if (req.inline?.has(src)) {
      items.push({ inline: src, data: req.inline.get(src)! });
      continue;
    }
    if (/^https?:\/\//i.test(src)) {
      if (req.add) throw invalidArgument(`ADD failed: cannot fetch ${src}: berth builds without network access; download the file into the build context and ADD it from there`);
      throw invalidArgument(`COPY failed: source can't be a URL for COPY: ${src}`);
    }
    const names = GLOB.test(src) ? await glob(req.tree, src) : [await req.tree.resolve(src)];
    let found = false;
    for (const name of names) {
      const node = await req.tree.stat(name);
      if (!node) continue;
      found = true;
      items.push({ name, node, src });
    }
    if (!found) {
      throw notFound(`${req.instruction} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
    }
  }
  if (items.length > 1 && !destIsDirSyntax) {
    throw invalidArgument(`When using ${req.instruction} with more than one source file, the destination must be a directory and end with a /`);
  }
  const { comps: destComps, entry: destEntry } = await req.image.resolve(req.dest);
  const destIsDir = destIsDirSyntax || destEntry?.type === 'dir';
  const owner = req.chown;
  const now = new Date();
  // the parent directories of what is written, with the image's metadata where they exist
  const ensureDir = async (comps: string[], fresh?: { mode: number; mtime: Date }) => {
    for (let i = 1; i <= comps.length; i++) {
      const name = comps.slice(0, i).join('/');
      if (members.has(name)) continue;
      const e = await req.image.lookup(comps.slice(0, i));
      if (e?.type === 'dir') {
        members.set(name, { header: { name, type: 'directory', mode: e.st.mode & 0o7777, uid: e.st.uid, gid: e.st.gid, mtime: e.st.mtime, size: 0 } });
      } else {
        const isLast = i === comps.length;
        members.set(name, { header: { name, type: 'directory', mode: isLast && fresh ? fresh.mode : 0o755, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mtime: isLast && fresh ? fresh.mtime : now, size: 0 } });
      }
    }
  };
  const put = (name: string, node: SourceNode, asDir: boolean) => {
    const mode = req.chmod ?? node.mode;
    const base = { name, mode, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mtime: node.mtime, size: 0 };
    if (asDir) members.set(name, { header: { ...base, type: 'directory' } });
    else if (node.type === 'symlink') members.set(name, { header: { ...base, mode: 0o777, type: 'symlink', linkname: node.linkname ?? '' } });
    else members.set(name, { header: { ...base, type: 'file', size: node.size }, data: () => node.read() });
  };
  const record = (rel: string, node: SourceNode) => {
    hash.update(`${rel}\0${node.type}\0${(req.chmod ?? node.mode).toString(8)}\0${owner ? `${owner.uid}:${owner.gid}` : ''}\0${node.linkname ?? ''}\0${node.digest ?? ''}\n`);
  };
  let kind: 'file' | 'dir' | 'multi' = items.length > 1 ? 'multi' : 'file';
  let count = 0;
  for (const item of items) {
    if ('inline' in item) {
      const target = destIsDir ? [...destComps, item.inline] : destComps;
      await ensureDir(target.slice(0, -1));
      const node: SourceNode = { type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: now, size: item.data.length, digest: sha256hex(item.data), read: async () => item.data };
      record(item.inline, node);
      put(target.join('/'), node, false);
      count++;
      continue;
    }
    const { name, node } = item;
    if (node.type === 'dir') {
      if (items.length === 1) kind = 'dir';
      // a directory's contents go into the destination, not the directory itself
      await ensureDir(destComps, { mode: req.chmod ?? node.mode, mtime: node.mtime });
      record('.', node);
      await walk(req.tree, name, async (rel, child) => {
        record(rel, child);
        const target = [...destComps, ...rel.split('/')].join('/');
        put(target, child, child.type === 'dir');
        count++;
      });
      continue;
    }
    const base = name.split('/').pop() ?? name;
    if (req.add && node.type === 'file' && (await isArchive(node))) {
      record(base, node);
      await ensureDir(destComps);
      count += await extractArchive(await node.read(), destComps, members, owner);
      continue;
    }
    const target = destIsDir ? [...destComps, base] : destComps;
    if (target.length === 0) throw invalidArgument(`${req.instruction} failed: cannot copy ${item.src} over the root directory`);
    await ensureDir(target.slice(0, -1));
    record(base, node);
    put(target.join('/'), node, false);
    count++;
  }
  const identity = `${kind}:${hash.digest('hex')}`;
  return {
    identity,
    count,
    tar: () => Readable.from(generate([...members.values()])),
  };
}

async function* generate(members: Member[]): AsyncGenerator<Buffer> {
  members.sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));
  for (const m of members) {
    if (m.data) {
      const data = await m.data();
      yield encodeHeader({ ...m.header, size: data.length });
      yield data;
      yield padding(data.length);
    } else yield encodeHeader(m.header);
  }
  yield END_OF_ARCHIVE;
}

async function walk(tree: SourceTree, dir: string, fn: (rel: string, node: SourceNode) => Promise<void>, prefix = ''): Promise<void> {
  for (const c of await tree.list(dir)) {
    const name = dir ? `${dir}/${c}` : c;
    const node = await tree.stat(name);
    if (!node) continue;
    const rel = prefix ? `${prefix}/${c}` : c;
    await fn(rel, node);
    if (node.type === 'dir') await walk(tree, name, fn, rel);
  }
}

/** Go's filepath.Match over each path element; no links followed. */
async function glob(tree: SourceTree, pattern: string): Promise<string[]> {
  const comps = path.posix.normalize(pattern).split('/').filter((c) => c && c !== '.');
  if (comps[0] === '..') throw invalidArgument(`forbidden path outside the build context: ${pattern} ()`);
  let current = [''];
  for (const c of comps) {
    const next: string[] = [];
    const re = GLOB.test(c) ? globRe(c) : undefined;
    for (const dir of current) {
      if (!re) {
        const n = dir ? `${dir}/${c}` : c;
        if (await tree.stat(n)) next.push(n);
        continue;
      }
      for (const child of await tree.list(dir)) if (re.test(child)) next.push(dir ? `${dir}/${child}` : child);
    }
    current = next;
  }
  return current.filter((n) => n !== '');
}

function globRe(p: string): RegExp {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) throw invalidArgument(`syntax error in pattern: ${p}`);
      let cls = p.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      out += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < p.length) out += '\\' + p[++i];
    else out += /[.+^${}()|\]]/.test(c) ? '\\' + c : c;
  }
  return new RegExp(`^${out}$`);
}

// ------------------------------------------------------------------ ADD of a local archive

async function isArchive(node: SourceNode): Promise<boolean> {
  if (node.size < 6) return false;
  const b = await node.read();
  if (b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.subarray(0, 3).toString() === 'BZh') return true;
  if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  return b.length > 262 && b.subarray(257, 262).toString() === 'ustar';
}

function decompress(b: Buffer): Buffer {
  if (b[0] === 0x1f && b[1] === 0x8b) return gunzipSync(b);
  const tool = b.subarray(0, 3).toString() === 'BZh' ? 'bzip2' : b[0] === 0xfd ? 'xz' : undefined;
  if (!tool) return b;
  const r = spawnSync(tool, ['-dc'], { input: b, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw invalidArgument(`ADD failed: cannot decompress archive with ${tool}: ${r.stderr?.toString() ?? r.error?.message}`);
  return r.stdout;
}

async function extractArchive(raw: Buffer, destComps: string[], members: Map<string, Member>, owner?: { uid: number; gid: number }): Promise<number> {
  const data = decompress(raw);
  const extract = tar.extract();
  let count = 0;
  const destName = destComps.join('/');
  const under = (n: string) => (destName ? `${destName}/${n}` : n);
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        const rel = cleanName(h.name);
        if (rel === null) {
          reject(invalidArgument(`ADD failed: archive entry ${JSON.stringify(h.name)} is outside of the destination`));
          extract.destroy();
          return;
        }
        if (rel !== '') {
          const name = under(rel);
          const ids = { uid: owner?.uid ?? h.uid ?? 0, gid: owner?.gid ?? h.gid ?? 0 };
          const base = { name, mode: (h.mode ?? 0o644) & 0o7777, mtime: h.mtime ?? new Date(0), size: 0, ...ids };
          const content = Buffer.concat(chunks);
          if (h.type === 'directory') members.set(name, { header: { ...base, type: 'directory' } });
          else if (h.type === 'symlink') members.set(name, { header: { ...base, type: 'symlink', linkname: h.linkname ?? '' } });
          else if (h.type === 'link') {
            const t = cleanName(h.linkname ?? '');
            if (t === null) {
              reject(invalidArgument(`ADD failed: archive hard link ${JSON.stringify(h.linkname)} is outside of the destination`));
              extract.destroy();
              return;
            }
            members.set(name, { header: { ...base, type: 'link', linkname: under(t) } });
          } else if (h.type === 'file' || h.type === 'contiguous-file') members.set(name, { header: { ...base, type: 'file', size: content.length }, data: async () => content });
          // parents the archive leaves implicit
          const parts = name.split('/');
          for (let i = destComps.length + 1; i < parts.length; i++) {
            const p = parts.slice(0, i).join('/');
            if (!members.has(p)) members.set(p, { header: { ...base, name: p, type: 'directory', mode: 0o755 } });
          }
          count++;
        }
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (e) => reject(invalidArgument(`ADD failed: invalid archive: ${e.message}`)));
    extract.end(data);
  });
  return count;
}

/** WORKDIR's layer: the directory and its parents (existing ones with their own metadata). */
export function dirLayer(view: LayeredFs, comps: string[]): Readable {
  return Readable.from(
    (async function* () {
      const members: Member[] = [];
      for (let i = 1; i <= comps.length; i++) {
        const name = comps.slice(0, i).join('/');
        const e = await view.lookup(comps.slice(0, i));
        if (e?.type === 'dir') members.push({ header: { name, type: 'directory', mode: e.st.mode & 0o7777, uid: e.st.uid, gid: e.st.gid, mtime: e.st.mtime, size: 0 } });
        else members.push({ header: { name, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(), size: 0 } });
      }
      yield* generate(members);
    })(),
  );
}
