import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ContentStore } from '../content/index.js';
import type { LayerStore } from '../snapshot/index.js';

/**
 * Content and layers no image names: what a pull that failed half-way leaves behind (the layers it
 * completed stay so that the next pull of the image skips them), and layers a container kept after its
 * image was force-removed, once that container is gone too.
 *
 * Kept: blobs named by an image (its config, its layers' diff IDs), layers named by an image (chain IDs)
 * or stacked by a container (`dirsInUse`), and with `olderThanMs` anything younger than that. The caller
 * holds the image store's lock and makes sure no pull is writing (see LocalImageService.holdContent).
 */
export interface SweepInput {
  content: ContentStore;
  layers: LayerStore;
  blobsInUse: Set<string>;
  chainsInUse: Set<string>;
  dirsInUse: Set<string>;
  olderThanMs?: number;
}

export interface SweepResult {
  blobs: string[];
  layers: string[];
  /** bytes freed: blob sizes plus the layers' file sizes */
  reclaimed: number;
}

export async function sweepOrphans(o: SweepInput): Promise<SweepResult> {
  const out: SweepResult = { blobs: [], layers: [], reclaimed: 0 };
  const cutoff = o.olderThanMs === undefined ? Infinity : Date.now() - o.olderThanMs;
  for (const chainId of await o.layers.list()) {
    if (o.chainsInUse.has(chainId) || o.dirsInUse.has(path.resolve(o.layers.diffDir(chainId)))) continue;
    const st = await fs.stat(path.dirname(o.layers.diffDir(chainId))).catch(() => undefined);
    if (!st || st.mtimeMs > cutoff) continue;
    const info = await o.layers.get(chainId);
    await o.layers.remove(chainId);
    out.layers.push(chainId);
    out.reclaimed += info?.size ?? 0;
  }
  for (const digest of await o.content.list()) {
    if (o.blobsInUse.has(digest)) continue;
    const st = await fs.stat(o.content.blobPath(digest)).catch(() => undefined);
    if (!st || st.mtimeMs > cutoff) continue;
    if (await o.content.delete(digest)) {
      out.blobs.push(digest);
      out.reclaimed += st.size;
    }
  }
  return out;
}
