import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isKind } from '../errdefs/index.js';
import { resolveInRoot } from './root-path.js';
import { makeTempDir } from './test-fixtures.js';
import { resolveUser } from './user.js';

describe('resolveUser', () => {
  let dir: string;
  let root: string;

  before(async () => {
    dir = await makeTempDir('berth-test-user-');
    root = path.join(dir, 'rootfs');
    await fs.mkdir(path.join(root, 'etc'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'etc', 'passwd'),
      '# comment\nroot:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n',
    );
    await fs.writeFile(path.join(root, 'etc', 'group'), 'root:x:0:\nwheel:x:10:root,app\naudio:x:29:app\napp:x:1000:\nnogroup:x:65534:\n');
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test("'' is root, with root's supplementary groups", async () => {
    assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [10] });
  });

  test('--group-add: names from the image\'s /etc/group and numbers, added once; an unknown name is refused', async () => {
    assert.deepEqual(await resolveUser(root, '1000:1000', ['audio', '4711', '29', 'wheel']), { uid: 1000, gid: 1000, additionalGids: [29, 4711, 10] });
    assert.deepEqual(await resolveUser(root, 'app', ['audio']), { uid: 1000, gid: 1000, additionalGids: [10, 29] });
    await assert.rejects(resolveUser(root, '', ['nosuchgroup']), (err: unknown) => isKind(err, 'InvalidArgument') && /Unable to find group nosuchgroup: no matching entries in group file/.test((err as Error).message));
  });

  test('name, uid, name:group, uid:gid', async () => {
    assert.deepEqual(await resolveUser(root, 'nobody'), { uid: 65534, gid: 65534, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, 'app'), { uid: 1000, gid: 1000, additionalGids: [10, 29] });
    assert.deepEqual(await resolveUser(root, '1000'), { uid: 1000, gid: 1000, additionalGids: [10, 29] });
    assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, 'app:wheel'), { uid: 1000, gid: 10, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, '1000:4321'), { uid: 1000, gid: 4321, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, '4242:4343'), { uid: 4242, gid: 4343, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, 'nobody:nogroup'), { uid: 65534, gid: 65534, additionalGids: [] });
  });

  test('unknown names are InvalidArgument with Docker wording', async () => {
    await assert.rejects(resolveUser(root, 'ghost'), (err: unknown) => isKind(err, 'InvalidArgument') && (err as Error).message === 'unable to find user ghost: no matching entries in passwd file');
    await assert.rejects(resolveUser(root, 'app:ghosts'), (err: unknown) => isKind(err, 'InvalidArgument') && (err as Error).message === 'unable to find group ghosts: no matching entries in group file');
  });

  test('no /etc/passwd: numeric ids still work, names do not', async () => {
    const bare = path.join(dir, 'bare');
    await fs.mkdir(bare, { recursive: true });
    assert.deepEqual(await resolveUser(bare, ''), { uid: 0, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(bare, '123:456'), { uid: 123, gid: 456, additionalGids: [] });
    await assert.rejects(resolveUser(bare, 'app'), (err: unknown) => isKind(err, 'InvalidArgument'));
  });

  test("a hostile /etc/passwd symlink to the host's file is resolved inside the root", async () => {
    const hostile = path.join(dir, 'hostile');
    await fs.mkdir(path.join(hostile, 'etc'), { recursive: true });
    await fs.mkdir(path.join(hostile, 'real'), { recursive: true });
    // the host's /etc/passwd has root and many system users; the container's must be used or nothing
    await fs.symlink('/etc/passwd', path.join(hostile, 'etc', 'passwd'));
    await fs.symlink('../../../../../../../../etc/group', path.join(hostile, 'etc', 'group'));
    await assert.rejects(resolveUser(hostile, 'daemon'), (err: unknown) => isKind(err, 'InvalidArgument'));
    await assert.rejects(resolveUser(hostile, 'nobody'), (err: unknown) => isKind(err, 'InvalidArgument'));
    // an in-root absolute symlink is followed inside the root
    await fs.rm(path.join(hostile, 'etc'), { recursive: true });
    await fs.symlink('/real', path.join(hostile, 'etc'));
    await fs.writeFile(path.join(hostile, 'real', 'passwd'), 'daemon:x:1:1::/:/bin/sh\n');
    assert.deepEqual(await resolveUser(hostile, 'daemon'), { uid: 1, gid: 1, additionalGids: [] });
  });

  test('resolveInRoot clamps .. and absolute links at the root', async () => {
    const r = path.join(dir, 'r');
    await fs.mkdir(path.join(r, 'a'), { recursive: true });
    await fs.symlink('/', path.join(r, 'a', 'up'));
    await fs.symlink('../../../../../etc', path.join(r, 'a', 'dotdot'));
    assert.equal(await resolveInRoot(r, '/a/up/etc/passwd'), path.join(r, 'etc', 'passwd'));
    assert.equal(await resolveInRoot(r, '/a/dotdot/shadow'), path.join(r, 'etc', 'shadow'));
    assert.equal(await resolveInRoot(r, '../../x'), path.join(r, 'x'));
    await fs.symlink('loop', path.join(r, 'loop'));
    await assert.rejects(resolveInRoot(r, '/loop/x'), /too many levels/);
  });
});
