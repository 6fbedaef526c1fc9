import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { absPath } from './files-service.js';
import { confinedComponents, RootedFs, spotPath } from './rooted-fs.js';

let base: string;
let root: string;
let outside: string;

before(() => {
  base = mkdtempSync(path.join(tmpdir(), 'berth-rootedfs-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  symlinkSync('/', path.join(root, 'escape'));
  symlinkSync('../../..', path.join(root, 'up'));
  symlinkSync(outside, path.join(root, 'hostpath'));
  symlinkSync('/etc', path.join(root, 'etclink'));
  symlinkSync('loop', path.join(root, 'loop'));
});
after(() => rmSync(base, { recursive: true, force: true }));

async function withFs<T>(fn: (rfs: RootedFs) => Promise<T>): Promise<T> {
  const rfs = await RootedFs.open(root);
  try {
    return await fn(rfs);
  } finally {
    await rfs.close();
  }
}

test('symlinks are followed as if the root were /', async () => {
  await withFs(async (rfs) => {
    for (const p of ['/escape/x', '/up/x', '/etc/../../x', 'x', '/escape/up/escape/x']) {
      const s = await rfs.resolve(p);
      assert.equal(s.path, '/x', p);
      assert.equal(s.dir.path, '/', p);
      assert.equal(s.stat, undefined);
      await rfs.release(s);
    }
    await assert.rejects(rfs.resolve('/hostpath/x'), /ENOENT/);
    const host = await rfs.resolve('/hostpath/x', { mkdirParents: true });
    assert.equal(host.path, path.posix.join(outside, 'x'), 'an absolute link to a host path means that path inside the root');
    await rfs.release(host);
  });
});

test('the last element is followed only when asked', async () => {
  await withFs(async (rfs) => {
    const link = await rfs.resolve('/etclink');
    assert.ok(link.stat?.isSymbolicLink());
    await rfs.release(link);
    const dir = await rfs.resolve('/etclink', { followLast: true });
    assert.ok(dir.stat?.isDirectory());
    assert.equal(dir.path, '/etc');
    await rfs.release(dir);
    const root = await rfs.resolve('/escape', { followLast: true });
    assert.equal(root.name, '');
    assert.equal(root.path, '/');
    await assert.rejects(rfs.resolve('/loop', { followLast: true }), /ELOOP/);
    await assert.rejects(rfs.resolve('/etc/passwd/x'), /ENOTDIR/);
    await assert.rejects(rfs.resolve('/nope/x'), /ENOENT/);
  });
});

test('a directory swapped for a symlink after resolution cannot redirect the write', async () => {
  mkdirSync(path.join(root, 'd'));
  await withFs(async (rfs) => {
    const spot = await rfs.resolve('/d/f');
    // the container swaps /d for a link to the host's outside dir between resolution and write
    renameSync(path.join(root, 'd'), path.join(root, 'd2'));
    symlinkSync(outside, path.join(root, 'd'));
    const fh = await rfs.createFile(spot, 0o644);
    await fh.write('data');
    await fh.close();
    await rfs.release(spot);
    // a fresh resolution of the swapped path stays inside as well
    const again = await rfs.resolve('/d/g', { mkdirParents: true });
    assert.equal(again.path, path.posix.join(outside, 'g'));
    await rfs.release(again);
    await assert.rejects(rfs.openDir(rfs.rootDir, 'd'), /ELOOP|ENOTDIR/);
  });
  assert.equal(readFileSync(path.join(root, 'd2/f'), 'utf8'), 'data');
  assert.equal(existsSync(path.join(outside, 'f')), false);
});

test('createFile never writes through a symlink or over an existing file', async () => {
  await withFs(async (rfs) => {
    const spot = await rfs.resolve('/escape');
    await assert.rejects(rfs.createFile(spot, 0o644), /EEXIST|ELOOP/);
    await rfs.release(spot);
  });
});

test('setMeta on a symlink changes the link, not its target', async () => {
  await withFs(async (rfs) => {
    const spot = await rfs.resolve('/hostpath');
    await rfs.setMeta(spot, { uid: 0, gid: 0, mode: 0o777, mtime: new Date(1000) });
    await rfs.release(spot);
  });
  const { statSync } = await import('node:fs');
  assert.notEqual(statSync(outside).mode & 0o777, 0o777);
});

test('removeAll removes a tree without following links in it', async () => {
  mkdirSync(path.join(root, 'tree/sub'), { recursive: true });
  symlinkSync(outside, path.join(root, 'tree/sub/out'));
  writeFileSync(path.join(outside, 'keep'), 'k');
  await withFs(async (rfs) => {
    const spot = await rfs.resolve('/tree');
    await rfs.removeAll(spot);
    assert.equal(existsSync(spotPath(spot)), false);
    await rfs.release(spot);
  });
  assert.equal(readFileSync(path.join(outside, 'keep'), 'utf8'), 'k');
});

test('tar member names are confined below the destination', () => {
  assert.deepEqual(confinedComponents('/abs/x'), ['abs', 'x']);
  assert.deepEqual(confinedComponents('./a/../b'), ['b']);
  assert.throws(() => confinedComponents('../../x'), /outside of the destination/);
  assert.throws(() => confinedComponents('a/../../x'), /outside of the destination/);
});

test("Docker's absPath keeps a trailing / and /.", () => {
  assert.equal(absPath('etc'), '/etc');
  assert.equal(absPath('/etc/'), '/etc/');
  assert.equal(absPath('/etc/.'), '/etc/.');
  assert.equal(absPath('/'), '/');
  assert.equal(absPath('a/../b'), '/b');
});
