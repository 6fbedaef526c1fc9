import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '../errdefs/index.js';
import { fsyncDir, isDigest } from '../util/index.js';
import type { ContentStore, IngestResult } from './content-store.js';
import { sha256Stream } from './sha256-stream.js';

/** Creates the store under <dataRoot>/content (directories are made on first use). */
export function createContentStore(opts: { dataRoot: string }): ContentStore {
  return new LocalContentStore(path.join(opts.dataRoot, 'content'));
}

function checkDigest(digest: string): string {
  if (!isDigest(digest)) throw invalidArgument(`invalid digest: ${digest}`);
  return digest.slice(7);
}

class LocalContentStore implements ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;
  private dirsReady?: Promise<void>;

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs', 'sha256');
    this.ingestDir = path.join(root, 'ingest');
  }

  blobPath(digest: string): string {
    return path.join(this.blobDir, checkDigest(digest));
  }

  private ensureDirs(): Promise<void> {
    this.dirsReady ??= (async () => {
      await fs.mkdir(this.blobDir, { recursive: true });
      // Before this process's first ingest: whatever is in ingest/ was left by a crash.
      await fs.rm(this.ingestDir, { recursive: true, force: true });
      await fs.mkdir(this.ingestDir, { recursive: true });
    })();
    return this.dirsReady;
  }

  async ingest(src: Readable, expected: { digest?: string; size?: number; beforeCommit?: () => Promise<void> } = {}): Promise<IngestResult> {
    if (expected.digest !== undefined) checkDigest(expected.digest);
    await this.ensureDirs();
    const tmp = path.join(this.ingestDir, randomBytes(12).toString('hex'));
    const hash = sha256Stream();
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        // Stop early when the stream is already longer than announced.
        if (expected.size !== undefined && size > expected.size) return cb(sizeMismatch(expected.size, size));
        const wait = hash.update(chunk);
        if (wait) wait.then(() => cb(null, chunk), cb);
        else cb(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { mode: 0o644, flags: 'wx' });
      await pipeline(src, counter, out).catch((err: Error) => {
        hash.abort();
        throw err;
      });
      const digest = await hash.digest();
      if (expected.size !== undefined && size !== expected.size) throw sizeMismatch(expected.size, size);
      if (expected.digest !== undefined && digest !== expected.digest) {
        throw invalidArgument(`digest mismatch: expected ${expected.digest}, got ${digest}`);
      }
      await expected.beforeCommit?.();
      const fh = await fs.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      let created = true;
      try {
        // link(2) is atomic and fails if another ingest committed the same digest first.
        await fs.link(tmp, this.blobPath(digest));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        created = false;
      }
      if (created) await fsyncDir(this.blobDir);
      return { digest, size, created };
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async has(digest: string): Promise<boolean> {
    try {
      await fs.access(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await fs.stat(this.blobPath(digest))).size;
    } catch (err) {
      throw missing(err, digest);
    }
  }

  async get(digest: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.blobPath(digest));
    } catch (err) {
      throw missing(err, digest);
    }
  }

  async readStream(digest: string): Promise<Readable> {
    const file = this.blobPath(digest);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, 'r');
    } catch (err) {
      throw missing(err, digest);
    }
    return fh.createReadStream();
  }

  async delete(digest: string): Promise<boolean> {
    try {
      await fs.unlink(this.blobPath(digest));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await fs.readdir(this.blobDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => 'sha256:' + n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

function sizeMismatch(want: number, got: number): Error {
  return invalidArgument(`size mismatch: expected ${want} bytes, got ${got}`);
}

function missing(err: unknown, digest: string): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound(`content ${digest}: not found`);
  return err as Error;
}
