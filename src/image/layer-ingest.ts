import { PassThrough, type Readable } from 'node:stream';
import type { ContentStore } from '../content/index.js';
import { type LayerInfo, type LayerStore, scanLayer } from '../snapshot/index.js';

/**
 * One pass over an uncompressed layer tar arriving as a stream (a pull): the bytes go to the content store
 * (which hashes them and verifies the diff ID) and, at the same time, through the layer scan (which refuses
 * hostile members). The blob is committed only when both agree; then the layer is extracted from the
 * committed blob under its chain ID without scanning it again. A failure of either side fails both, and
 * nothing becomes visible.
 */
export async function ingestLayer(content: ContentStore, layers: LayerStore, uncompressed: Readable, diffId: string, chainId: string, onStored?: () => void): Promise<LayerInfo> {
  const toStore = new PassThrough({ highWaterMark: 1 << 20 });
  const toScan = new PassThrough({ highWaterMark: 1 << 20 });
  // their errors reach the two promises below; the store may attach its pipeline only after an await
  toStore.on('error', () => undefined);
  toScan.on('error', () => undefined);
  uncompressed.pipe(toStore);
  uncompressed.pipe(toScan);
  uncompressed.on('error', (err) => {
    toStore.destroy(err);
    toScan.destroy(err);
  });
  // either side failing ends the other (it would wait for bytes that never come) and the source
  const fail = (err: Error) => {
    uncompressed.destroy(err);
    toStore.destroy(err);
    toScan.destroy(err);
  };
  const scanning = scanLayer(toScan, { hash: false });
  scanning.catch(fail);
  const stored = content.ingest(toStore, { digest: diffId, beforeCommit: () => scanning.then(() => undefined) });
  stored.catch(fail);
  const [scan] = await Promise.all([scanning, stored]);
  onStored?.();
  return layers.ensure(chainId, content.blobPath(diffId), diffId, { ...scan, diffId });
}
