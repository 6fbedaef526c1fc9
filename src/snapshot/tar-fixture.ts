import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

/** A tar member for test fixtures; `pax` records are written as given (e.g. SCHILY.xattr.user.foo). */
export interface FixtureEntry {
  name: string;
  type?: tar.Header['type'];
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** Builds a tar (optionally gzip) in memory from fixture entries; for tests only. */
export async function buildTar(entries: FixtureEntry[], opts: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    const src = (opts.gzip ? pack.pipe(createGzip()) : pack) as unknown as Readable;
    for await (const c of src) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? (e.content !== undefined ? 'file' : 'file');
    const body = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? new Date(1_600_000_000_000),
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      size: type === 'file' ? body.length : 0,
      pax: e.pax,
    } as tar.Header;
    await new Promise<void>((resolve, reject) => {
      if (type === 'file') pack.entry(header, body, (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function writeTar(file: string, entries: FixtureEntry[], opts: { gzip?: boolean } = {}): Promise<void> {
  await pipeline(Readable.from([await buildTar(entries, opts)]), createWriteStream(file));
}
