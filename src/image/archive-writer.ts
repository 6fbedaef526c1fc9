import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ContentStore } from '../content/index.js';
import { familiarName, type ImageManifest, MediaTypes, parseReference } from '../oci/index.js';
import { hexOf, sha256 } from '../util/index.js';

/** One image to save, with the normalised repo tags to write for it (none when saved by ID). */
export interface SaveItem {
  id: string;
  diffIds: string[];
  repoTags: string[];
}

/**
 * Writes a `docker save` archive as Docker 25+ does: every blob (config, uncompressed layers, an OCI
 * manifest per image) under blobs/sha256/<hex>, then index.json (OCI layout, one descriptor per tag with
 * io.containerd.image.name / org.opencontainers.image.ref.name), manifest.json (Config, RepoTags in
 * familiar form, Layers), oci-layout and the legacy `repositories`. Layers stream from the content store.
 */
export async function writeDockerArchive(items: SaveItem[], content: ContentStore, out: Writable): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const mtime = new Date(0);
  const written = new Set<string>();
  const add = (name: string, data: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: data.length, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())));
  const addBlob = async (digest: string) => {
    if (written.has(digest)) return;
    written.add(digest);
    const size = await content.size(digest);
    const src = await content.readStream(digest);
    await new Promise<void>((resolve, reject) => {
      const w = pack.entry({ name: `blobs/sha256/${hexOf(digest)}`, size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
      src.on('error', reject);
      src.pipe(w);
    });
  };
  try {
    for (const dir of ['blobs/', 'blobs/sha256/']) {
      await new Promise<void>((resolve, reject) => pack.entry({ name: dir, type: 'directory', mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve())));
    }
    const index: Array<Record<string, unknown>> = [];
    const manifestJson: Array<Record<string, unknown>> = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const item of items) {
      await addBlob(item.id);
      for (const d of item.diffIds) await addBlob(d);
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaTypes.OciManifest,
        config: { mediaType: MediaTypes.OciConfig, digest: item.id, size: await content.size(item.id) },
        layers: await Promise.all(item.diffIds.map(async (d) => ({ mediaType: MediaTypes.OciLayer, digest: d, size: await content.size(d) }))),
      };
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      const manifestDigest = sha256(manifestBytes);
      if (!written.has(manifestDigest)) {
        written.add(manifestDigest);
        await add(`blobs/sha256/${hexOf(manifestDigest)}`, manifestBytes);
      }
      const desc = { mediaType: MediaTypes.OciManifest, digest: manifestDigest, size: manifestBytes.length };
      if (item.repoTags.length === 0) index.push(desc);
      for (const tag of item.repoTags) {
        const ref = parseReference(tag);
        index.push({ ...desc, annotations: { 'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } });
        const top = item.diffIds[item.diffIds.length - 1];
        if (top && ref.tag) {
          const repo = familiarName(tag).slice(0, -(ref.tag.length + 1));
          (repositories[repo] ??= {})[ref.tag] = hexOf(top);
        }
      }
      manifestJson.push({
        Config: `blobs/sha256/${hexOf(item.id)}`,
        RepoTags: item.repoTags.length ? item.repoTags.map(familiarName) : null,
        Layers: item.diffIds.map((d) => `blobs/sha256/${hexOf(d)}`),
      });
    }
    await add('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: index }) + '\n'));
    await add('manifest.json', Buffer.from(JSON.stringify(manifestJson) + '\n'));
    await add('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    if (Object.keys(repositories).length) await add('repositories', Buffer.from(JSON.stringify(repositories) + '\n'));
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
}
