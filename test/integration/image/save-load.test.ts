import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('docker import of a rootfs tar makes a runnable image', async () => {
  const root = path.join(d.base, 'rootfs');
  await fs.mkdir(path.join(root, 'bin'), { recursive: true });
  await fs.copyFile('/bin/busybox', path.join(root, 'bin/busybox'));
  await fs.symlink('busybox', path.join(root, 'bin/sh'));
  await fs.symlink('busybox', path.join(root, 'bin/cat'));
  await fs.writeFile(path.join(root, 'motd'), 'imported!\n');
  const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  const imp = await runDocker(d.dockerHost, ['import', '-c', 'ENV PATH=/bin', '-c', 'CMD ["cat", "/motd"]', '-m', 'by test', '-', 'imported:v1'], { input: tar });
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const images = await runDocker(d.dockerHost, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.match(images.stdout, /^imported:v1$/m);
  const run = await runDocker(d.dockerHost, ['run', '--rm', 'imported:v1']);
  assert.equal(run.stdout, 'imported!\n', run.stderr);
  const hist = await runDocker(d.dockerHost, ['history', '--format', '{{.Comment}}', 'imported:v1']);
  assert.equal(hist.stdout, 'by test\n');
});

test('save, rmi and load round trip keeps the image ID and tags', async () => {
  const id = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const out = path.join(d.base, 'busybox.tar');
  const save = await runDocker(d.dockerHost, ['save', '-o', out, 'busybox']);
  assert.equal(save.code, 0, save.stderr);
  const listing = execFileSync('tar', ['-tf', out], { encoding: 'utf8' });
  assert.match(listing, /^manifest\.json$/m);
  const rmi = await runDocker(d.dockerHost, ['rmi', 'busybox']);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.match(rmi.stdout, /Untagged: busybox:latest/);
  assert.match(rmi.stdout, new RegExp(`Deleted: ${id}`));
  assert.equal((await runDocker(d.dockerHost, ['inspect', 'busybox'])).code, 1);
  const load = await runDocker(d.dockerHost, ['load', '-i', out]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: busybox:latest/);
  const again = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
  assert.equal(again, id);
  const run = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'echo', 'reloaded']);
  assert.equal(run.stdout, 'reloaded\n');
});

test('tag and rmi: an image in use cannot be removed without force', async () => {
  assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', 'mybox:1'])).code, 0);
  const c = (await runDocker(d.dockerHost, ['create', 'mybox:1', 'true'])).stdout.trim();
  const rmi = await runDocker(d.dockerHost, ['rmi', 'mybox:1']);
  assert.equal(rmi.code, 0, 'untagging one of two tags is fine');
  assert.match(rmi.stdout, /Untagged: mybox:1/);
  const id = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
  const byId = await runDocker(d.dockerHost, ['rmi', id]);
  assert.equal(byId.code, 1);
  assert.match(byId.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by stopped container [0-9a-f]{12}/);
  await runDocker(d.dockerHost, ['rm', c]);
  const unknown = await runDocker(d.dockerHost, ['rmi', 'nope:nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No such image: nope:nope/);
});
