import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../errdefs/index.js';
import { atomicWriteJson, hexOf, isDigest, readJsonIfExists } from '../util/index.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { LayerScan } from './layer-scan.js';
import { extractTarStream, finishUnpack, unpackLayer } from './layer-unpack.js';

/** An unpacked layer. */
export interface LayerInfo {
  chainId: string;
  diffId: string;
  /** sum of its regular files' sizes */
  size: number;
}

/**
 * Unpacked layers, shared read-only by every image and container that stacks them.
 *
 * Layout: <data-root>/layers/<chain-id-hex>/{diff/, layer.json}. A layer is built in
 * <data-root>/layers/.tmp-<random>/ and renamed into place only when complete, so a crash never leaves a
 * half layer that looks complete; removal renames it away first for the same reason.
 */
export interface LayerStore {
  /** The directory used as an overlay lowerdir. */
  diffDir(chainId: string): string;
  /** The layer's info when it is unpacked, else undefined. */
  get(chainId: string): Promise<LayerInfo | undefined>;
  /**
   * Unpacks `archive` (plain or gzip tar) as `chainId` unless it is already there. When `expectedDiffId`
   * is given and the tar's digest differs, throws InvalidArgument and keeps nothing.
   */
  ensure(chainId: string, archive: string, expectedDiffId?: string): Promise<LayerInfo>;
  /**
   * Unpacks an uncompressed layer tar arriving as a stream (a pull), while the same bytes are scanned and
   * verified elsewhere: `verdict` gives that scan (with the verified diff ID) or fails. `extracted` settles
   * when GNU tar is done with the stream (a failure there must end the stream's producer); `done` when the
   * layer is in place, which is only after a good verdict. Already there: the stream is drained.
   */
  unpackStream(chainId: string, tar: Readable, verdict: Promise<LayerScan>): { extracted: Promise<void>; done: Promise<LayerInfo> };
  remove(chainId: string): Promise<void>;
  list(): Promise<string[]>;
}

export function createLayerStore(opts: { dataRoot: string }): LayerStore {
  return new DirLayerStore(path.join(opts.dataRoot, 'layers'));
}

class DirLayerStore implements LayerStore {
  private readonly lock = new KeyedMutex();
  private cleaned?: Promise<void>;
  constructor(private readonly root: string) {}

  private layerDir(chainId: string): string {
    if (!isDigest(chainId)) throw invalidArgument(`invalid chain ID: ${chainId}`);
    return path.join(this.root, hexOf(chainId));
  }

  diffDir(chainId: string): string {
    return path.join(this.layerDir(chainId), 'diff');
  }

  async get(chainId: string): Promise<LayerInfo | undefined> {
    return readJsonIfExists<LayerInfo>(path.join(this.layerDir(chainId), 'layer.json'));
  }

  /** Leftovers of a crash: temp and half-deleted layers. */
  private cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      await fs.mkdir(this.root, { recursive: true });
      for (const name of await fs.readdir(this.root)) {
        if (name.startsWith('.tmp-') || name.startsWith('.del-')) await fs.rm(path.join(this.root, name), { recursive: true, force: true });
      }
    })();
    return this.cleaned;
  }

  ensure(chainId: string, archive: string, expectedDiffId?: string): Promise<LayerInfo> {
    return this.lock.run(chainId, async () => {
      const have = await this.get(chainId);
      if (have) return have;
      return this.build(chainId, async (diff) => {
        const scan = await unpackLayer(archive, diff);
        if (expectedDiffId !== undefined && scan.diffId !== expectedDiffId) {
          throw invalidArgument(`digest mismatch: layer diff ID is ${scan.diffId}, expected ${expectedDiffId}`);
        }
        return scan;
      });
    });
  }

  unpackStream(chainId: string, tar: Readable, verdict: Promise<LayerScan>): { extracted: Promise<void>; done: Promise<LayerInfo> } {
    let extractedSettle!: { resolve: () => void; reject: (err: unknown) => void };
    const extracted = new Promise<void>((resolve, reject) => (extractedSettle = { resolve, reject }));
    verdict.catch(() => undefined);
    extracted.catch(() => undefined);
    const done = this.lock.run(chainId, async () => {
      const have = await this.get(chainId);
      if (have) {
        tar.resume();
        extractedSettle.resolve();
        await verdict;
        return have;
      }
      return this.build(chainId, async (diff) => {
        const extraction = extractTarStream(tar, diff);
        extraction.then(extractedSettle.resolve, extractedSettle.reject);
        // both settle before the temp dir goes; the verdict's failure is the one to tell
        const [ex, v] = await Promise.allSettled([extraction, verdict]);
        if (v.status === 'rejected') throw v.reason;
        // GNU tar refuses a stream with no archive at all; the scan called it an empty layer
        if (ex.status === 'rejected' && v.value.entries > 0) throw ex.reason;
        await finishUnpack(diff, v.value);
        return v.value;
      });
    });
    // a failure before the extraction started (the lock holder, mkdir) must end the stream's producer too
    done.catch((err: unknown) => extractedSettle.reject(err));
    return { extracted, done };
  }

  /**
   * A layer is filled into a fresh temp dir (`fill` gets its diff/ and answers the diff ID and size), then
   * layer.json is written and the dir renamed into place; on any failure the temp dir goes.
   */
  private async build(chainId: string, fill: (diff: string) => Promise<{ diffId: string; size: number }>): Promise<LayerInfo> {
    await this.cleanup();
    const tmp = path.join(this.root, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      const diff = path.join(tmp, 'diff');
      await fs.mkdir(diff, { recursive: true, mode: 0o755 });
      const { diffId, size } = await fill(diff);
      return await this.commit(tmp, { chainId, diffId, size });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }

  /** Writes layer.json into a finished temp dir and renames it into place (another process's copy wins). */
  private async commit(tmp: string, info: LayerInfo): Promise<LayerInfo> {
    await atomicWriteJson(path.join(tmp, 'layer.json'), info);
    try {
      await fs.rename(tmp, this.layerDir(info.chainId));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process finished the same layer first: keep theirs.
    }
    return (await this.get(info.chainId)) ?? info;
  }

  remove(chainId: string): Promise<void> {
    return this.lock.run(chainId, async () => {
      const dir = this.layerDir(chainId);
      const gone = path.join(this.root, `.del-${randomBytes(8).toString('hex')}`);
      try {
        await fs.rename(dir, gone);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      await fs.rm(gone, { recursive: true, force: true });
    });
  }

  async list(): Promise<string[]> {
    try {
      return (await fs.readdir(this.root)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => 'sha256:' + n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
