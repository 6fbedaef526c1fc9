import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { createContentStore } from '../content/index.js';
import { isKind } from '../errdefs/index.js';
import { createLayerStore } from '../snapshot/index.js';
import { buildTar } from '../snapshot/tar-fixture.js';
import { sha256 } from '../util/index.js';
import { ingestLayer } from './layer-ingest.js';

async function withStores(fn: (root: string, s: { content: ReturnType<typeof createContentStore>; layers: ReturnType<typeof createLayerStore> }) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  try {
    await fn(root, { content: createContentStore({ dataRoot: root }), layers: createLayerStore({ dataRoot: root }) });
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** a stream that hands out the bytes in small pieces, as a download does */
function trickle(b: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += 1000) parts.push(b.subarray(i, i + 1000));
  return Readable.from(parts);
}

const chain = 'sha256:' + 'c'.repeat(64);

test('a layer stream is stored under its diff ID and extracted under its chain ID in one pass', () =>
  withStores(async (root, { content, layers }) => {
    const bytes = await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', content: 'hello\n' }, { name: 'big', content: Buffer.alloc(300_000, 7) }]);
    const diffId = sha256(bytes);
    let stored = 0;
    const info = await ingestLayer(content, layers, trickle(bytes), diffId, chain, () => stored++);
    assert.equal(stored, 1);
    assert.deepEqual(info, { chainId: chain, diffId, size: 6 + 300_000 });
    assert.deepEqual(await content.get(diffId), bytes);
    assert.equal(await fs.readFile(`${layers.diffDir(chain)}/etc/motd`, 'utf8'), 'hello\n');
    assert.equal((await fs.stat(`${layers.diffDir(chain)}/big`)).size, 300_000);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`).catch(() => []), []);
  }));

test('a hostile layer whose digest matches is refused by the scan: no blob, no layer', () =>
  withStores(async (root, { content, layers }) => {
    // GNU tar extracts while the scan runs: it must not write through the symlink either
    const outside = `${root}/outside`;
    await fs.mkdir(outside);
    const bytes = await buildTar([
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'evil/pwned', content: 'x' },
      { name: 'rel', type: 'symlink', linkname: '../../../outside' },
      { name: 'rel/pwned2', content: 'x' },
    ]);
    const diffId = sha256(bytes);
    await assert.rejects(ingestLayer(content, layers, trickle(bytes), diffId, chain), (err: Error) => isKind(err, 'InvalidArgument') && /hostile layer/.test(err.message));
    assert.deepEqual(await fs.readdir(outside), []);
    assert.deepEqual((await fs.readdir(`${root}/layers`)).filter((n) => !n.startsWith('.del-')), []);
    assert.equal(await content.has(diffId), false);
    assert.equal(await layers.get(chain), undefined);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`).catch(() => []), []);
  }));

test('bytes that do not match the diff ID are refused: no blob, no layer', () =>
  withStores(async (root, { content, layers }) => {
    const bytes = await buildTar([{ name: 'a', content: 'a' }]);
    const wrong = sha256(Buffer.from('other'));
    await assert.rejects(ingestLayer(content, layers, trickle(bytes), wrong, chain), /digest mismatch/);
    assert.equal(await content.has(wrong), false);
    assert.equal(await layers.get(chain), undefined);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`).catch(() => []), []);
  }));

test('a source that fails half way fails the ingest; nothing is kept', () =>
  withStores(async (root, { content, layers }) => {
    const bytes = await buildTar([{ name: 'big', content: Buffer.alloc(200_000, 1) }]);
    const src = new Readable({ read() {} });
    src.push(bytes.subarray(0, 50_000));
    setTimeout(() => src.destroy(new Error('connection reset')), 20);
    await assert.rejects(ingestLayer(content, layers, src, sha256(bytes), chain), /connection reset/);
    assert.equal(await content.has(sha256(bytes)), false);
    assert.equal(await layers.get(chain), undefined);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`).catch(() => []), []);
  }));
