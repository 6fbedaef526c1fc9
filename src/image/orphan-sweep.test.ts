import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createContentStore } from '../content/index.js';
import { createLayerStore } from '../snapshot/index.js';
import { buildTar } from '../snapshot/tar-fixture.js';
import { Logger } from '../util/index.js';
import { createImageService } from './local-image-service.js';

/** Content and layers no image or container names are swept by prune; a hold (a running pull) keeps them. */
async function setup() {
  const root = await fs.mkdtemp('/tmp/berth-sweep-');
  const svc = createImageService({ dataRoot: root, events: { publish: () => undefined }, logger: new Logger('error') });
  const content = createContentStore({ dataRoot: root });
  const layers = createLayerStore({ dataRoot: root });
  const image = await svc.importRootfs(Readable.from([await buildTar([{ name: 'kept', content: 'image layer' }])]), { reference: 'keep' });
  /** a blob and its unpacked layer that nothing names, as a pull that failed after this layer leaves them */
  const orphan = async (text: string) => {
    const blob = await content.ingest(Readable.from([await buildTar([{ name: 'f', content: text }])]));
    const info = await layers.ensure(blob.digest, content.blobPath(blob.digest), blob.digest);
    return { digest: blob.digest, blobBytes: blob.size, bytes: blob.size + info.size };
  };
  return { root, svc, content, layers, image, orphan };
}

test('prune sweeps unreferenced blobs and layers, keeps what images and containers use, and counts it', async () => {
  const { root, svc, content, layers, image, orphan } = await setup();
  try {
    const lost = await orphan('left by a failed pull');
    const held = await orphan('a container of a force-removed image stacks this');
    await fs.mkdir(path.join(root, 'rootfs', 'c1'), { recursive: true });
    await fs.writeFile(path.join(root, 'rootfs', 'c1', 'lower.json'), JSON.stringify({ lowerDirs: [layers.diffDir(held.digest)] }));

    // at daemon start only what is older than the limit goes
    assert.equal(await svc.sweepLeftovers(3600_000), 0);
    assert.ok(await content.has(lost.digest));

    const none = () => undefined;
    const r = await svc.prune({ all: false, filters: new Map(), containerUsing: none });
    assert.deepEqual(r.ImagesDeleted, [{ Deleted: lost.digest }, { Deleted: held.digest }]);
    assert.equal(r.SpaceReclaimed, lost.bytes + held.blobBytes);
    assert.equal(await content.has(lost.digest), false);
    assert.equal(await layers.get(lost.digest), undefined);
    // the container's layer stays (its blob, which nothing needs any more, goes)
    assert.ok(await layers.get(held.digest));
    const diffId = image.config.rootfs!.diff_ids[0]!;
    assert.ok((await content.has(image.id)) && (await content.has(diffId)) && (await layers.get(diffId)), 'the image keeps its config, blob and layer');

    await fs.rm(path.join(root, 'rootfs', 'c1'), { recursive: true });
    const after = await svc.prune({ all: false, filters: new Map(), containerUsing: none });
    assert.deepEqual(after.ImagesDeleted, [{ Deleted: held.digest }]);
    assert.equal(after.SpaceReclaimed, held.bytes - held.blobBytes);
    assert.equal(await svc.sweepLeftovers(0), 0);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('while a hold runs (a pull writing), prune leaves unreferenced content alone', async () => {
  const { root, svc, content, orphan } = await setup();
  try {
    const lost = await orphan('being pulled');
    let release!: () => void;
    const held = svc.holdContent(() => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    const r = await svc.prune({ all: false, filters: new Map(), containerUsing: () => undefined });
    assert.equal(r.SpaceReclaimed, 0);
    assert.ok(await content.has(lost.digest));
    release();
    await held;
    assert.equal((await svc.prune({ all: false, filters: new Map(), containerUsing: () => undefined })).SpaceReclaimed, lost.bytes);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
