import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, test } from 'node:test';
import tar from 'tar-stream';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from '../../snapshot/tar-writer.js';
import { tarOfSpot } from './archive-reader.js';
import { extractInRoot } from './extract.js';
import { RootedFs } from './rooted-fs.js';

let base: string;
let root: string;
let outside: string;

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'berth-extract-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'dest'), { recursive: true });
  mkdirSync(outside);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

type Member = Partial<TarHeader> & { name: string; data?: string };

/** A tar built by hand, so that hostile names reach the extractor as they are. */
function tarOf(members: Member[]): Readable {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? '');
    parts.push(encodeHeader({ type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(1_600_000_000_000), ...m, size: data.length }));
    if (data.length) parts.push(data, padding(data.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Readable.from([Buffer.concat(parts)]);
}

async function extract(members: Member[], dest = '/dest', opts: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
  const rfs = await RootedFs.open(root);
  try {
    await extractInRoot(rfs, tarOf(members), { dest, noOverwriteDirNonDir: opts.noOverwriteDirNonDir ?? false });
  } finally {
    await rfs.close();
  }
}

function outsideIsEmpty(): void {
  assert.deepEqual(readdirSync(outside), []);
  assert.equal(existsSync(path.join(base, 'x')), false);
  assert.equal(existsSync(path.join(base, 'pwned')), false);
}

test('a file copied through /escape -> / lands in the container root', async () => {
  symlinkSync('/', path.join(root, 'escape'));
  symlinkSync('../../..', path.join(root, 'up'));
  await extract([{ name: 'x', data: 'one' }], '/escape');
  assert.equal(readFileSync(path.join(root, 'x'), 'utf8'), 'one');
  await extract([{ name: 'y', data: 'two' }], '/up');
  assert.equal(readFileSync(path.join(root, 'y'), 'utf8'), 'two');
  await extract([{ name: 'escape/z', data: 'three' }], '/');
  assert.equal(readFileSync(path.join(root, 'z'), 'utf8'), 'three');
  outsideIsEmpty();
});

test('a link to a host path is a path inside the root', async () => {
  symlinkSync(outside, path.join(root, 'dest/host'));
  await extract([{ name: 'host/x', data: 'in' }]);
  assert.equal(readFileSync(path.join(root, outside, 'x'), 'utf8'), 'in');
  outsideIsEmpty();
});

test('a symlink member followed by a file through it stays inside', async () => {
  await extract([
    { name: 'evil', type: 'symlink', linkname: '../../../..' },
    { name: 'evil/pwned', data: 'p' },
    { name: 'abs', type: 'symlink', linkname: outside },
    { name: 'abs/pwned', data: 'q' },
  ]);
  assert.equal(readlinkSync(path.join(root, 'dest/evil')), '../../../..');
  assert.equal(readFileSync(path.join(root, 'pwned'), 'utf8'), 'p');
  assert.equal(readFileSync(path.join(root, outside, 'pwned'), 'utf8'), 'q');
  outsideIsEmpty();
});

test('a member that climbs out of the destination is refused; absolute names are confined', async () => {
  await assert.rejects(extract([{ name: '../../x', data: 'x' }]), /outside of the destination/);
  await assert.rejects(extract([{ name: 'a/../../../x', data: 'x' }]), /outside of the destination/);
  await assert.rejects(extract([{ name: 'h', type: 'link', linkname: '../../../etc/passwd' }]), /outside of the destination/);
  await extract([{ name: '/abs/file', data: 'a' }]);
  assert.equal(readFileSync(path.join(root, 'dest/abs/file'), 'utf8'), 'a');
  outsideIsEmpty();
});

test('an existing symlink at a member name is replaced, never written through', async () => {
  writeFileSync(path.join(outside, 'target'), 'host');
  symlinkSync(path.join(outside, 'target'), path.join(root, 'dest/f'));
  await extract([{ name: 'f', data: 'new' }]);
  assert.ok(lstatSync(path.join(root, 'dest/f')).isFile());
  assert.equal(readFileSync(path.join(outside, 'target'), 'utf8'), 'host');
});

test('modes, owners, mtimes, symlinks and hard links are kept', async () => {
  const mtime = new Date(1_500_000_000_000);
  await extract([
    { name: 'dir', type: 'directory', mode: 0o750, uid: 12, gid: 34, mtime },
    { name: 'dir/suid', data: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1000, mtime },
    { name: 'dir/hard', type: 'link', linkname: 'dir/suid' },
    { name: 'dir/soft', type: 'symlink', linkname: 'suid' },
    { name: 'dir/fifo', type: 'fifo', mode: 0o640 },
  ]);
  const d = statSync(path.join(root, 'dest/dir'));
  assert.equal(d.mode & 0o7777, 0o750);
  assert.equal(d.uid, 12);
  assert.equal(d.mtime.getTime(), mtime.getTime());
  const f = statSync(path.join(root, 'dest/dir/suid'));
  assert.equal(f.mode & 0o7777, 0o4755);
  assert.equal(f.uid, 1000);
  assert.equal(f.nlink, 2);
  assert.equal(f.mtime.getTime(), mtime.getTime());
  assert.equal(statSync(path.join(root, 'dest/dir/hard')).ino, f.ino);
  assert.equal(readlinkSync(path.join(root, 'dest/dir/soft')), 'suid');
  assert.ok(lstatSync(path.join(root, 'dest/dir/fifo')).isFIFO());
  assert.equal(lstatSync(path.join(root, 'dest/dir/fifo')).mode & 0o777, 0o640);
});

test('noOverwriteDirNonDir refuses to replace a directory by a file', async () => {
  mkdirSync(path.join(root, 'dest/d'));
  await assert.rejects(extract([{ name: 'd', data: 'x' }], '/dest', { noOverwriteDirNonDir: true }), /cannot overwrite directory/);
  await extract([{ name: 'd', data: 'x' }]);
  assert.ok(statSync(path.join(root, 'dest/d')).isFile());
});

test('a non-tar body is an invalid argument', async () => {
  const rfs = await RootedFs.open(root);
  try {
    await assert.rejects(extractInRoot(rfs, Readable.from([Buffer.alloc(1024, 'x')]), { dest: '/dest', noOverwriteDirNonDir: false }), /invalid tar/);
  } finally {
    await rfs.close();
  }
});

async function listTar(stream: Readable): Promise<Array<{ name: string; type: string; linkname: string | null; body: string }>> {
  const ex = tar.extract();
  const out: Array<{ name: string; type: string; linkname: string | null; body: string }> = [];
  stream.pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname ?? null, body: Buffer.concat(chunks).toString() });
  }
  return out;
}

test('the archive of a directory is rebased and never follows links', async () => {
  mkdirSync(path.join(root, 'data/sub'), { recursive: true });
  writeFileSync(path.join(root, 'data/sub/a'), 'A');
  symlinkSync('/', path.join(root, 'data/escape'));
  writeFileSync(path.join(outside, 'secret'), 's');
  const rfs = await RootedFs.open(root);
  try {
    const spot = await rfs.resolve('/data');
    const entries = await listTar(tarOfSpot(rfs, spot, { rootName: 'data' }));
    await rfs.release(spot);
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [['data/', 'directory'], ['data/escape', 'symlink'], ['data/sub/', 'directory'], ['data/sub/a', 'file']]);
    assert.equal(entries[3]!.body, 'A');
    const dot = await rfs.resolve('/data/.', { followLast: true });
    const contents = await listTar(tarOfSpot(rfs, dot, { rootName: '.' }));
    await rfs.release(dot);
    assert.deepEqual(contents.map((e) => e.name), ['./', './escape', './sub/', './sub/a']);
  } finally {
    await rfs.close();
  }
});
