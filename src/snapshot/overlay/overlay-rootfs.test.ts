import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRootfsManager, overlayWorks } from '../rootfs-factory.js';
import { mountCount } from '../mountinfo.js';
import { OverlayRootfsManager } from './overlay-rootfs.js';
import { rootfsManagerSuite } from '../rootfs-manager.case.js';

rootfsManagerSuite('overlay', async (root) => new OverlayRootfsManager(root), { mounts: true });

test('factory picks overlay when it works', async () => {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  try {
    const works = await overlayWorks(root);
    assert.equal((await createRootfsManager({ dataRoot: root })).driver, works ? 'overlay' : 'native');
    assert.equal((await createRootfsManager({ dataRoot: root, driver: 'native' })).driver, 'native');
    assert.deepEqual(await fs.readdir(path.join(root, 'rootfs')), []);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('overlay: a lowerdir list longer than a page mounts through short links', async () => {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  const m = new OverlayRootfsManager(root);
  try {
    const lower: string[] = [];
    for (let i = 0; i < 60; i++) {
      const d = path.join(root, 'layers', `${String(i).padStart(2, '0')}${'a'.repeat(62)}`, 'diff');
      await fs.mkdir(d, { recursive: true });
      await fs.writeFile(path.join(d, `f${i}`), String(i));
      lower.unshift(d);
    }
    assert.ok(lower.join(':').length > 4096);
    await m.create('long', lower);
    const merged = await m.mount('long');
    assert.equal((await fs.readdir(merged)).length, 60);
    assert.equal(await fs.readFile(path.join(merged, 'f0'), 'utf8'), '0');
    assert.equal(await mountCount(merged), 1);
  } finally {
    await m.remove('long');
    await fs.rm(root, { recursive: true, force: true });
  }
});
