import { Readable } from 'node:stream';
import { EngineError, unavailable } from '../../errdefs/index.js';
import type { Logger } from '../../util/index.js';
import { registryErrorText, statusError, type RegistryTransport } from './registry-transport.js';

const BATCH = 1 << 20;

export interface BlobDownload {
  transport: RegistryTransport;
  /** /v2/<name>/blobs/<digest> */
  path: string;
  scope: string;
  digest: string;
  /** announced size: a body that ends before it is a broken download */
  size?: number;
  logger: Logger;
  /** told before each retry, with the attempt that failed (1, 2, …) */
  onRetry?: (attempt: number) => void;
  /** requests made in all (dockerd: 5); 3 here */
  attempts?: number;
  /** a registry silent for this long is given up on (per attempt); 60 s */
  stallMs?: number;
}

/**
 * A blob's bytes as one stream, across broken connections: when a download breaks (the connection is
 * reset, it ends before the announced size, or the registry stops sending), it is retried after 1, 2… s
 * from where it broke with `Range: bytes=N-`; a registry that answers 206 continues at N, one that ignores
 * the range (200) is read from the start and the first N bytes are skipped. The consumer (digest
 * verification, decompression, the content store) sees one unbroken stream, so nothing is downloaded twice.
 * An answer of the registry (401, 403, 404…) is final.
 */
export function resumableBlob(d: BlobDownload): Readable {
  const attempts = d.attempts ?? 3;
  const stallMs = d.stallMs ?? 60_000;
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (let attempt = 1; ; attempt++) {
      let stalled: NodeJS.Timeout | undefined;
      try {
        const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
        const r = await d.transport.request(d.path, { scope: d.scope, headers });
        if (r.status !== 200 && r.status !== 206) throw statusError(r.status, `error pulling layer ${d.digest}: ${await registryErrorText(r)}`);
        let skip = 0;
        if (offset > 0) {
          const range = /^bytes (\d+)-/.exec(String(r.headers['content-range'] ?? ''));
          if (r.status === 200) skip = offset;
          else if (!range || Number(range[1]) !== offset) {
            r.body.resume();
            throw unavailable(`error pulling layer ${d.digest}: the registry answered a resume at byte ${offset} with ${r.headers['content-range'] ?? 'no Content-Range'}`);
          } else d.logger.debug('resuming layer download', { layer: d.digest, offset });
        }
        const arm = () => {
          clearTimeout(stalled);
          stalled = setTimeout(() => r.body.destroy(unavailable(`error pulling layer ${d.digest}: no data from the registry for ${stallMs / 1000} s`)), stallMs);
        };
        arm();
        // the socket's 64 KiB pieces are handed on in 1 MiB batches: the gunzip downstream costs one
        // thread-pool round trip per piece, and batching halves the time of a large layer
        let batch: Buffer[] = [];
        let batched = 0;
        let broke: unknown;
        try {
          for await (const chunk of r.body as AsyncIterable<Buffer>) {
            arm();
            if (skip >= chunk.length) {
              skip -= chunk.length;
              continue;
            }
            const c = skip ? chunk.subarray(skip) : chunk;
            skip = 0;
            batch.push(c);
            batched += c.length;
            if (batched >= BATCH) {
              const out = Buffer.concat(batch, batched);
              batch = [];
              batched = 0;
              offset += out.length;
              yield out;
            }
          }
        } catch (err) {
          broke = err;
        }
        // what arrived before a break is kept: the resume starts after it
        if (batched) {
          offset += batched;
          yield Buffer.concat(batch, batched);
        }
        if (broke) throw broke;
        if (d.size !== undefined && offset < d.size) throw unavailable(`error pulling layer ${d.digest}: truncated download, the connection closed after ${offset} of ${d.size} bytes`);
        return;
      } catch (err) {
        // an answer of the registry is final; a broken connection is retried
        const retry = attempt < attempts && !(err instanceof EngineError && err.kind !== 'Unavailable');
        d.logger.warn('layer download failed', { layer: d.digest, attempt, offset, error: (err as Error).message });
        if (!retry) throw err;
        d.onRetry?.(attempt);
        await new Promise((r) => setTimeout(r, attempt * 1000));
      } finally {
        clearTimeout(stalled);
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark: 1 << 20 });
}
