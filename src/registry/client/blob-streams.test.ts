import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { sha256 } from '../../util/index.js';
import { adaptiveGzip, forwardUntilGone, layerCompression, verifier } from './blob-streams.js';
import { isInsecure } from './registry-transport.js';
import { registryDomain } from './registry-service.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

test('verifier passes matching bytes and fails a wrong, short or long blob before the end', async () => {
  const data = Buffer.from('layer bytes');
  await pipeline(Readable.from([data]), verifier(sha256(data), data.length), sink());
  await assert.rejects(pipeline(Readable.from([data]), verifier(sha256('other'), data.length), sink()), /verification failed/);
  await assert.rejects(pipeline(Readable.from([data.subarray(0, 4)]), verifier(sha256(data), data.length), sink()), /truncated/);
  await assert.rejects(pipeline(Readable.from([data]), verifier(sha256(data), 3), sink()), /more than the 3 bytes/);
});

test('verifier on a long blob (hashed on the worker) still refuses a mismatch', async () => {
  const data = randomBytes(5 << 20);
  const chunks = Array.from({ length: 80 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
  await pipeline(Readable.from(chunks), verifier(sha256(data), data.length), sink());
  const bad = Buffer.from(data);
  bad[3 << 20] ^= 1;
  await assert.rejects(pipeline(Readable.from([bad]), verifier(sha256(data), data.length), sink()), /verification failed for digest/);
});

test('forwardUntilGone: when the consumer fails early the download still runs to its digest verdict', async () => {
  const data = randomBytes(3 << 20);
  const chunks = Array.from({ length: 48 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
  let got = 0;
  const consumer = () => new Writable({
    write(c: Buffer, _e, cb) {
      got += c.length;
      cb(got > 200_000 ? new Error('invalid tar header') : null);
    },
  });
  // a blob whose digest does not match: the consumer gives up first, yet the mismatch is what fails
  const c1 = consumer();
  c1.on('error', () => undefined);
  await assert.rejects(pipeline(Readable.from(chunks), verifier(sha256('other'), data.length), forwardUntilGone(c1)), /verification failed for digest/);
  // a blob that matches: the download succeeds, and the consumer's own failure is left to its owner
  got = 0;
  const c2 = consumer();
  const failed = new Promise((resolve) => c2.on('error', resolve));
  await pipeline(Readable.from(chunks), verifier(sha256(data), data.length), forwardUntilGone(c2));
  assert.match(String(await failed), /invalid tar header/);
  // a failing download ends the consumer with its error
  const c3 = new Writable({ write: (_c, _e, cb) => cb() });
  const ended = new Promise((resolve) => c3.on('error', resolve));
  await assert.rejects(pipeline(Readable.from(chunks.slice(0, 3)), verifier(sha256(data), data.length), forwardUntilGone(c3)), /truncated/);
  assert.match(String(await ended), /truncated/);
});

test('adaptive gzip: deterministic, stored blocks for random data, compressed otherwise', async () => {
  const run = async (b: Buffer) => {
    const parts: Buffer[] = [];
    for await (const c of adaptiveGzip(Readable.from([b.subarray(0, 100), b.subarray(100)]))) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };
  const random = randomBytes(3 << 20);
  const a = await run(random);
  assert.deepEqual(gunzipSync(a), random);
  assert.ok(a.length > random.length, 'random data is stored, not compressed');
  assert.deepEqual(await run(random), a);
  const text = Buffer.from('hello registry '.repeat(200_000));
  const t = await run(text);
  assert.deepEqual(gunzipSync(t), text);
  assert.ok(t.length < text.length / 10);
  assert.deepEqual(gunzipSync(await run(Buffer.alloc(0))), Buffer.alloc(0));
});

test('media types, insecure hosts, registry domains', () => {
  assert.equal(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip'), 'gzip');
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
  assert.throws(() => layerCompression('application/x-nope'), /unsupported media type/);
  assert.equal(isInsecure('127.0.0.1:5000', []), true);
  assert.equal(isInsecure('localhost:5000', []), true);
  assert.equal(isInsecure('10.1.2.3:5000', []), false);
  assert.equal(isInsecure('10.1.2.3:5000', ['10.0.0.0/8']), true);
  assert.equal(isInsecure('reg.example:5000', ['reg.example:5000']), true);
  assert.equal(registryDomain('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryDomain('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(registryDomain('127.0.0.1:5000/team/app'), '127.0.0.1:5000');
});
