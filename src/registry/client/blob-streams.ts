import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { sha256Stream } from '../../content/index.js';
import { invalidArgument, notImplemented } from '../../errdefs/index.js';
import { MediaTypes } from '../../oci/index.js';

/**
 * Streams of blobs in transit: digest verification, the layer media types and their (de)compression.
 */

/**
 * Passes bytes through while hashing; fails the stream (before it ends, so nothing downstream commits)
 * when the bytes are more than `size` or their digest is not `digest`.
 */
export function verifier(digest: string, size: number | undefined, onBytes?: (n: number) => void): Transform {
  // hashed off the main thread when long (a layer): see sha256Stream
  const hash = sha256Stream();
  let n = 0;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (size !== undefined && n > size) return cb(invalidArgument(`filesystem layer verification failed for digest ${digest}: more than the ${size} bytes announced`));
      onBytes?.(n);
      const wait = hash.update(chunk);
      if (wait) wait.then(() => cb(null, chunk), cb);
      else cb(null, chunk);
    },
    flush(cb) {
      if (size !== undefined && n !== size) {
        hash.abort();
        return cb(invalidArgument(`filesystem layer verification failed for digest ${digest}: got ${n} of ${size} bytes (truncated download)`));
      }
      hash.digest().then((got) => cb(got === digest ? null : invalidArgument(`filesystem layer verification failed for digest ${digest}`)), cb);
    },
    destroy(err, cb) {
      hash.abort();
      cb(err);
    },
  });
}

/**
 * Forwards to `dest` until dest fails or closes, and from then on swallows the rest. The download in front
 * then still runs to its end, so its digest verdict is known even when what consumed the bytes (the
 * decompression, the layer scan) gave up first on bytes that were corrupt in transit: the error reported is
 * the digest mismatch, as dockerd reports it, not whatever the garbage looked like to a tar parser.
 */
export function forwardUntilGone(dest: Writable): Writable {
  let gone = false;
  let waiting: (() => void) | undefined;
  const release = () => {
    gone = true;
    const cb = waiting;
    waiting = undefined;
    cb?.();
  };
  dest.on('error', release);
  dest.on('close', release);
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      if (gone || dest.write(chunk)) return cb();
      waiting = cb;
      dest.once('drain', () => {
        if (waiting !== cb) return;
        waiting = undefined;
        cb();
      });
    },
    final(cb) {
      if (!gone) dest.end();
      cb();
    },
    destroy(err, cb) {
      if (err && !gone) dest.destroy(err);
      cb(err);
    },
  });
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';

const LAYER_TYPES: Record<string, LayerCompression> = {
  [MediaTypes.DockerLayerGzip]: 'gzip',
  [MediaTypes.OciLayerGzip]: 'gzip',
  [MediaTypes.OciLayerZstd]: 'zstd',
  [MediaTypes.DockerLayer]: 'none',
  [MediaTypes.OciLayer]: 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

/** The compression of a layer media type; an unknown type is refused before anything is downloaded. */
export function layerCompression(mediaType: string): LayerCompression {
  const c = LAYER_TYPES[mediaType];
  if (!c) throw invalidArgument(`unsupported media type ${mediaType} for a layer`);
  return c;
}

type ZstdZlib = { createZstdDecompress?: () => Transform };

export function hasZstd(): boolean {
  return typeof (zlib as unknown as ZstdZlib).createZstdDecompress === 'function';
}

export function decompressor(c: LayerCompression): Transform {
  // 1 MiB output chunks: with zlib's default 16 KiB a 100 MB layer costs three times the time in calls
  if (c === 'gzip') return zlib.createGunzip({ chunkSize: 1 << 20 });
  if (c === 'zstd') {
    const make = (zlib as unknown as ZstdZlib).createZstdDecompress;
    if (!make) throw notImplemented(`zstd-compressed layers need a Node.js with zstd (this is ${process.version})`);
    return make();
  }
  return new PassThrough({ highWaterMark: 1 << 20 });
}

/**
 * gzip for push. Docker compresses at gzip's default level; on data that does not compress (already
 * compressed files, random bytes) that costs ~25 MB/s here for nothing, so the first MiB is tried at
 * level 1 and, when it shrinks by less than 5 %, the layer is written in gzip's stored blocks (level 0:
 * a valid gzip stream every client reads, at disk speed). Deterministic: the same tar gives the same blob.
 */
export function adaptiveGzip(src: Readable): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  (async () => {
    const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let len = 0;
    let done = false;
    while (len < 1 << 20) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      head.push(r.value);
      len += r.value.length;
    }
    const sample = Buffer.concat(head);
    const level = sample.length && zlib.deflateRawSync(sample, { level: 1 }).length > sample.length * 0.95 ? 0 : 6;
    const rest = Readable.from(
      (async function* () {
        if (sample.length) yield sample;
        while (!done) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      })(),
    );
    await pipeline(rest, zlib.createGzip({ level, chunkSize: 1 << 16 }), out);
  })().catch((err: Error) => {
    src.destroy();
    out.destroy(err);
  });
  return out;
}
