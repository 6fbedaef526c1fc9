import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson, hexOf, readJsonIfExists } from '../util/index.js';

/**
 * The image store's records on disk:
 *
 *   <data-root>/image/
 *     images/<id-hex>.json     one StoredImageFile per image, written only after its config blob, layer
 *                              blobs and unpacked layers exist (the config itself is the content blob <id>)
 *     references.json          { "references": { "<normalised ref>": "sha256:<image id>" } }:
 *                              repo tags (docker.io/library/busybox:latest) and repo digests (…@sha256:…)
 *
 * Every file is written with atomicWriteJson (temp, fsync, rename), so a crash leaves old or new.
 */
export interface StoredLayer {
  diffId: string;
  chainId: string;
  /** sum of the layer's regular file sizes */
  size: number;
}

export interface StoredImageFile {
  id: string;
  layers: StoredLayer[];
  parent?: string;
  /** when the image entered this store (RFC 3339), for prune's `until` when the config has no date */
  added: string;
}

interface ReferencesFile {
  references: Record<string, string>;
}

export class ImageRecordFiles {
  private readonly imagesDir: string;
  private readonly refsFile: string;

  constructor(dataRoot: string) {
    const root = path.join(dataRoot, 'image');
    this.imagesDir = path.join(root, 'images');
    this.refsFile = path.join(root, 'references.json');
  }

  async readAll(): Promise<{ images: StoredImageFile[]; references: Map<string, string> }> {
    await fs.mkdir(this.imagesDir, { recursive: true });
    const images: StoredImageFile[] = [];
    for (const name of await fs.readdir(this.imagesDir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(name)) continue;
      const rec = await readJsonIfExists<StoredImageFile>(path.join(this.imagesDir, name));
      if (rec) images.push(rec);
    }
    const refs = await readJsonIfExists<ReferencesFile>(this.refsFile);
    return { images, references: new Map(Object.entries(refs?.references ?? {})) };
  }

  async writeImage(rec: StoredImageFile): Promise<void> {
    await fs.mkdir(this.imagesDir, { recursive: true });
    await atomicWriteJson(path.join(this.imagesDir, `${hexOf(rec.id)}.json`), rec);
  }

  async deleteImage(id: string): Promise<void> {
    await fs.rm(path.join(this.imagesDir, `${hexOf(id)}.json`), { force: true });
  }

  async writeReferences(refs: Map<string, string>): Promise<void> {
    await fs.mkdir(path.dirname(this.refsFile), { recursive: true });
    const sorted = Object.fromEntries([...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await atomicWriteJson(this.refsFile, { references: sorted } satisfies ReferencesFile);
  }
}
