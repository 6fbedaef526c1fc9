import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mkdirInRoot, resolveInRoot } from './path-in-root.js';

test('resolveInRoot keeps absolute and climbing symlinks inside the root', async () => {
  const base = await fs.mkdtemp('/tmp/berth-test-pir-');
  try {
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    await fs.mkdir(root);
    await fs.mkdir(outside);
    await fs.symlink('/', path.join(root, 'abs'));
    await fs.symlink('../../../..', path.join(root, 'up'));
    await fs.symlink(outside, path.join(root, 'hostpath'));
    assert.equal(await resolveInRoot(root, '/abs/etc'), path.join(root, 'etc'));
    assert.equal(await resolveInRoot(root, '/up/etc'), path.join(root, 'etc'));
    assert.equal(await resolveInRoot(root, '/hostpath/x'), path.join(root, outside, 'x'));
    assert.equal(await resolveInRoot(root, '/../../x'), path.join(root, 'x'));
    const made = await mkdirInRoot(root, '/hostpath/work');
    assert.ok(made.startsWith(root + '/'));
    assert.deepEqual(await fs.readdir(outside), []);
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});

test('resolveInRoot follows relative links inside the root', async () => {
  const base = await fs.mkdtemp('/tmp/berth-test-pir-');
  try {
    await fs.mkdir(path.join(base, 'usr/bin'), { recursive: true });
    await fs.symlink('usr/bin', path.join(base, 'bin'));
    assert.equal(await resolveInRoot(base, '/bin/sh'), path.join(base, 'usr/bin/sh'));
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});
