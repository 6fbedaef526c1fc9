import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runBerth, startBerthd } from '../../helpers/berthd.js';

/** Image commands through the berth CLI: tag, rmi, history, save/load, import, image prune. */
let d: Berthd;
let dir: string;
const berth = (args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }) => runBerth(d.dockerHost, args, opts);

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-img-'));
});
after(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('tag, images with a reference argument, rmi prints Untagged', async () => {
  const tag = await berth(['tag', 'busybox', 'me/box:1']);
  assert.equal(tag.code, 0, tag.stderr);
  assert.equal(tag.stdout, '');
  const ls = await berth(['images', '--format', '{{.Repository}} {{.Tag}}']);
  assert.match(ls.stdout, /^me\/box 1$/m);
  const ids = await berth(['images', '-q']);
  const [a, b] = ids.stdout.trim().split('\n');
  assert.equal(a, b, 'both tags are one image');
  const rmi = await berth(['rmi', 'me/box:1']);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal(rmi.stdout, 'Untagged: me/box:1\n');
});

test('images REPOSITORY lists only that repository', async () => {
  await berth(['tag', 'busybox', 'only/this:1']);
  const ls = await berth(['images', 'only/this', '--format', '{{.Repository}} {{.Tag}}']);
  assert.equal(ls.stdout, 'only/this 1\n');
});

test('tag and rmi errors', async () => {
  const bad = await berth(['tag', 'nonexist', 'x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^Error response from daemon: No such image: nonexist/);
  const rmi = await berth(['rmi', 'nonexist']);
  assert.equal(rmi.code, 1);
  assert.match(rmi.stderr, /^Error response from daemon: No such image: nonexist/);
  const usage = await berth(['tag', 'busybox']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /^berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag SOURCE_IMAGE\[:TAG\] TARGET_IMAGE\[:TAG\]\n/);
});

test('history table', async () => {
  const r = await berth(['history', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^IMAGE          CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
  const q = await berth(['history', '-q', 'busybox']);
  assert.match(q.stdout, /^([0-9a-f]{12}|<missing>)\n/);
});

test('save -o and load -i round trip; save refuses nothing when redirected', async () => {
  const file = path.join(dir, 'bb.tar');
  const save = await berth(['save', '-o', file, 'busybox']);
  assert.equal(save.code, 0, save.stderr);
  assert.ok(statSync(file).size > 1_000_000);
  await berth(['rmi', 'busybox']);
  const load = await berth(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: busybox:latest\n$/);
  const run = await berth(['run', '--rm', 'busybox', 'echo', 'back']);
  assert.equal(run.stdout, 'back\n');
  const missing = await berth(['load', '-i', path.join(dir, 'nope.tar')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such file or directory/);
});

test('import from stdin with -c changes and a message', async () => {
  const file = path.join(dir, 'bb2.tar');
  await berth(['save', '-o', file, 'busybox']);
  // a rootfs tar: reuse what bootstrap builds, through the CLI's own builder
  const { buildBusyboxRootfs } = await import('../../../src/cli/image/busybox-rootfs.js');
  const rootfs = await buildBusyboxRootfs();
  const r = await berth(['import', '-c', 'ENV FOO=bar', '-c', 'CMD ["echo","imported"]', '-m', 'hello', '-', 'imp:1'], { input: rootfs });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const run = await berth(['run', '--rm', 'imp:1']);
  assert.equal(run.stdout, 'imported\n');
  const env = await berth(['inspect', '-f', '{{.Config.Env}} {{.Comment}}', 'imp:1']);
  assert.match(env.stdout, /FOO=bar/);
});

test('image prune -f on a clean store reclaims nothing', async () => {
  const r = await berth(['image', 'prune', '-f']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Total reclaimed space: /);
});
