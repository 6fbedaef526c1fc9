import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha256Stream, sha256Workers } from './sha256-stream.js';

const inline = (chunks: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return 'sha256:' + h.digest('hex');
};

async function hashOf(chunks: Uint8Array[]): Promise<string> {
  const s = sha256Stream();
  for (const c of chunks) await s.update(c);
  return s.digest();
}

/** chunks of mixed sizes: socket-sized pieces, 1 MiB batches and one larger than the 4 MiB ring */
function mixed(total: number): Buffer[] {
  const sizes = [65536, 1 << 20, 3, 6 << 20, 1000, 777_777];
  const out: Buffer[] = [];
  for (let n = 0, i = 0; n < total; i++) {
    const len = Math.min(sizes[i % sizes.length]!, total - n);
    out.push(randomBytes(len));
    n += len;
  }
  return out;
}

test('an empty stream and a short one (hashed inline) give the sha256 of their bytes', async () => {
  assert.equal(await hashOf([]), inline([]));
  const small = [randomBytes(10), randomBytes(1000), randomBytes(500_000)];
  assert.equal(await hashOf(small), inline(small));
});

test('a long stream, hashed on the worker through the ring, gives the same digest as hashing inline', async () => {
  const chunks = mixed(40 << 20);
  assert.equal(await hashOf(chunks), inline(chunks));
});

test('streams hashed at the same time do not mix their bytes', async () => {
  const sets = Array.from({ length: 6 }, (_, i) => mixed((3 + i) << 20));
  const got = await Promise.all(sets.map(hashOf));
  assert.deepEqual(got, sets.map(inline));
});

test('an aborted stream frees its worker, and the next streams still hash right', async () => {
  for (let i = 0; i < 3; i++) {
    const s = sha256Stream();
    await s.update(randomBytes(3 << 20));
    s.abort();
    s.abort();
    await assert.rejects(s.digest(), /digest twice or after abort/);
  }
  const chunks = mixed(12 << 20);
  assert.equal(await hashOf(chunks), inline(chunks));
});

test('a chunk added after the digest is refused', async () => {
  const s = sha256Stream();
  await s.update(Buffer.from('x'));
  await s.digest();
  assert.throws(() => s.update(Buffer.from('y')), /update after digest/);
});

test('more long streams at once than workers: the rest are hashed inline, all right, and the workers are freed', async () => {
  const sets = Array.from({ length: 12 }, () => mixed(3 << 20));
  const streams = sets.map(() => sha256Stream());
  // every stream gets past the inline first MiB before any finishes
  for (const [i, s] of streams.entries()) await s.update(sets[i]![0]!.length > 1 << 20 ? sets[i]![0]! : Buffer.concat(sets[i]!.slice(0, 3)));
  assert.equal(sha256Workers().busy, 8);
  const rest = sets.map((chunks) => (chunks[0]!.length > 1 << 20 ? chunks.slice(1) : chunks.slice(3)));
  const got = await Promise.all(streams.map(async (s, i) => {
    for (const c of rest[i]!) await s.update(c);
    return s.digest();
  }));
  assert.deepEqual(got, sets.map(inline));
  assert.equal(sha256Workers().busy, 0);
  assert.ok(sha256Workers().idle <= 4);
});

test('an abort while an update waits for room ends that update, and its slot carries the next stream untouched', async () => {
  for (let i = 0; i < 5; i++) {
    const s = sha256Stream();
    s.update(randomBytes(2 << 20));
    // larger than the ring: part of it waits for the worker
    const waiting = s.update(randomBytes(16 << 20));
    s.abort();
    await waiting;
    const chunks = mixed(9 << 20);
    assert.equal(await hashOf(chunks), inline(chunks));
  }
  assert.equal(sha256Workers().busy, 0);
});
