import { PassThrough, type Readable } from 'node:stream';
import type { ContentStore } from '../content/index.js';
import { type LayerInfo, type LayerStore, scanLayer } from '../snapshot/index.js';

/**
 * One pass over an uncompressed layer tar arriving as a stream (a pull). The bytes go three ways at once:
 * to the content store (which hashes them and verifies the diff ID), through the layer scan (which refuses
 * hostile members), and into GNU tar extracting into a fresh temp dir of the layer store. The blob is
 * committed only when the scan passed too, and the layer only when both did; a failure of any side ends
 * the others, and nothing becomes visible. (A layer that fails only to extract leaves its verified blob,
 * which a later pull reuses.)
 */
export async function ingestLayer(content: ContentStore, layers: LayerStore, uncompressed: Readable, diffId: string, chainId: string, onStored?: () => void): Promise<LayerInfo> {
  const branch = () => {
    const p = new PassThrough({ highWaterMark: 1 << 20 });
    // errors reach the promises below; a consumer may attach only after an await
    p.on('error', () => undefined);
    uncompressed.pipe(p);
    return p;
  };
  const toStore = branch();
  const toScan = branch();
  const toTar = branch();
  const fail = (err: Error) => {
    uncompressed.destroy(err);
    for (const p of [toStore, toScan, toTar]) p.destroy(err);
  };
  uncompressed.on('error', fail);
  const scanning = scanLayer(toScan, { hash: false });
  scanning.catch(fail);
  const stored = content.ingest(toStore, { digest: diffId, beforeCommit: () => scanning.then(() => undefined) });
  stored.catch(fail);
  const verdict = Promise.all([scanning, stored]).then(([scan]) => {
    onStored?.();
    return { ...scan, diffId };
  });
  const { extracted, done } = layers.unpackStream(chainId, toTar, verdict);
  extracted.catch(fail);
  return done;
}
