import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isKind } from '../errdefs/index.js';
import { runCommand, sha256 } from '../util/index.js';
import { createLayerStore } from './layer-store.js';
import { unpackLayer } from './layer-unpack.js';
import { getXattr, OPAQUE_XATTR, setXattr } from './sys-calls.js';
import { buildTar, type FixtureEntry, writeTar } from './tar-fixture.js';

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  try {
    await fn(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const sample: FixtureEntry[] = [
  { name: './', type: 'directory', mode: 0o755 },
  { name: 'bin/', type: 'directory' },
  { name: 'bin/tool', content: 'tool', mode: 0o4755, uid: 1000, gid: 1001 },
  { name: 'bin/tool-link', type: 'link', linkname: 'bin/tool' },
  { name: 'bin/sh', type: 'symlink', linkname: 'tool' },
  { name: 'etc/conf', content: 'x=1\n', mtime: new Date(1_500_000_000_000), pax: { 'SCHILY.xattr.user.foo': 'bar' } },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'run/fifo', type: 'fifo' },
];

test('unpacks owners, modes, links, xattrs and mtimes; diff ID is the tar digest', () =>
  withRoot(async (root) => {
    const bytes = await buildTar(sample);
    await fs.writeFile(`${root}/l.tar`, bytes);
    await fs.mkdir(`${root}/d`);
    const scan = await unpackLayer(`${root}/l.tar`, `${root}/d`);
    assert.equal(scan.diffId, sha256(bytes));
    assert.equal(scan.size, 4 + 4);
    const st = await fs.stat(`${root}/d/bin/tool`);
    assert.equal(st.mode & 0o7777, 0o4755);
    assert.equal(st.uid, 1000);
    assert.equal(st.gid, 1001);
    assert.equal(st.nlink, 2);
    assert.equal(await fs.readlink(`${root}/d/bin/sh`), 'tool');
    assert.equal((await fs.stat(`${root}/d/etc/conf`)).mtimeMs, 1_500_000_000_000);
    assert.equal(getXattr(`${root}/d/etc/conf`, 'user.foo')?.toString(), 'bar');
    const dev = await fs.lstat(`${root}/d/dev/null`);
    assert.ok(dev.isCharacterDevice());
    assert.equal(dev.rdev, (1 << 8) | 3);
    assert.ok((await fs.lstat(`${root}/d/run/fifo`)).isFIFO());
  }));

test('a gzip layer unpacks and its diff ID is that of the uncompressed tar', () =>
  withRoot(async (root) => {
    const plain = await buildTar(sample);
    await fs.writeFile(`${root}/l.tgz`, await buildTar(sample, { gzip: true }));
    await fs.mkdir(`${root}/d`);
    const scan = await unpackLayer(`${root}/l.tgz`, `${root}/d`);
    assert.equal(scan.diffId, sha256(plain));
    assert.equal(await fs.readFile(`${root}/d/bin/tool`, 'utf8'), 'tool');
  }));

test('security.capability survives byte for byte', () =>
  withRoot(async (root) => {
    await fs.mkdir(`${root}/src`);
    await fs.writeFile(`${root}/src/ping`, 'x');
    // cap_net_raw+ep, vfs cap v2: bytes above 0x7f included on purpose
    const cap = Buffer.from('0000000201200000000000000000000000000000', 'hex');
    cap[4] = 0x00;
    cap[5] = 0x20;
    cap[7] = 0x80;
    setXattr(`${root}/src/ping`, 'security.capability', cap);
    await runCommand('tar', ['-c', '--xattrs', '--xattrs-include=*', '-f', `${root}/l.tar`, '-C', `${root}/src`, 'ping']);
    await fs.mkdir(`${root}/d`);
    await unpackLayer(`${root}/l.tar`, `${root}/d`);
    assert.deepEqual(getXattr(`${root}/d/ping`, 'security.capability'), getXattr(`${root}/src/ping`, 'security.capability'));
  }));

test('OCI whiteouts become overlay whiteouts and opaque dirs', () =>
  withRoot(async (root) => {
    await writeTar(`${root}/l.tar`, [
      { name: 'etc/', type: 'directory', mtime: new Date(1_400_000_000_000) },
      { name: 'etc/.wh.passwd', uid: 3, gid: 4 },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/.wh..wh..opq' },
      { name: 'opq/new', content: 'n' },
      { name: '.wh..wh.plnk', type: 'directory' },
    ]);
    await fs.mkdir(`${root}/d`);
    await unpackLayer(`${root}/l.tar`, `${root}/d`);
    const wh = await fs.lstat(`${root}/d/etc/passwd`);
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal(wh.uid, 3);
    assert.deepEqual((await fs.readdir(`${root}/d/etc`)).sort(), ['passwd']);
    assert.equal((await fs.stat(`${root}/d/etc`)).mtimeMs, 1_400_000_000_000);
    assert.equal(getXattr(`${root}/d/opq`, OPAQUE_XATTR)?.toString(), 'y');
    assert.deepEqual(await fs.readdir(`${root}/d/opq`), ['new']);
    assert.deepEqual((await fs.readdir(`${root}/d`)).sort(), ['etc', 'opq']);
  }));

const hostile: Array<[string, (outside: string) => FixtureEntry[]]> = [
  ['dot-dot member', () => [{ name: '../escape', content: 'x' }]],
  ['nested dot-dot member', () => [{ name: 'a/../../escape', content: 'x' }]],
  ['absolute symlink then a file through it', (o) => [{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/pwned', content: 'x' }]],
  ['relative symlink then a file through it', () => [{ name: 'evil', type: 'symlink', linkname: '../../outside' }, { name: 'evil/pwned', content: 'x' }]],
  ['symlink then a directory over it', (o) => [{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/', type: 'directory' }]],
  ['symlink then a whiteout through it', (o) => [{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/.wh.pwned' }]],
  ['hardlink to a dot-dot target', () => [{ name: 'h', type: 'link', linkname: '../outside/secret' }]],
  ['hardlink to an absolute outside target', (o) => [{ name: 'h', type: 'link', linkname: `${o}/secret` }]],
  ['hardlink through a symlink', (o) => [{ name: 'evil', type: 'symlink', linkname: o }, { name: 'h', type: 'link', linkname: 'evil/secret' }]],
];

for (const [what, entries] of hostile) {
  test(`hostile layer refused: ${what}`, () =>
    withRoot(async (root) => {
      const outside = `${root}/outside`;
      await fs.mkdir(outside);
      await fs.writeFile(`${outside}/secret`, 's');
      await fs.mkdir(`${root}/a/b/c`, { recursive: true });
      await writeTar(`${root}/l.tar`, entries(outside));
      const store = createLayerStore({ dataRoot: `${root}/a/b/c` });
      const chain = sha256('hostile');
      await assert.rejects(store.ensure(chain, `${root}/l.tar`), (e) => isKind(e, 'InvalidArgument'));
      assert.deepEqual(await fs.readdir(outside), ['secret']);
      assert.deepEqual((await fs.readdir(root)).sort(), ['a', 'l.tar', 'outside']);
      assert.deepEqual(await fs.readdir(`${root}/a/b/c/layers`), []);
      assert.equal(await store.get(chain), undefined);
    }));
}

test('an absolute member name is confined to the layer', () =>
  withRoot(async (root) => {
    const outside = `${root}/outside`;
    await fs.mkdir(outside);
    await writeTar(`${root}/l.tar`, [{ name: `${outside}/abs`, content: 'x' }]);
    await fs.mkdir(`${root}/d`);
    await unpackLayer(`${root}/l.tar`, `${root}/d`);
    assert.deepEqual(await fs.readdir(outside), []);
    assert.equal(await fs.readFile(path.join(`${root}/d`, outside, 'abs'), 'utf8'), 'x');
  }));

test('layer store: unpack once, expected diff ID enforced, remove', () =>
  withRoot(async (root) => {
    const bytes = await buildTar(sample);
    await fs.writeFile(`${root}/l.tar`, bytes);
    const store = createLayerStore({ dataRoot: root });
    const diffId = sha256(bytes);
    await assert.rejects(store.ensure(sha256('other'), `${root}/l.tar`, sha256('nope')), (e) => isKind(e, 'InvalidArgument') && /digest mismatch/.test((e as Error).message));
    const [a, b] = await Promise.all([store.ensure(diffId, `${root}/l.tar`, diffId), store.ensure(diffId, `${root}/l.tar`, diffId)]);
    assert.deepEqual(a, b);
    assert.equal(a.diffId, diffId);
    assert.deepEqual(await store.list(), [diffId]);
    assert.deepEqual((await fs.readdir(`${root}/layers`)).sort(), [diffId.slice(7)]);
    assert.equal(await fs.readFile(`${store.diffDir(diffId)}/bin/tool`, 'utf8'), 'tool');
    await store.remove(diffId);
    assert.deepEqual(await fs.readdir(`${root}/layers`), []);
  }));

test('layer store: a half-built layer left by a crash is never seen and is cleaned up', () =>
  withRoot(async (root) => {
    const bytes = await buildTar(sample);
    await fs.writeFile(`${root}/l.tar`, bytes);
    const diffId = sha256(bytes);
    await fs.mkdir(`${root}/layers/.tmp-deadbeef/diff/bin`, { recursive: true });
    const store = createLayerStore({ dataRoot: root });
    assert.equal(await store.get(diffId), undefined);
    assert.deepEqual(await store.list(), []);
    await store.ensure(diffId, `${root}/l.tar`, diffId);
    assert.deepEqual(await fs.readdir(`${root}/layers`), [diffId.slice(7)]);
  }));
