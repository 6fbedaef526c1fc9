import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

// A data root on a 24 MiB tmpfs: a full disk for real, without filling the machine's.
let d: Berthd;
let small: string;
before(async () => {
  small = await fs.mkdtemp('/tmp/berth-test-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', small]);
  d = await startBerthd(['--data-root', small]);
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
  if (small) {
    execFileSync('umount', ['-l', small]);
    await fs.rm(small, { recursive: true, force: true });
  }
});

test('an import that does not fit fails clearly, leaves no image and no temp files, and the daemon goes on', async () => {
  const before = await fs.readdir(path.join(small, 'content/blobs/sha256')).catch(() => []);
  const root = path.join(d.base, 'big');
  await fs.mkdir(root, { recursive: true });
  // random bytes do not compress: 40 MiB cannot fit into what is left of 24 MiB
  await fs.writeFile(path.join(root, 'blob'), randomBytes(40 * 1024 * 1024));
  const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  const imp = await runDocker(d.dockerHost, ['import', '-', 'toobig:1'], { input: tar, timeoutMs: 60_000 });
  assert.notEqual(imp.code, 0);
  assert.match(imp.stderr + imp.stdout, /no space left on device|ENOSPC/i);
  assert.equal((await request(d.socket, 'GET', '/images/toobig:1/json')).status, 404);
  const after = await fs.readdir(path.join(small, 'content/blobs/sha256')).catch(() => []);
  assert.deepEqual(after.sort(), before.sort(), 'no blob from the failed import');
  const { stdout } = await import('node:child_process').then((cp) => ({ stdout: cp.execFileSync('df', ['--output=used', '-k', small], { encoding: 'utf8' }) }));
  const usedKiB = Number(stdout.trim().split('\n').pop());
  assert.ok(usedKiB < 12 * 1024, `the temp files of the failed import are gone (${usedKiB} KiB used)`);
  const run = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'echo', 'still fine']);
  assert.equal(run.stdout, 'still fine\n', run.stderr);
});
