import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runBerth, startBerthd, type Berthd } from '../../helpers/berthd.js';

/** The "Done when" through bin/berth: named volumes, --mount, binds, :ro, --tmpfs, in-use, prune. */
let d: Berthd;
let host: string;
const berth = (args: string[]) => runBerth(d.dockerHost, args);
const ok = async (args: string[]) => {
  const r = await berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const volumeNames = async () => (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean).sort();

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  host = path.join(d.base, 'host');
  await fs.mkdir(host);
});
after(async () => {
  await d?.stop();
});

test('berth run -v name:/p creates the volume; a later container reads the data; ls and inspect show it', async () => {
  await ok(['run', '--rm', '-v', 'bdata:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']);
  assert.equal(await ok(['run', '--rm', '-v', 'bdata:/data', 'busybox', 'cat', '/data/f']), 'kept\n');
  assert.equal(await ok(['volume', 'ls']), 'DRIVER    VOLUME NAME\nlocal     bdata\n');
  assert.equal(await ok(['volume', 'inspect', '-f', '{{.Name}} {{.Mountpoint}}', 'bdata']), `bdata ${path.join(d.dataRoot, 'volumes/bdata/_data')}\n`);
  assert.equal(await ok(['run', '--rm', '--mount', 'type=volume,source=bdata,target=/m', 'busybox', 'cat', '/m/f']), 'kept\n');
  await ok(['volume', 'rm', 'bdata']);
});

test('berth: bind mounts read and write back, :ro refuses writes, --mount refuses a missing source, relative -v is made absolute', async () => {
  await fs.writeFile(path.join(host, 'in'), 'host\n');
  assert.equal(await ok(['run', '--rm', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'cat /h/in; echo back > /h/out']), 'host\n');
  assert.equal(await fs.readFile(path.join(host, 'out'), 'utf8'), 'back\n');
  const ro = await berth(['run', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'touch', '/h/x']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  const missing = await berth(['run', '--rm', '--mount', `type=bind,source=${host}/none,target=/m`, 'busybox', 'true']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /invalid mount config for type "bind": bind source path does not exist: .*\/none/);
  const rel = await berth(['run', '--rm', '-v', 'not/abs:/m', 'busybox', 'true']);
  assert.equal(rel.code, 125);
  assert.match(rel.stderr, /"not\/abs" includes invalid characters for a local volume name/);
  const target = await berth(['run', '--rm', '-v', 'v:rel', 'busybox', 'true']);
  assert.match(target.stderr, /invalid mount path: 'rel' mount path must be absolute/);
  assert.deepEqual(await volumeNames(), []);
});

test('berth: --tmpfs mounts a tmpfs', async () => {
  assert.match(await ok(['run', '--rm', '--tmpfs', '/t:size=1m', 'busybox', 'grep', ' /t ', '/proc/mounts']), /^tmpfs \/t tmpfs .*size=1024k/);
  assert.match(await ok(['run', '--rm', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', 'busybox', 'grep', ' /t ', '/proc/mounts']), /^tmpfs \/t tmpfs /);
});

test('berth: an in-use volume cannot be removed; --volumes-from; rm -v and prune remove anonymous volumes', async () => {
  await ok(['create', '--name', 'holder', '-v', 'used:/u', '-v', '/anon', 'busybox', 'true']);
  const rm = await berth(['volume', 'rm', 'used']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /remove used: volume is in use - \[[0-9a-f]{64}\]/);
  assert.equal(await ok(['run', '--rm', '--volumes-from', 'holder', 'busybox', 'sh', '-c', 'echo x > /u/f; echo y > /anon/g; cat /u/f /anon/g']), 'x\ny\n');
  const ro = await berth(['run', '--rm', '--volumes-from', 'holder:ro', 'busybox', 'touch', '/u/h']);
  assert.notEqual(ro.code, 0);
  await ok(['rm', 'holder']);
  // the anonymous volume outlives a plain rm; prune takes it, not the named one
  const left = await volumeNames();
  assert.equal(left.length, 2);
  const p = await ok(['volume', 'prune', '-f']);
  assert.match(p, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 2B\n$/);
  assert.deepEqual(await volumeNames(), ['used']);
  await ok(['create', '--name', 'h2', '-v', '/anon2', 'busybox', 'true']);
  await ok(['rm', '-v', 'h2']);
  assert.deepEqual(await volumeNames(), ['used']);
  await ok(['volume', 'rm', 'used']);
});
