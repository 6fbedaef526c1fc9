import { createHash, randomBytes } from 'node:crypto';

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function sha256(data: string | Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** "sha256:abc…" → "abc…" */
export function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7) : digest;
}

/** A 64-hex id, as Docker gives containers and execs. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return hexOf(id).slice(0, 12);
}
