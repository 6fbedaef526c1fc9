import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { compressionOf } from '../snapshot/index.js';
import { notImplemented } from '../errdefs/index.js';

/**
 * Wraps a tar stream that may be gzip-compressed (docker import/load accept both) and yields the plain
 * bytes: the first bytes are looked at, then everything is passed through gunzip or as is.
 */
export function decompressStream(src: Readable): Readable {
  const out = new PassThrough();
  (async () => {
    const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let len = 0;
    let done = false;
    while (len < 4) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const chunk = Buffer.from(r.value);
      head.push(chunk);
      len += chunk.length;
    }
    const first = Buffer.concat(head);
    const compression = compressionOf(first);
    if (compression === 'zstd') throw notImplemented('zstd-compressed archives are not supported');
    const all = Readable.from(
      (async function* () {
        if (first.length) yield first;
        while (!done) {
          const r = await it.next();
          if (r.done) return;
          yield Buffer.from(r.value);
        }
      })(),
    );
    if (compression === 'gzip') await pipeline(all, createGunzip(), out);
    else await pipeline(all, out);
  })().catch((err: Error) => {
    src.destroy();
    out.destroy(err);
  });
  return out;
}
