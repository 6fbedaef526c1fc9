import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chainIds } from './chain-id.js';
import { createLayerStore } from './layer-store.js';
import { mountCount } from './mountinfo.js';
import type { RootfsManager } from './rootfs-manager.js';
import { buildTar, type FixtureEntry } from './tar-fixture.js';
import { sha256 } from '../util/index.js';

/**
 * The conformance suite every RootfsManager runs (overlay-rootfs.test.ts, native-rootfs.test.ts):
 * real layers from tars, whiteouts and opaque dirs must hide lower files in the mounted view.
 */
export function rootfsManagerSuite(name: string, make: (dataRoot: string) => Promise<RootfsManager>, opts: { mounts: boolean }): void {
  async function withManager(fn: (m: RootfsManager, root: string, ids: string[]) => Promise<void>): Promise<void> {
    const root = await fs.mkdtemp('/tmp/berth-test-');
    const ids: string[] = [];
    try {
      await fn(await make(root), root, ids);
    } finally {
      const m = await make(root);
      for (const id of ids) await m.remove(id).catch(() => undefined);
      await fs.rm(root, { recursive: true, force: true });
    }
  }

  async function layers(root: string, tars: FixtureEntry[][]): Promise<string[]> {
    const store = createLayerStore({ dataRoot: root });
    const files: string[] = [];
    const diffIds: string[] = [];
    for (const [i, entries] of tars.entries()) {
      const bytes = await buildTar(entries);
      const file = path.join(root, `layer${i}.tar`);
      await fs.writeFile(file, bytes);
      files.push(file);
      diffIds.push(sha256(bytes));
    }
    const chains = chainIds(diffIds);
    for (const [i, c] of chains.entries()) await store.ensure(c, files[i] ?? '', diffIds[i]);
    return chains.map((c) => store.diffDir(c)).reverse();
  }

  const bottom: FixtureEntry[] = [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0\n' },
    { name: 'etc/hostname', content: 'old\n' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/old', content: 'old' },
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', content: 'bb', mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'lnk', type: 'symlink', linkname: '/etc' },
  ];
  const top: FixtureEntry[] = [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.passwd' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/.wh..wh..opq' },
    { name: 'opq/new', content: 'new' },
    { name: 'lnk/', type: 'directory' },
    { name: 'lnk/file', content: 'f' },
  ];

  test(`${name}: whiteouts and opaque dirs hide lower files; writes land in the upper dir`, () =>
    withManager(async (m, root, ids) => {
      const lower = await layers(root, [bottom, top]);
      ids.push('c1');
      await m.create('c1', lower);
      const merged = await m.mount('c1');
      assert.deepEqual((await fs.readdir(path.join(merged, 'etc'))).sort(), ['hostname']);
      assert.deepEqual(await fs.readdir(path.join(merged, 'opq')), ['new']);
      assert.equal(await fs.readlink(path.join(merged, 'bin/sh')), 'busybox');
      assert.ok((await fs.lstat(path.join(merged, 'lnk'))).isDirectory());
      assert.deepEqual(await fs.readdir(path.join(merged, 'lnk')), ['file']);
      await fs.writeFile(path.join(merged, 'etc/hostname'), 'new\n');
      await fs.writeFile(path.join(merged, 'created'), 'c');
      assert.equal(await fs.readFile(path.join(m.upperDir('c1'), 'created'), 'utf8'), 'c');
      assert.equal(await fs.readFile(path.join(lower[1] ?? '', 'etc/hostname'), 'utf8'), 'old\n');
      // idempotent mount and unmount
      assert.equal(await m.mount('c1'), merged);
      if (opts.mounts) assert.equal(await mountCount(merged), 1);
      await Promise.all([m.mount('c1'), m.mount('c1')]);
      if (opts.mounts) assert.equal(await mountCount(merged), 1);
      await m.unmount('c1');
      await m.unmount('c1');
      if (opts.mounts) assert.equal(await mountCount(merged), 0);
      const again = await m.mount('c1');
      assert.equal(await fs.readFile(path.join(again, 'etc/hostname'), 'utf8'), 'new\n');
      await m.remove('c1');
      await m.remove('c1');
      if (opts.mounts) assert.equal(await mountCount(merged), 0);
      await assert.rejects(fs.access(path.join(root, 'rootfs', 'c1')));
    }));

  test(`${name}: an image without layers and a single-layer image`, () =>
    withManager(async (m, root, ids) => {
      ids.push('empty', 'single');
      await m.create('empty', []);
      const e = await m.mount('empty');
      assert.deepEqual(await fs.readdir(e), []);
      await fs.writeFile(path.join(e, 'x'), 'x');
      const lower = await layers(root, [bottom]);
      await m.create('single', lower);
      const s = await m.mount('single');
      assert.equal(await fs.readFile(path.join(s, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
      await m.unmount('empty');
      await m.unmount('single');
    }));
}
