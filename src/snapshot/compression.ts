import { promises as fs } from 'node:fs';
import { notImplemented } from '../errdefs/index.js';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Detects a layer's compression from its magic bytes (gzip 1f 8b, zstd 28 b5 2f fd). */
export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The compression of a file; NotImplemented for zstd (Node 20's zlib has none). */
export async function fileCompression(file: string): Promise<'none' | 'gzip'> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    const c = compressionOf(head.subarray(0, bytesRead));
    if (c === 'zstd') throw notImplemented('zstd-compressed layers are not supported');
    return c;
  } finally {
    await fh.close();
  }
}
