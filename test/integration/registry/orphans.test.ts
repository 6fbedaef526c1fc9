import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, eventually, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, startFaultyProxy, type TestRegistry } from '../../helpers/registries.js';

/**
 * What a pull that fails half-way leaves: the layers it completed stay in the content store (a later pull
 * of the same image skips them), no image names them, and `image prune` / `system prune` remove them and
 * count them in SpaceReclaimed. A pull that is still running keeps what it wrote from a prune.
 */
let src: Berthd;
let d: Berthd;
let reg: TestRegistry;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
/** compressed digests of the two layers in the registry, base first */
let blobs: string[];
/** their diff IDs: the names they have in berthd's content store */
let diffIds: string[];

before(async () => {
  src = await startBerthd();
  await bootstrapBusybox(src);
  reg = await startBerthRegistry();
  const name = `${reg.host}/two/layers:v1`;
  const b = await runDocker(src.dockerHost, ['build', '-q', '-t', name, '-'], { input: 'FROM busybox\nRUN echo second layer > /second\n' });
  assert.equal(b.code, 0, b.stderr);
  const p = await runDocker(src.dockerHost, ['push', name]);
  assert.equal(p.code, 0, p.stderr);
  diffIds = JSON.parse((await runDocker(src.dockerHost, ['inspect', '-f', '{{json .RootFS.Layers}}', name])).stdout) as string[];
  assert.equal(diffIds.length, 2);
  const res = await fetch(`http://${reg.host}/v2/two/layers/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  blobs = ((await res.json()) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest);
  proxy = await startFaultyProxy(reg.host);
  d = await startBerthd();
});
after(async () => {
  await proxy?.close();
  await d?.stop();
  await src?.stop();
  await reg?.stop();
});

const image = () => `${proxy.host}/two/layers:v1`;
const blobDir = () => path.join(d.dataRoot, 'content/blobs/sha256');
const stored = async () => (await fs.readdir(blobDir()).catch(() => [] as string[])).map((h) => `sha256:${h}`).sort();

/** A pull whose second layer is corrupted: it fails, no image, the first layer's blob stays. */
async function failHalfWay(): Promise<void> {
  proxy.fault = 'corrupt';
  proxy.onlyBlob = blobs[1];
  const r = await runDocker(d.dockerHost, ['pull', image()]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /verification failed for digest/);
  assert.equal((await runDocker(d.dockerHost, ['images', '-q'])).stdout, '');
  assert.deepEqual(await stored(), [diffIds[0]], 'the completed first layer stays for a later pull');
}

test('image prune and system prune remove what a failed pull left and report it; a later pull reuses what is left', async () => {
  await failHalfWay();
  const size = (await fs.stat(path.join(blobDir(), diffIds[0]!.slice(7)))).size;
  const prune = await request(d.socket, 'POST', '/images/prune');
  assert.equal(prune.status, 200, prune.body);
  const body = JSON.parse(prune.body) as { ImagesDeleted: Array<{ Deleted?: string }>; SpaceReclaimed: number };
  assert.ok(body.SpaceReclaimed >= size, `SpaceReclaimed ${body.SpaceReclaimed} counts the ${size}-byte blob`);
  assert.deepEqual(body.ImagesDeleted, [{ Deleted: diffIds[0] }]);
  assert.deepEqual(await stored(), []);

  await failHalfWay();
  const sys = await runDocker(d.dockerHost, ['system', 'prune', '-f']);
  assert.equal(sys.code, 0, sys.stderr);
  assert.match(sys.stdout, new RegExp(`Deleted Images:\\ndeleted: ${diffIds[0]}\\n`));
  assert.match(sys.stdout, /Total reclaimed space: [1-9][\d.]*[kM]B/);
  assert.deepEqual(await stored(), []);

  // the leftover of a failed pull is what the next pull skips
  await failHalfWay();
  proxy.fault = 'none';
  const good = await runDocker(d.dockerHost, ['pull', image()]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, new RegExp(`${blobs[0]!.slice(7, 19)}: Already exists`));
  assert.match(good.stdout, new RegExp(`${blobs[1]!.slice(7, 19)}: Pull complete`));
  // a prune keeps everything an image names
  const again = await runDocker(d.dockerHost, ['image', 'prune', '-f']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Total reclaimed space: 0B/);
  const run = await runDocker(d.dockerHost, ['run', '--rm', image(), 'cat', '/second']);
  assert.equal(run.stdout, 'second layer\n', run.stderr);
  assert.equal((await runDocker(d.dockerHost, ['rmi', image()])).code, 0);
  assert.deepEqual(await stored(), []);
});

test('a prune while a pull is running leaves the layers it already wrote', async () => {
  // the base layer trickles in; the small top layer is stored at once
  proxy.fault = 'slow';
  proxy.onlyBlob = blobs[0];
  const pulling = runDocker(d.dockerHost, ['pull', image()], { timeoutMs: 120_000 });
  await eventually(async () => (await stored()).includes(diffIds[1]!), 30_000, 'the top layer stored');
  const prune = JSON.parse((await request(d.socket, 'POST', '/images/prune')).body) as { SpaceReclaimed: number };
  assert.equal(prune.SpaceReclaimed, 0);
  assert.ok((await stored()).includes(diffIds[1]!), 'a running pull keeps its layers');
  const r = await pulling;
  assert.equal(r.code, 0, r.stderr);
  proxy.fault = 'none';
  const run = await runDocker(d.dockerHost, ['run', '--rm', image(), 'cat', '/second']);
  assert.equal(run.stdout, 'second layer\n', run.stderr);
});
