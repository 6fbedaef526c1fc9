import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ContentStore } from '../content/index.js';
import { EngineError, invalidArgument } from '../errdefs/index.js';

const SPOOL_PREFIX = 'load-';

/** Removes spool dirs a crash left in <data-root>/tmp. Call before any load starts. */
export async function removeStaleSpools(dataRoot: string): Promise<void> {
  const tmp = path.join(dataRoot, 'tmp');
  let names: string[] = [];
  try {
    names = await fs.readdir(tmp);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(SPOOL_PREFIX)) await fs.rm(path.join(tmp, n), { recursive: true, force: true });
}

/** A file of an image archive after spooling: in the content store (blobs/sha256/…) or a temp file. */
export interface SpooledFile {
  /** path on disk to read it from */
  file: string;
  digest: string;
  size: number;
}

/**
 * The files of a `docker load` archive, spooled as the tar streams by: entries named
 * blobs/sha256/<hex> go straight into the content store (which verifies the digest in their name); all
 * others go to temp files in <data-root>/tmp/<dir>. Nothing is held in memory. Symlinks and hard links
 * between members (old `docker save` output links duplicate layer.tar files) are followed on lookup.
 */
export class ArchiveSpool {
  private readonly files = new Map<string, SpooledFile>();
  private readonly links = new Map<string, string>();
  /** blobs this load added to the content store (to drop again when no image keeps them) */
  readonly createdBlobs = new Set<string>();
  private count = 0;

  private constructor(
    private readonly dir: string,
    private readonly content: ContentStore,
  ) {}

  static async create(dataRoot: string, content: ContentStore): Promise<ArchiveSpool> {
    const dir = path.join(dataRoot, 'tmp', `${SPOOL_PREFIX}${randomBytes(8).toString('hex')}`);
    await fs.mkdir(dir, { recursive: true });
    return new ArchiveSpool(dir, content);
  }

  async read(plainTar: Readable): Promise<void> {
    const extract = tar.extract();
    const done = pipeline(plainTar, extract);
    done.catch(() => undefined); // awaited below on success; on failure the loop's error is the one to report
    try {
      for await (const entry of extract) {
        const name = normalise(entry.header.name);
        const type = entry.header.type ?? 'file';
        if (type === 'file' || type === 'contiguous-file') await this.spool(name, Readable.from(entry), entry.header.size);
        else if (type === 'symlink') this.links.set(name, normalise(path.posix.join(path.posix.dirname(name), entry.header.linkname ?? '')));
        else if (type === 'link') this.links.set(name, normalise(entry.header.linkname ?? ''));
        entry.resume();
      }
    } catch (err) {
      plainTar.destroy();
      throw asArchiveError(err);
    }
    await done.catch((err: unknown) => {
      throw asArchiveError(err);
    });
  }

  private async spool(name: string, body: Readable, size: number | undefined): Promise<void> {
    const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (blob) {
      const r = await this.content.ingest(body, { digest: `sha256:${blob[1]}`, size });
      if (r.created) this.createdBlobs.add(r.digest);
      this.files.set(name, { file: this.content.blobPath(r.digest), digest: r.digest, size: r.size });
      return;
    }
    const file = path.join(this.dir, String(this.count++));
    const hash = createHash('sha256');
    let n = 0;
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          n += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(file),
    );
    this.files.set(name, { file, digest: 'sha256:' + hash.digest('hex'), size: n });
  }

  /** A member by name (following links), or undefined. */
  get(name: string): SpooledFile | undefined {
    let n = normalise(name);
    for (let hops = 0; hops < 16; hops++) {
      const f = this.files.get(n);
      if (f) return f;
      const next = this.links.get(n);
      if (next === undefined) return undefined;
      n = next;
    }
    return undefined;
  }

  /** A member by name, else InvalidArgument naming it. */
  require(name: string): SpooledFile {
    const f = this.get(name);
    if (!f) throw invalidArgument(`invalid archive: ${name} is missing`);
    return f;
  }

  async json<T>(name: string): Promise<T | undefined> {
    const f = this.get(name);
    if (!f) return undefined;
    try {
      return JSON.parse(await fs.readFile(f.file, 'utf8')) as T;
    } catch {
      throw invalidArgument(`invalid archive: ${name} is not valid JSON`);
    }
  }

  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

function normalise(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalidArgument(`invalid archive: member ${JSON.stringify(name)} contains '..'`);
  return parts.join('/');
}

/** tar-stream's and zlib's errors mean the input is no valid archive. */
function asArchiveError(err: unknown): Error {
  if (err instanceof EngineError) return err;
  return invalidArgument(`invalid archive: ${(err as Error).message}`);
}
