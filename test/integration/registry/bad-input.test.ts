import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { freePort, startBerthRegistry, startFaultyProxy, type TestRegistry } from '../../helpers/registries.js';

/**
 * Pulls that go wrong: through a proxy that corrupts, truncates or slows blob downloads, rewrites media
 * types or answers 403, and from a registry that is not there. Each must fail with a clear error, leave
 * no image and no blob of it behind, and a later clean pull must work.
 */
let src: Berthd;
let d: Berthd;
let reg: TestRegistry;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;

before(async () => {
  src = await startBerthd();
  await bootstrapBusybox(src);
  reg = await startBerthRegistry();
  const r = await runDocker(src.dockerHost, ['tag', 'busybox', `${reg.host}/bad/box:v1`]);
  assert.equal(r.code, 0, r.stderr);
  const p = await runDocker(src.dockerHost, ['push', `${reg.host}/bad/box:v1`]);
  assert.equal(p.code, 0, p.stderr);
  proxy = await startFaultyProxy(reg.host);
  // the daemon under test starts empty: every layer must come from the registry
  d = await startBerthd();
});
after(async () => {
  await proxy?.close();
  await d?.stop();
  await src?.stop();
  await reg?.stop();
});

async function nothingLeft(): Promise<void> {
  const images = await runDocker(d.dockerHost, ['images', '-q']);
  assert.equal(images.stdout, '', 'no image may be left by a failed pull');
  const blobs = await fs.readdir(path.join(d.dataRoot, 'content/blobs/sha256')).catch(() => []);
  assert.deepEqual(blobs, [], 'no blob may be left by a failed pull');
  const ingest = await fs.readdir(path.join(d.dataRoot, 'content/ingest')).catch(() => []);
  assert.deepEqual(ingest, []);
}

const name = () => `${proxy.host}/bad/box:v1`;

test('a corrupted layer fails the digest check and nothing of it stays', async () => {
  proxy.fault = 'corrupt';
  const r = await runDocker(d.dockerHost, ['pull', name()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /verification failed for digest sha256:[0-9a-f]{64}/);
  await nothingLeft();
});

test('a truncated download is retried, then fails clearly', async () => {
  proxy.fault = 'truncate';
  const r = await runDocker(d.dockerHost, ['pull', name()], { timeoutMs: 60_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /Retrying in 1 second/);
  assert.match(r.stderr, /aborted|truncated|reset|premature close/i);
  await nothingLeft();
});

test('an unknown layer media type is refused before any download', async () => {
  proxy.fault = 'unknown-media-type';
  const r = await runDocker(d.dockerHost, ['pull', name()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unsupported media type application\/x-unknown-layer/);
  await nothingLeft();
});

test('403 from the registry and an unreachable registry', async () => {
  proxy.fault = 'forbidden';
  const denied = await runDocker(d.dockerHost, ['pull', name()]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /pull access denied for .*bad\/box/);
  const port = await freePort();
  const gone = await runDocker(d.dockerHost, ['pull', `127.0.0.1:${port}/any/thing:v1`]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));
  await nothingLeft();
});

test('a slow registry still delivers; then the image runs', async () => {
  proxy.fault = 'slow';
  const r = await runDocker(d.dockerHost, ['pull', name()], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  proxy.fault = 'none';
  const run = await runDocker(d.dockerHost, ['run', '--rm', name(), 'echo', 'intact']);
  assert.equal(run.stdout, 'intact\n', run.stderr);
});

test('a download that breaks half way resumes where it broke (Range) and the pull completes', async () => {
  const rm = await runDocker(d.dockerHost, ['rmi', name()]);
  assert.equal(rm.code, 0, rm.stderr);
  await nothingLeft();
  proxy.fault = 'truncate-once';
  proxy.blobRequests.length = 0;
  const r = await runDocker(d.dockerHost, ['pull', name()], { timeoutMs: 60_000 });
  proxy.fault = 'none';
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Retrying in 1 second/);
  const m = await fetch(`http://${reg.host}/v2/bad/box/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  const layer = ((await m.json()) as { layers: Array<{ digest: string; size: number }> }).layers[0]!;
  const gets = proxy.blobRequests.filter((q) => q.digest === layer.digest);
  assert.equal(gets.length, 2, JSON.stringify(proxy.blobRequests));
  assert.equal(gets[0]!.range, undefined);
  assert.equal(gets[1]!.range, `bytes=${gets[0]!.sent}-`, 'the retry asks for the rest only');
  assert.equal(gets[0]!.sent + gets[1]!.sent, layer.size, 'nothing is downloaded twice');
  const run = await runDocker(d.dockerHost, ['run', '--rm', name(), 'echo', 'resumed']);
  assert.equal(run.stdout, 'resumed\n', run.stderr);
});
