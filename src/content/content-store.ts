import type { Readable } from 'node:stream';

/**
 * A content-addressed blob store: layer tars, configs, manifests, each named by the sha256 of its bytes.
 *
 * Layout: <data-root>/content/blobs/sha256/<hex> (committed, immutable) and
 *         <data-root>/content/ingest/<random> (in-flight writes, never read by anyone else).
 *
 * Lifecycle of a blob: ingest (stream into a temp file while hashing) → verify (digest, and size when
 * known) → commit (hard-link into place: atomic, and a concurrent ingest of the same digest simply finds
 * it there) → read (get/readStream) → delete (by the image store when no image references it any more).
 * A blob is visible only after its digest was verified; a mismatch discards the temp file.
 */
export interface ContentStore {
  /**
   * Streams `src` into the store. With `expected.digest` a mismatch throws InvalidArgument "digest mismatch …".
   * `expected.beforeCommit` runs once the bytes are in and verified, before the blob becomes visible: a
   * check of the same bytes made elsewhere (a layer scan fed from the same stream) can still veto it.
   */
  ingest(src: Readable, expected?: { digest?: string; size?: number; beforeCommit?: () => Promise<void> }): Promise<IngestResult>;
  has(digest: string): Promise<boolean>;
  /** Size in bytes; NotFound when missing. */
  size(digest: string): Promise<number>;
  /** The whole blob in memory (for small blobs: configs, manifests). NotFound when missing. */
  get(digest: string): Promise<Buffer>;
  /** A read stream; NotFound when missing (thrown before a stream is returned). */
  readStream(digest: string): Promise<Readable>;
  /** Removes a blob; true when it existed. */
  delete(digest: string): Promise<boolean>;
  /** The committed blob's path (it may not exist). */
  blobPath(digest: string): string;
  /** Every committed digest. */
  list(): Promise<string[]>;
}

export interface IngestResult {
  digest: string;
  size: number;
  /** false when the blob was already there (this ingest only verified it) */
  created: boolean;
}
