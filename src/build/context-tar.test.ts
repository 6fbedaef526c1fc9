import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TarReader, type TarMember } from './context-tar.js';

function read(tar: Buffer, chunk: number): Array<[TarMember, string]> {
  const out: Array<[TarMember, string]> = [];
  const r = new TarReader((m, d) => out.push([m, d.toString()]));
  for (let i = 0; i < tar.length; i += chunk) r.push(Buffer.from(tar.subarray(i, i + chunk)));
  r.end();
  return out;
}

test('context tars of every format GNU tar writes, in any chunking: names (long ones too), types, modes, data', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-tar-'));
  try {
    const long = 'd'.repeat(120) + '/' + 'f'.repeat(130) + '.txt';
    mkdirSync(path.join(dir, 'src', 'd'.repeat(120)), { recursive: true });
    writeFileSync(path.join(dir, 'src', long), 'long\n', { mode: 0o640 });
    writeFileSync(path.join(dir, 'src', 'big'), Buffer.alloc(5000, 7));
    symlinkSync('big', path.join(dir, 'src', 'link'));
    for (const format of ['gnu', 'posix', 'ustar']) {
      if (format === 'ustar') rmSync(path.join(dir, 'src', 'd'.repeat(120)), { recursive: true }); // ustar cannot hold the long name
      const tar = execFileSync('tar', ['--format', format, '-cf', '-', '-C', path.join(dir, 'src'), '.']);
      for (const chunk of [1, 100, 512, 70_000]) {
        const got = new Map(read(tar, chunk).map(([m, d]) => [m.name.replace(/^\.\//, ''), { m, d }]));
        assert.equal(got.get('big')!.d, Buffer.alloc(5000, 7).toString(), `${format}/${chunk}`);
        assert.equal(got.get('link')!.m.type, 'symlink');
        assert.equal(got.get('link')!.m.linkname, 'big');
        if (format !== 'ustar') {
          assert.equal(got.get(long)!.d, 'long\n', `${format}/${chunk}`);
          assert.equal(got.get(long)!.m.mode & 0o777, 0o640);
          assert.equal(got.get('d'.repeat(120) + '/')!.m.type, 'directory');
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tar cut after its last member\'s data is read; one cut inside a member or with a bad header is refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-tar-'));
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\n');
    const tar = execFileSync('tar', ['--format', 'posix', '-cf', '-', '-C', dir, 'Dockerfile']);
    const dataEnd = tar.indexOf('FROM busybox\n') + 'FROM busybox\n'.length;
    assert.equal(read(tar.subarray(0, dataEnd), 512)[0]![1], 'FROM busybox\n');
    assert.throws(() => read(tar.subarray(0, dataEnd - 3), 512), /unexpected end of the tar inside a member/);
    const bad = Buffer.from(tar);
    bad[0] = 0x41;
    assert.throws(() => read(bad, 512), /invalid tar header/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
