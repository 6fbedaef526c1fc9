import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { mknodWhiteout, OPAQUE_XATTR, setXattr } from '../../snapshot/sys-calls.js';
import { ChangeKind, containerChanges } from './changes.js';

const base = mkdtempSync(path.join(tmpdir(), 'berth-changes-'));
after(() => rmSync(base, { recursive: true, force: true }));

test('changes of an upper dir against its layers, as docker diff lists them', async () => {
  const lower = path.join(base, 'lower');
  const upper = path.join(base, 'upper');
  for (const d of ['etc', 'tmp', 'bin', 'opq']) mkdirSync(path.join(lower, d), { recursive: true });
  writeFileSync(path.join(lower, 'etc/passwd'), 'root\n');
  writeFileSync(path.join(lower, 'etc/gone'), 'x');
  writeFileSync(path.join(lower, 'opq/old'), 'o');
  writeFileSync(path.join(lower, 'opq/kept'), 'k');
  // the upper dir after: echo >> /etc/passwd; rm /etc/gone; mkdir /new; touch /new/f; rm -r /opq; mkdir /opq; touch /opq/kept;
  // plus the runtime's mountpoint placeholders, which Docker keeps out of diff
  for (const d of ['etc', 'new', 'opq', 'tmp', 'proc', 'dev/pts']) mkdirSync(path.join(upper, d), { recursive: true });
  chmodSync(path.join(upper, 'tmp'), (await import('node:fs')).statSync(path.join(lower, 'tmp')).mode & 0o7777);
  writeFileSync(path.join(upper, 'etc/passwd'), 'root\nmore\n');
  mknodWhiteout(path.join(upper, 'etc/gone'));
  writeFileSync(path.join(upper, 'etc/hosts'), '');
  writeFileSync(path.join(upper, 'new/f'), 'f');
  setXattr(path.join(upper, 'opq'), OPAQUE_XATTR, 'y');
  writeFileSync(path.join(upper, 'opq/kept'), 'k2');
  const changes = await containerChanges(upper, [lower]);
  assert.deepEqual(changes, [
    { Path: '/etc', Kind: ChangeKind.Modified },
    { Path: '/etc/gone', Kind: ChangeKind.Deleted },
    { Path: '/etc/passwd', Kind: ChangeKind.Modified },
    { Path: '/new', Kind: ChangeKind.Added },
    { Path: '/new/f', Kind: ChangeKind.Added },
    { Path: '/opq', Kind: ChangeKind.Modified },
    { Path: '/opq/kept', Kind: ChangeKind.Modified },
    { Path: '/opq/old', Kind: ChangeKind.Deleted },
  ]);
});
