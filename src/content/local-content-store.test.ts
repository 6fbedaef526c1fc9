import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { isKind } from '../errdefs/index.js';
import { sha256 } from '../util/index.js';
import { createContentStore } from './local-content-store.js';

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  try {
    await fn(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('ingest verifies and commits; get/has/size/readStream/delete', () =>
  withRoot(async (root) => {
    const store = createContentStore({ dataRoot: root });
    const data = Buffer.from('hello blob');
    const digest = sha256(data);
    const r = await store.ingest(Readable.from([data]), { digest, size: data.length });
    assert.deepEqual(r, { digest, size: data.length, created: true });
    assert.equal(await store.has(digest), true);
    assert.equal(await store.size(digest), data.length);
    assert.deepEqual(await store.get(digest), data);
    const chunks: Buffer[] = [];
    for await (const c of await store.readStream(digest)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.deepEqual(await store.list(), [digest]);
    const again = await store.ingest(Readable.from([data]));
    assert.equal(again.created, false);
    assert.equal(await store.delete(digest), true);
    assert.equal(await store.has(digest), false);
    await assert.rejects(store.get(digest), (e) => isKind(e, 'NotFound'));
    await assert.rejects(store.readStream(digest), (e) => isKind(e, 'NotFound'));
  }));

test('digest mismatch discards the blob', () =>
  withRoot(async (root) => {
    const store = createContentStore({ dataRoot: root });
    const wrong = sha256('something else');
    await assert.rejects(store.ingest(Readable.from([Buffer.from('payload')]), { digest: wrong }), (e) => isKind(e, 'InvalidArgument') && /digest mismatch/.test((e as Error).message));
    assert.equal(await store.has(wrong), false);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`), []);
  }));

test('size mismatch discards the blob', () =>
  withRoot(async (root) => {
    const store = createContentStore({ dataRoot: root });
    const data = Buffer.from('payload');
    await assert.rejects(store.ingest(Readable.from([data]), { digest: sha256(data), size: 3 }), (e) => isKind(e, 'InvalidArgument'));
    assert.deepEqual(await store.list(), []);
  }));

test('concurrent ingests of the same digest are safe', () =>
  withRoot(async (root) => {
    const store = createContentStore({ dataRoot: root });
    const data = Buffer.alloc(256 * 1024, 7);
    const digest = sha256(data);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.ingest(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { digest })));
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.deepEqual(await store.get(digest), data);
    assert.deepEqual(await fs.readdir(`${root}/content/ingest`), []);
  }));
