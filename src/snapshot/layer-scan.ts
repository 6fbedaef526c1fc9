import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError, invalidArgument } from '../errdefs/index.js';
import { joinComponents, memberComponents } from './member-path.js';

/** An OCI whiteout found in a layer: `<dir>/.wh.<name>` hides `<dir>/<name>` of the layers below. */
export interface Whiteout {
  dir: string;
  name: string;
  uid: number;
  gid: number;
}

/** What a validating pass over a layer tar learnt; nothing is written to disk by the scan. */
export interface LayerScan {
  /** sha256 of the uncompressed tar stream */
  diffId: string;
  /** sum of regular file sizes, as Docker reports a layer's size */
  size: number;
  entries: number;
  whiteouts: Whiteout[];
  /** directories (layer-relative, "" = root) holding `.wh..wh..opq` */
  opaqueDirs: string[];
  /** other `.wh..wh.*` aufs metadata files, removed after extraction */
  metaFiles: string[];
  /** directory mtimes from the tar, restored after whiteouts are rewritten */
  dirMtimes: Map<string, Date>;
}

type Kind = 'dir' | 'symlink' | 'other';
const WH_PREFIX = '.wh.';
const WH_META_PREFIX = '.wh..wh.';
const WH_OPAQUE = '.wh..wh..opq';

function refuse(name: string, why: string): Error {
  return invalidArgument(`refusing hostile layer: tar member ${JSON.stringify(name)} ${why}`);
}

/**
 * Reads an uncompressed layer tar once: hashes it (diff ID), sums file sizes, collects whiteouts, and
 * refuses hostile members with InvalidArgument before anything is extracted:
 * `..` components, writes through a symlink of the same layer (`evil -> /x` then `evil/pwned`), a
 * directory over a symlink, and hard links to anything not extracted earlier in this layer.
 * Absolute names are confined (the leading "/" is dropped, as GNU tar does).
 */
export async function scanLayer(uncompressed: Readable, opts: { hash?: boolean } = {}): Promise<LayerScan> {
  // hash: false when the same bytes are hashed elsewhere (the content store verifying the diff ID): diffId stays ''
  const hash = opts.hash === false ? undefined : createHash('sha256');
  const hasher = hash
    ? new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      })
    : undefined;
  const scan: LayerScan = { diffId: '', size: 0, entries: 0, whiteouts: [], opaqueDirs: [], metaFiles: [], dirMtimes: new Map() };
  const kinds = new Map<string, Kind>();
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    body.on('error', () => undefined); // the extract's own error carries the reason
    try {
      visit(header, scan, kinds);
    } catch (err) {
      body.resume();
      next(err as Error);
      return;
    }
    body.on('end', () => next());
    body.resume();
  });
  // tar-stream skips zero blocks, so the whole stream (padding included) goes through the hash.
  try {
    await (hasher ? pipeline(uncompressed, hasher, extract) : pipeline(uncompressed, extract));
  } catch (err) {
    // tar-stream's and zlib's own errors mean the archive is not a (valid) tar
    if (err instanceof EngineError) throw err;
    throw invalidArgument(`invalid layer tar: ${(err as Error).message}`);
  }
  if (hash) scan.diffId = 'sha256:' + hash.digest('hex');
  return scan;
}

function visit(header: tar.Header, scan: LayerScan, kinds: Map<string, Kind>): void {
  const name = header.name;
  const parts = memberComponents(name);
  const path = joinComponents(parts);
  for (let i = 1; i < parts.length; i++) {
    const kind = kinds.get(joinComponents(parts.slice(0, i)));
    if (kind === 'symlink') throw refuse(name, 'is written through a symlink');
    if (kind === 'other') throw refuse(name, 'is below a non-directory');
  }
  // tar-stream gives null for typeflags it does not know (GNU sparse, volume labels…): refused below
  const type = header.type ?? 'unknown';
  // Only regular files carry data; any other size is where two tar parsers could disagree.
  if (type !== 'file' && type !== 'contiguous-file' && (header.size ?? 0) !== 0) throw refuse(name, `of type ${type} has data`);
  scan.entries++;
  switch (type) {
    case 'directory':
      if (kinds.get(path) === 'symlink') throw refuse(name, 'replaces a symlink with a directory');
      kinds.set(path, 'dir');
      if (header.mtime) scan.dirMtimes.set(path, header.mtime);
      break;
    case 'symlink':
      if (parts.length === 0) throw refuse(name, 'replaces the layer root');
      kinds.set(path, 'symlink');
      break;
    case 'link': {
      const target = memberComponents(header.linkname ?? '');
      for (let i = 1; i <= target.length; i++) {
        const kind = kinds.get(joinComponents(target.slice(0, i)));
        if (i < target.length && kind !== 'dir') throw refuse(name, `links through ${JSON.stringify(header.linkname)}`);
        if (i === target.length && (kind === undefined || kind === 'dir')) throw refuse(name, `links to ${JSON.stringify(header.linkname)} outside the layer`);
      }
      if (parts.length === 0) throw refuse(name, 'replaces the layer root');
      kinds.set(path, 'other');
      break;
    }
    case 'file':
    case 'contiguous-file':
    case 'character-device':
    case 'block-device':
    case 'fifo':
      if (parts.length === 0) throw refuse(name, 'replaces the layer root');
      if (type === 'file' || type === 'contiguous-file') scan.size += header.size ?? 0;
      kinds.set(path, 'other');
      break;
    default:
      throw refuse(name, `has unsupported type ${String(type)}`);
  }
  const base = parts[parts.length - 1] ?? '';
  if (!base.startsWith(WH_PREFIX)) return;
  const dir = joinComponents(parts.slice(0, -1));
  if (base === WH_OPAQUE) scan.opaqueDirs.push(dir);
  else if (base.startsWith(WH_META_PREFIX)) scan.metaFiles.push(path);
  else {
    const hidden = base.slice(WH_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw refuse(name, 'is an invalid whiteout');
    scan.whiteouts.push({ dir, name: hidden, uid: header.uid ?? 0, gid: header.gid ?? 0 });
  }
}
