import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { eventually, runBerth, runDocker, sleep, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, startFaultyProxy, type TestRegistry } from '../../helpers/registries.js';

/**
 * A pull (one pass: download, verify, store, scan and unpack at once) against the things that happen to
 * it: a second client pulling the same image at the same moment, the daemon killed half way, and a disk
 * that fills up. Each leaves no half layer (layers/.tmp-*), no half blob (content/ingest) and no image,
 * and the next pull works.
 */
let src: Berthd;
let reg: TestRegistry;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
let work: string;

/** an image of one layer of `mb` MB of random bytes (it does not compress) */
async function randomImage(d: Berthd, name: string, mb: number): Promise<void> {
  const dir = path.join(work, `layer-${mb}`);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'random.bin'), randomBytes(mb * 1024 * 1024));
  const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: (mb + 2) * 1024 * 1024 });
  const imp = await runDocker(d.dockerHost, ['import', '-', name], { input: tar, timeoutMs: 60_000 });
  assert.equal(imp.code, 0, imp.stderr);
  const push = await runDocker(d.dockerHost, ['push', name], { timeoutMs: 60_000 });
  assert.equal(push.code, 0, push.stderr);
}

/** the pulled layer holds the very bytes pushed (the image has no shell to look with) */
async function intact(d: Berthd): Promise<void> {
  const layers = (await fs.readdir(path.join(d.dataRoot, 'layers'))).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.equal(layers.length, 1, 'the one layer is unpacked once');
  const got = await fs.readFile(path.join(d.dataRoot, 'layers', layers[0]!, 'diff', 'random.bin'));
  assert.ok(got.equals(await fs.readFile(path.join(work, 'layer-4', 'random.bin'))), 'the layer holds the pushed bytes');
}

async function nothingHalf(d: Berthd): Promise<void> {
  const layers = await fs.readdir(path.join(d.dataRoot, 'layers')).catch(() => []);
  assert.deepEqual(layers.filter((n) => n.startsWith('.tmp-')), [], 'no half-unpacked layer');
  assert.deepEqual(await fs.readdir(path.join(d.dataRoot, 'content/ingest')).catch(() => []), [], 'no half-written blob');
}

const small = () => `${reg.host}/robust/small:v1`;
const big = () => `${reg.host}/robust/big:v1`;

before(async () => {
  work = await fs.mkdtemp('/tmp/berth-test-pull-');
  src = await startBerthd();
  reg = await startBerthRegistry();
  await randomImage(src, small(), 4);
  await randomImage(src, big(), 40);
  proxy = await startFaultyProxy(reg.host);
});
after(async () => {
  await proxy?.close();
  await src?.stop();
  await reg?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

test('two clients pull the same image at the same moment: both succeed, one copy of each layer', async () => {
  const d = await startBerthd();
  try {
    const [a, b] = await Promise.all([
      runDocker(d.dockerHost, ['pull', small()], { timeoutMs: 60_000 }),
      runBerth(d.dockerHost, ['pull', small()], { timeoutMs: 60_000 }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    await intact(d);
    await nothingHalf(d);
  } finally {
    await d.stop();
  }
});

test('a daemon killed in the middle of a pull leaves nothing half; after a restart the pull works', async () => {
  const d = await startBerthd();
  try {
    proxy.fault = 'slow';
    proxy.blobRequests.length = 0;
    const name = `${proxy.host}/robust/small:v1`;
    const pulling = runDocker(d.dockerHost, ['pull', name], { timeoutMs: 60_000 });
    // the layer is on its way (the slow proxy sends 64 KiB every 30 ms: 4 MiB take ~2 s)
    await eventually(async () => proxy.blobRequests.some((q) => q.sent > 1 << 20), 20_000, 'the layer download to start');
    await sleep(300);
    await d.kill9();
    const killed = await pulling;
    assert.notEqual(killed.code, 0, 'the client sees the pull end with the daemon');
    proxy.fault = 'none';
    await d.restart();
    assert.equal((await runDocker(d.dockerHost, ['images', '-q', name])).stdout, '', 'no image from the killed pull');
    const again = await runDocker(d.dockerHost, ['pull', name], { timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    await intact(d);
    await nothingHalf(d);
  } finally {
    proxy.fault = 'none';
    await d.stop();
  }
});

test('a pull that fills the disk fails with the disk named, leaves no image and nothing half, and the daemon goes on', async () => {
  // a data root on a 24 MiB tmpfs: a full disk for real, without filling the machine's
  const mnt = path.join(work, 'full');
  await fs.mkdir(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
  let d: Berthd | undefined;
  try {
    d = await startBerthd(['--data-root', mnt]);
    const r = await runDocker(d.dockerHost, ['pull', big()], { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no space left on device/i);
    assert.equal((await runDocker(d.dockerHost, ['images', '-q'])).stdout, '', 'no image');
    await nothingHalf(d);
    const used = Number(execFileSync('df', ['--output=used', '-k', mnt], { encoding: 'utf8' }).trim().split('\n').pop());
    assert.ok(used < 4 * 1024, `what the failed pull wrote is gone (${used} KiB used)`);
    // a pull that fits still works on the same daemon
    const ok = await runDocker(d.dockerHost, ['pull', small()], { timeoutMs: 60_000 });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await d?.stop();
    execFileSync('umount', ['-l', mnt]);
  }
});
