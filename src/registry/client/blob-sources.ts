import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson, readJsonIfExists } from '../../util/index.js';

/**
 * Where a local layer (named by its diff ID, the digest of the uncompressed tar) is known to live in
 * registries, as the blob it was pulled as or pushed as: dockerd's distribution metadata. Push uses it to
 * skip a blob the target repository has (HEAD) or to mount it from another repository of the same
 * registry instead of compressing and uploading it again; pull uses it to see that a layer is already here.
 *
 * File: <data-root>/image/blob-sources.json  { "<diff id>": [ { digest, mediaType, size, repository } ] }
 * (repository is the full name with its registry, e.g. 127.0.0.1:5000/team/app; newest first, 8 at most)
 */
export interface BlobSource {
  digest: string;
  mediaType: string;
  size: number;
  repository: string;
}

export class BlobSources {
  private map?: Map<string, BlobSource[]>;
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(dataRoot: string) {
    this.file = path.join(dataRoot, 'image', 'blob-sources.json');
  }

  private async load(): Promise<Map<string, BlobSource[]>> {
    this.map ??= new Map(Object.entries((await readJsonIfExists<Record<string, BlobSource[]>>(this.file)) ?? {}));
    return this.map;
  }

  async get(diffId: string): Promise<BlobSource[]> {
    return (await this.load()).get(diffId) ?? [];
  }

  /** The diff ID of a blob digest, when known. */
  async diffIdOf(digest: string): Promise<string | undefined> {
    for (const [diffId, list] of await this.load()) if (list.some((s) => s.digest === digest)) return diffId;
    return undefined;
  }

  async add(diffId: string, src: BlobSource): Promise<void> {
    const map = await this.load();
    const list = (map.get(diffId) ?? []).filter((s) => !(s.digest === src.digest && s.repository === src.repository));
    map.set(diffId, [src, ...list].slice(0, 8));
    const snapshot = Object.fromEntries(map);
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await atomicWriteJson(this.file, snapshot);
    });
    await this.writing;
  }
}
