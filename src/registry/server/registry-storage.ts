import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { atomicWriteFile, fsyncDir } from '../../util/index.js';
import { regError } from './registry-errors.js';

/**
 * The registry server's storage. Layout under --root:
 *
 *   blobs/sha256/<hex>                              every blob and manifest, verified, immutable
 *   uploads/<uuid>                                  an upload in progress (appended to; removed at start)
 *   repositories/<name>/_layers/<hex>               empty: the repository may serve blob <hex>
 *   repositories/<name>/_manifests/revisions/<hex>  the manifest's media type: the repository holds it
 *   repositories/<name>/_manifests/tags/<tag>       "sha256:<hex>" of the tagged manifest
 *   repositories/<name>/_referrers/<subject-hex>/<hex>  the descriptor of a manifest whose subject is <subject>
 *
 * Atomic commits: an upload is verified (digest, size) and fsynced before it is renamed into blobs/
 * (rename is atomic; a crash leaves the upload or the blob, never a torn blob). Links and tags are written
 * only after the blob they name is in place, by write-temp-fsync-rename. A blob with no link is garbage
 * that gc() removes; it is never served through a repository that has no link to it.
 */
export const REPO_NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG_RE = /^[\w][\w.-]{0,127}$/;
export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export interface Upload {
  uuid: string;
  repo: string;
  file: string;
  size: number;
  /** running hash of what was appended; undefined when unknown (then the file is hashed at commit) */
  hash?: Hash;
  busy: boolean;
}

export function checkRepo(name: string): string {
  if (name.length > 255 || !REPO_NAME_RE.test(name)) throw regError('NAME_INVALID', { name });
  return name;
}

export function checkDigest(d: string): string {
  if (!DIGEST_RE.test(d)) throw regError('DIGEST_INVALID', { digest: d }, 'invalid digest');
  return d.slice(7);
}

export class RegistryStorage {
  readonly blobDir: string;
  private readonly uploadDir: string;
  private readonly repoDir: string;
  private readonly uploads = new Map<string, Upload>();

