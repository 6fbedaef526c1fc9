import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, eventually, runDocker, startBerthd } from '../../helpers/berthd.js';

/** docker cp through the real docker CLI: both ways, tar streams, created containers, symlink escapes. */
let d: Berthd;
let dir: string;
const docker = (args: string[], opts?: { input?: string | Buffer }) => runDocker(d.dockerHost, args, opts);

/** A shell pipeline with the daemon as DOCKER_HOST (for `docker cp … - | tar`). */
function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { env: { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CONFIG: path.join(d.base, 'docker-config') }, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function mountedRootfs(): Promise<string[]> {
  return (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(path.join(d.dataRoot, 'rootfs')));
}

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync(path.join(tmpdir(), 'berth-cp-'));
  const r = await docker(['run', '-d', '--name', 'box', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('cp a file in and out of a running container', async () => {
  const local = path.join(dir, 'up.txt');
  writeFileSync(local, 'hello\n', { mode: 0o640 });
  const up = await docker(['cp', local, 'box:/tmp/']);
  assert.equal(up.code, 0, up.stderr);
  const down = await docker(['cp', 'box:/tmp/up.txt', path.join(dir, 'down.txt')]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(readFileSync(path.join(dir, 'down.txt'), 'utf8'), 'hello\n');
  assert.equal(statSync(path.join(dir, 'down.txt')).mode & 0o777, 0o640);
  // onto an existing file: overwritten
  writeFileSync(local, 'again\n');
  assert.equal((await docker(['cp', local, 'box:/tmp/up.txt'])).code, 0);
  assert.equal((await sh('docker cp box:/tmp/up.txt - | tar -xO')).stdout, 'again\n');
});

test('cp a directory, and dir/. for its contents', async () => {
  const src = path.join(dir, 'tree');
  mkdirSync(path.join(src, 'sub'), { recursive: true });
  writeFileSync(path.join(src, 'a'), 'A');
  writeFileSync(path.join(src, 'sub/b'), 'B');
  assert.equal((await docker(['cp', src, 'box:/opt'])).code, 0, 'into a missing path: the directory is created there');
  assert.equal((await docker(['cp', src, 'box:/opt'])).code, 0, 'into an existing dir: copied inside it');
  const list = await sh('docker cp box:/opt - | tar -t | sort');
  assert.equal(list.stdout, 'opt/\nopt/a\nopt/sub/\nopt/sub/b\nopt/tree/\nopt/tree/a\nopt/tree/sub/\nopt/tree/sub/b\n');
  const out = path.join(dir, 'out');
  mkdirSync(out);
  assert.equal((await docker(['cp', 'box:/opt/tree/.', out])).code, 0);
  assert.deepEqual(readdirSync(out).sort(), ['a', 'sub']);
  assert.equal(readFileSync(path.join(out, 'sub/b'), 'utf8'), 'B');
  assert.equal((await docker(['cp', 'box:/opt/tree', out])).code, 0);
  assert.equal(readFileSync(path.join(out, 'tree/a'), 'utf8'), 'A');
});

test('cp to stdout is a tar; cp from stdin extracts a tar', async () => {
  const passwd = await sh('docker cp box:/etc/passwd - | tar -tv');
  assert.match(passwd.stdout, /^-rw-r--r-- 0\/0 .* passwd\n$/);
  const dot = await sh('docker cp box:/etc/. - | tar -t');
  assert.match(dot.stdout, /^\.\/\n/m);
  assert.match(dot.stdout, /^\.\/passwd$/m);
  const tarDir = path.join(dir, 'in');
  mkdirSync(path.join(tarDir, 'deep'), { recursive: true });
  writeFileSync(path.join(tarDir, 'deep/f'), 'from stdin');
  const put = await sh(`tar -c -C ${tarDir} deep | docker cp - box:/tmp`);
  assert.equal(put.code, 0, put.stderr);
  assert.equal((await sh('docker cp box:/tmp/deep/f - | tar -xO')).stdout, 'from stdin');
});

test('stat header, missing paths and errors', async () => {
  const missing = await docker(['cp', 'box:/nonexist', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Could not find the file \/nonexist in container box/);
  const notDir = await sh('tar -c -C /etc hostname | docker cp - box:/etc/passwd');
  assert.notEqual(notDir.code, 0);
  assert.match(notDir.stderr, /must be a directory/, 'the CLI checks first');
  const { request } = await import('../../helpers/berthd.js');
  const put = await request(d.socket, 'PUT', '/containers/box/archive?path=/etc/passwd', Buffer.alloc(1024), { 'Content-Type': 'application/x-tar' });
  assert.equal(put.status, 400);
  assert.match(put.body, /extraction point is not a directory/);
  const res = await fetchStat('box', '/etc');
  assert.equal(res.status, 200);
  const stat = JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat']), 'base64').toString()) as { name: string; mode: number; linkTarget: string };
  assert.equal(stat.name, 'etc');
  assert.ok(stat.mode >= 2 ** 31, 'Go ModeDir bit');
  assert.equal((await fetchStat('box', '/nope')).status, 404);
  assert.equal((await fetchStat('nobox', '/etc')).status, 404);
});

async function fetchStat(ctr: string, p: string) {
  const { request } = await import('../../helpers/berthd.js');
  return request(d.socket, 'HEAD', `/containers/${ctr}/archive?path=${encodeURIComponent(p)}`);
}

test('cp works on a created container and leaves no mount behind', async () => {
  const c = await docker(['create', '--name', 'made', 'busybox', 'cat', '/x']);
  assert.equal(c.code, 0, c.stderr);
  const before = await mountedRootfs();
  writeFileSync(path.join(dir, 'x'), 'copied before start\n');
  const up = await docker(['cp', path.join(dir, 'x'), 'made:/x']);
  assert.equal(up.code, 0, up.stderr);
  assert.deepEqual(await mountedRootfs(), before, 'unmounted again');
  const start = await docker(['start', '-a', 'made']);
  assert.equal(start.stdout, 'copied before start\n');
  // start -a ends with the output; the exit (and its unmount) is recorded just after
  assert.equal((await docker(['wait', 'made'])).stdout, '0\n');
  // and on the stopped container
  assert.equal((await sh('docker cp made:/x - | tar -xO')).stdout, 'copied before start\n');
  // the tar's end reaches the client a moment before the daemon unmounts
  await eventually(async () => (await mountedRootfs()).length === before.length, 5000, 'unmount after cp from a stopped container');
  assert.deepEqual(await mountedRootfs(), before);
  const ro = await docker(['create', '--read-only', '--name', 'ro', 'busybox', 'true']);
  assert.equal(ro.code, 0, ro.stderr);
  const refused = await docker(['cp', path.join(dir, 'x'), 'ro:/tmp/']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /container rootfs is marked read-only/);
});

test('symlinks in the container never lead a copy out of it', async () => {
  const hostDir = mkdtempSync(path.join(tmpdir(), 'berth-cp-host-'));
  const marker = `berth-escape-${process.pid}-${Date.now()}`;
  try {
    const mk = await docker(['run', '--name', 'esc', 'busybox', 'sh', '-c', `ln -s / /escape && ln -s ../../.. /up && ln -s ${hostDir} /hostlink && mkdir /d && ln -s ../../../../.. /d/up`]);
    assert.equal(mk.code, 0, mk.stderr);
    const file = path.join(dir, marker);
    writeFileSync(file, 'contained\n');
    for (const target of [`esc:/escape/${marker}`, 'esc:/escape/', `esc:/up/${marker}`, 'esc:/d/up/', `esc:/d/up/${marker}`]) {
      const r = await docker(['cp', file, target]);
      assert.equal(r.code, 0, `${target}: ${r.stderr}`);
    }
    const hostTarget = await docker(['cp', file, `esc:/hostlink/${marker}`]);
    assert.notEqual(hostTarget.code, 0, 'the host dir does not exist inside the container');
    assert.equal(existsSync(`/${marker}`), false, 'nothing at the host root');
    assert.equal(existsSync(path.join(path.dirname(d.base), marker)), false);
    assert.deepEqual(readdirSync(hostDir), [], 'nothing in the host dir the link names');
    assert.equal((await sh(`docker cp esc:/${marker} - | tar -xO`)).stdout, 'contained\n', 'it landed at the container root');
    // reading through the links stays inside too: /escape/etc/passwd is the container's
    const passwd = await sh('docker cp esc:/escape/etc/passwd - | tar -xO');
    assert.equal(passwd.stdout, (await sh('docker cp esc:/etc/passwd - | tar -xO')).stdout);
    // a tar member that climbs out is refused
    const evil = await sh(`cd ${dir} && mkdir -p e && printf x > e/f && tar -c --transform='s,^e/f,../../${marker}-evil,' -P e/f | docker cp - esc:/d`);
    assert.notEqual(evil.code, 0);
    assert.equal(existsSync(`/${marker}-evil`), false);
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
  }
});