  constructor(readonly root: string) {
    this.blobDir = path.join(root, 'blobs', 'sha256');
    this.uploadDir = path.join(root, 'uploads');
    this.repoDir = path.join(root, 'repositories');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.blobDir, { recursive: true });
    // uploads of an earlier process cannot be resumed (their hash state is gone with it)
    await fs.rm(this.uploadDir, { recursive: true, force: true });
    await fs.mkdir(this.uploadDir, { recursive: true });
    await fs.mkdir(this.repoDir, { recursive: true });
  }

  blobPath(digest: string): string {
    return path.join(this.blobDir, checkDigest(digest));
  }
  private repoPath(repo: string, ...parts: string[]): string {
    return path.join(this.repoDir, ...repo.split('/'), ...parts);
  }

  async blobSize(digest: string): Promise<number | undefined> {
    return fs.stat(this.blobPath(digest)).then((s) => s.size, () => undefined);
  }

  /** The blob's size when `repo` may serve it. */
  async repoBlob(repo: string, digest: string): Promise<number | undefined> {
    const hex = checkDigest(digest);
    const linked = await exists(this.repoPath(repo, '_layers', hex)) || await exists(this.repoPath(repo, '_manifests', 'revisions', hex));
    return linked ? this.blobSize(digest) : undefined;
  }

  async repoExists(repo: string): Promise<boolean> {
    return exists(this.repoPath(repo));
  }

  async linkBlob(repo: string, digest: string): Promise<void> {
    const file = this.repoPath(repo, '_layers', checkDigest(digest));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '');
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    return fs.unlink(this.repoPath(repo, '_layers', checkDigest(digest))).then(() => true, () => false);
  }

  // --- uploads

  async startUpload(repo: string): Promise<Upload> {
    const uuid = randomUUID();
    const file = path.join(this.uploadDir, uuid);
    await fs.writeFile(file, '', { flag: 'wx' });
    const up: Upload = { uuid, repo, file, size: 0, hash: createHash('sha256'), busy: false };
    this.uploads.set(uuid, up);
    return up;
  }

  upload(repo: string, uuid: string): Upload {
    const up = this.uploads.get(uuid);
    if (!up || up.repo !== repo) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid });
    return up;
  }

  /** Appends `src` to the upload, hashing as it goes. One writer at a time per upload. */
  async append(up: Upload, src: Readable, maxBytes?: number): Promise<void> {
    if (up.busy) throw regError('BLOB_UPLOAD_INVALID', { uuid: up.uuid }, 'upload is being written by another request');
    up.busy = true;
    const startSize = up.size;
    try {
      const hash = up.hash;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash?.update(chunk);
          up.size += chunk.length;
          if (maxBytes !== undefined && up.size - startSize > maxBytes) cb(regError('SIZE_INVALID'));
          else cb(null, chunk);
        },
      });
      await pipeline(src, counter, createWriteStream(up.file, { flags: 'a', highWaterMark: 1 << 20 }));
    } catch (err) {
      // a failed append leaves an unknown tail: the hash is no longer trustworthy
      up.hash = undefined;
      up.size = (await fs.stat(up.file).catch(() => ({ size: 0 }))).size;
      throw err;
    } finally {
      up.busy = false;
    }
  }

  async cancel(up: Upload): Promise<void> {
    this.uploads.delete(up.uuid);
    await fs.rm(up.file, { force: true });
  }

  /** Verifies the upload against `digest` and moves it into blobs/ atomically; links it into the repo. */
  async commit(up: Upload, digest: string): Promise<number> {
    checkDigest(digest);
    if (up.busy) throw regError('BLOB_UPLOAD_INVALID', { uuid: up.uuid }, 'upload is being written by another request');
    this.uploads.delete(up.uuid);
    try {
      const actual = up.hash ? 'sha256:' + up.hash.digest('hex') : await hashFile(up.file);
      if (actual !== digest) throw regError('DIGEST_INVALID', { expected: digest, actual });
      const fh = await fs.open(up.file, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const target = this.blobPath(digest);
      if (!(await exists(target))) {
        await fs.rename(up.file, target);
        await fsyncDir(this.blobDir);
      }
      await this.linkBlob(up.repo, digest);
      return up.size;
    } finally {
      await fs.rm(up.file, { force: true });
    }
  }

  /** Stores a small blob (a manifest) already in memory. */
  async putBlobBytes(digest: string, data: Buffer): Promise<void> {
    const target = this.blobPath(digest);
    if (await exists(target)) return;
    const tmp = path.join(this.uploadDir, randomUUID());
    try {
      await atomicWriteFile(tmp, data);
      await fs.rename(tmp, target);
      await fsyncDir(this.blobDir);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  readBlob(digest: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.blobPath(digest), { highWaterMark: 1 << 20, ...(range ?? {}) });
  }

  // --- manifests and tags

  async putManifest(repo: string, digest: string, mediaType: string, body: Buffer, tag?: string, referrer?: { subject: string; descriptor: object }): Promise<void> {
    await this.putBlobBytes(digest, body);
    const hex = checkDigest(digest);
    const rev = this.repoPath(repo, '_manifests', 'revisions', hex);
    await fs.mkdir(path.dirname(rev), { recursive: true });
    await atomicWriteFile(rev, mediaType);
    if (referrer) {
      const ref = this.repoPath(repo, '_referrers', checkDigest(referrer.subject), hex);
      await fs.mkdir(path.dirname(ref), { recursive: true });
      await atomicWriteFile(ref, JSON.stringify(referrer.descriptor));
    }
    if (tag) {
      const t = this.repoPath(repo, '_manifests', 'tags', tag);
      await fs.mkdir(path.dirname(t), { recursive: true });
      await atomicWriteFile(t, digest);
    }
  }

  async resolveTag(repo: string, tag: string): Promise<string | undefined> {
    const d = (await fs.readFile(this.repoPath(repo, '_manifests', 'tags', tag), 'utf8').catch(() => '')).trim();
    return DIGEST_RE.test(d) ? d : undefined;
  }

  /** The manifest's media type when the repository holds it. */
  async manifestType(repo: string, digest: string): Promise<string | undefined> {
    const t = await fs.readFile(this.repoPath(repo, '_manifests', 'revisions', checkDigest(digest)), 'utf8').catch(() => undefined);
    return t === undefined ? undefined : t;
  }

  async tags(repo: string): Promise<string[]> {
    const names = await fs.readdir(this.repoPath(repo, '_manifests', 'tags')).catch(() => [] as string[]);
    return names.filter((n) => TAG_RE.test(n)).sort();
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return fs.unlink(this.repoPath(repo, '_manifests', 'tags', tag)).then(() => true, () => false);
  }

  /** Removes the manifest from the repository, with every tag that points to it and its referrer entry. */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const hex = checkDigest(digest);
    const removed = await fs.unlink(this.repoPath(repo, '_manifests', 'revisions', hex)).then(() => true, () => false);
    if (!removed) return false;
    for (const t of await this.tags(repo)) if ((await this.resolveTag(repo, t)) === digest) await this.deleteTag(repo, t);
    const refDir = this.repoPath(repo, '_referrers');
    for (const s of await fs.readdir(refDir).catch(() => [] as string[])) await fs.rm(path.join(refDir, s, hex), { force: true });
    return true;
  }

  async referrers(repo: string, subject: string): Promise<Array<Record<string, unknown>>> {
    const dir = this.repoPath(repo, '_referrers', checkDigest(subject));
    const out: Array<Record<string, unknown>> = [];
    for (const n of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
      const hex = n;
      // a referrer whose manifest was deleted is no longer listed
      if (!(await exists(this.repoPath(repo, '_manifests', 'revisions', hex)))) continue;
      const text = await fs.readFile(path.join(dir, n), 'utf8').catch(() => '');
      try {
        out.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        /* a torn entry is impossible (atomic writes); skip anything unreadable */
      }
    }
    return out;
  }

  /** Every repository name, sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      if (entries.some((e) => e.name === '_manifests')) out.push(prefix.join('/'));
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('_')) await walk(path.join(dir, e.name), [...prefix, e.name]);
    };
    await walk(this.repoDir, []);
    return out.sort();
  }

  /** Manifests held by a repository: [digest, media type]. */
  async revisions(repo: string): Promise<Array<[string, string]>> {
    const dir = this.repoPath(repo, '_manifests', 'revisions');
    const out: Array<[string, string]> = [];
    for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{64}$/.test(n)) continue;
      out.push(['sha256:' + n, await fs.readFile(path.join(dir, n), 'utf8').catch(() => '')]);
    }
    return out;
  }

  async layerLinks(repo: string): Promise<string[]> {
    return (await fs.readdir(this.repoPath(repo, '_layers')).catch(() => [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => 'sha256:' + n);
  }

  async allBlobs(): Promise<string[]> {
    return (await fs.readdir(this.blobDir).catch(() => [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => 'sha256:' + n);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return 'sha256:' + h.digest('hex');
}
