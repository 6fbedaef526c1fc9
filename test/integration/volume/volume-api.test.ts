import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { request, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

/** The volume API and `volume` commands, through the real docker CLI, bin/berth and raw requests. */
let d: Berthd;
const docker = (args: string[]) => runDocker(d.dockerHost, args);
const berth = (args: string[]) => runBerth(d.dockerHost, args);

before(async () => {
  d = await startBerthd();
});
after(async () => {
  await d?.stop();
});

test('docker volume create / ls / inspect / rm', async () => {
  const c = await docker(['volume', 'create', '--label', 'app=web', 'webdata']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, 'webdata\n');
  const ls = await docker(['volume', 'ls']);
  assert.equal(ls.stdout, 'DRIVER    VOLUME NAME\nlocal     webdata\n');
  const insp = await docker(['volume', 'inspect', 'webdata']);
  const [v] = JSON.parse(insp.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(v!), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(v!.Driver, 'local');
  assert.deepEqual(v!.Labels, { app: 'web' });
  assert.equal(v!.Mountpoint, path.join(d.dataRoot, 'volumes', 'webdata', '_data'));
  assert.equal(v!.Scope, 'local');
  assert.ok((await fs.stat(v!.Mountpoint as string)).isDirectory());
  const fmt = await docker(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}} {{index .Labels "app"}}', 'webdata']);
  assert.equal(fmt.stdout, 'webdata local web\n');
  const lsFmt = await docker(['volume', 'ls', '--format', '{{.Name}}:{{.Labels}}', '--filter', 'label=app=web']);
  assert.equal(lsFmt.stdout, 'webdata:app=web\n');
  // a second create of the same name answers with the existing volume
  assert.equal((await docker(['volume', 'create', 'webdata'])).code, 0);
  const rm = await docker(['volume', 'rm', 'webdata']);
  assert.equal(rm.stdout, 'webdata\n');
  assert.equal((await docker(['volume', 'ls', '-q'])).stdout, '');
  await assert.rejects(fs.stat(path.join(d.dataRoot, 'volumes', 'webdata')));
});

test('bad input: invalid names, unknown driver and options, missing volumes', async () => {
  const bad = await docker(['volume', 'create', 'bad/name']);
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr.trim(),
    'Error response from daemon: create bad/name: "bad/name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  );
  const short = await request(d.socket, 'POST', '/v1.43/volumes/create', JSON.stringify({ Name: 'x' }));
  assert.equal(short.status, 400);
  assert.equal(JSON.parse(short.body).message, 'create x: volume name is too short, names should be at least two alphanumeric characters');
  const driver = await docker(['volume', 'create', '-d', 'nosuchdriver', 'v2']);
  assert.equal(driver.code, 1);
  assert.match(driver.stderr, /create v2: error looking up volume plugin nosuchdriver: plugin "nosuchdriver" not found/);
  const opt = await docker(['volume', 'create', '-o', 'colour=blue', 'v3']);
  assert.match(opt.stderr, /create v3: invalid option: "colour"/);
  const missing = await docker(['volume', 'create', '-o', 'type=tmpfs', 'v4']);
  assert.match(missing.stderr, /create v4: missing required option: "device"/);
  const rm = await docker(['volume', 'rm', 'nosuch']);
  assert.equal(rm.code, 1);
  assert.equal(rm.stderr.trim(), 'Error response from daemon: get nosuch: no such volume');
  const api404 = await request(d.socket, 'GET', '/volumes/nosuch');
  assert.equal(api404.status, 404);
  assert.equal((await request(d.socket, 'DELETE', '/volumes/nosuch?force=1')).status, 204);
  const filt = await request(d.socket, 'GET', `/volumes?filters=${encodeURIComponent('{"colour":["x"]}')}`);
  assert.equal(filt.status, 400);
  assert.equal(JSON.parse(filt.body).message, "invalid filter 'colour'");
  assert.equal((await docker(['volume', 'ls', '-q'])).stdout, '');
});

test('list filters and the API shapes', async () => {
  const mk = (body: object) => request(d.socket, 'POST', '/v1.43/volumes/create', JSON.stringify(body));
  const created = await mk({ Name: 'f-one', Labels: { tier: 'a' }, DriverOpts: {} });
  assert.equal(created.status, 201);
  assert.equal(JSON.parse(created.body).Name, 'f-one');
  await mk({ Name: 'f-two', Labels: { tier: 'b' } });
  const anon = JSON.parse((await mk({})).body) as { Name: string; Labels: Record<string, string> };
  assert.match(anon.Name, /^[0-9a-f]{64}$/);
  assert.deepEqual(anon.Labels, { 'com.docker.volume.anonymous': '' });
  const list = JSON.parse((await request(d.socket, 'GET', '/volumes')).body) as { Volumes: Array<{ Name: string }>; Warnings: unknown };
  assert.deepEqual(list.Volumes.map((v) => v.Name).sort(), [anon.Name, 'f-one', 'f-two'].sort());
  const q = async (f: string) => (await docker(['volume', 'ls', '-q', '--filter', f])).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(await q('name=f-'), ['f-one', 'f-two']);
  assert.deepEqual(await q('label=tier=b'), ['f-two']);
  assert.deepEqual(await q('driver=local'), [anon.Name, 'f-one', 'f-two'].sort());
  assert.deepEqual(await q('dangling=true'), [anon.Name, 'f-one', 'f-two'].sort());
  const bad = await docker(['volume', 'ls', '--filter', 'dangling=perhaps']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid filter 'dangling=\[perhaps\]'/);
  for (const n of [anon.Name, 'f-one', 'f-two']) await docker(['volume', 'rm', n]);
});

test('prune: anonymous only from API 1.42, named too with --all or an older API', async () => {
  await docker(['volume', 'create', 'named1']);
  const anon = JSON.parse((await request(d.socket, 'POST', '/volumes/create', '{}')).body) as { Name: string };
  await fs.writeFile(path.join(d.dataRoot, 'volumes', anon.Name, '_data', 'f'), 'x'.repeat(2000));
  const p = await docker(['volume', 'prune', '-f']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, `Deleted Volumes:\n${anon.Name}\n\nTotal reclaimed space: 2kB\n`);
  assert.equal((await docker(['volume', 'ls', '-q'])).stdout, 'named1\n');
  const old = await request(d.socket, 'POST', '/v1.41/volumes/prune');
  assert.deepEqual(JSON.parse(old.body), { VolumesDeleted: ['named1'], SpaceReclaimed: 0 });
  await docker(['volume', 'create', 'named2']);
  const all = await docker(['volume', 'prune', '-af']);
  assert.equal(all.stdout, 'Deleted Volumes:\nnamed2\n\nTotal reclaimed space: 0B\n');
});

test('volumes survive kill -9 of berthd; a half-created volume never shows up', async () => {
  await docker(['volume', 'create', 'durable']);
  await fs.writeFile(path.join(d.dataRoot, 'volumes', 'durable', '_data', 'kept'), 'yes');
  // what a create that died before its record leaves behind
  await fs.mkdir(path.join(d.dataRoot, 'volumes', 'halfway', '_data'), { recursive: true });
  await d.kill9();
  await d.restart();
  assert.equal((await docker(['volume', 'ls', '-q'])).stdout, 'durable\n');
  assert.equal(await fs.readFile(path.join(d.dataRoot, 'volumes', 'durable', '_data', 'kept'), 'utf8'), 'yes');
  await assert.rejects(fs.stat(path.join(d.dataRoot, 'volumes', 'halfway')));
  await docker(['volume', 'rm', 'durable']);
});

test('bin/berth volume create / ls / inspect / rm / prune', async () => {
  assert.equal((await berth(['volume', 'create', '--label', 'k=v', 'bv1'])).stdout, 'bv1\n');
  assert.equal((await berth(['volume', 'ls'])).stdout, 'DRIVER    VOLUME NAME\nlocal     bv1\n');
  assert.equal((await berth(['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Labels}}'])).stdout, 'bv1 local k=v\n');
  const insp = JSON.parse((await berth(['volume', 'inspect', 'bv1'])).stdout) as Array<{ Name: string; Mountpoint: string }>;
  assert.equal(insp[0]!.Name, 'bv1');
  assert.equal(insp[0]!.Mountpoint, path.join(d.dataRoot, 'volumes', 'bv1', '_data'));
  const bad = await berth(['volume', 'create', 'no/good']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /create no\/good: "no\/good" includes invalid characters for a local volume name/);
  const missing = await berth(['volume', 'rm', 'nosuch']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /get nosuch: no such volume/);
  assert.equal((await berth(['volume', 'rm', 'bv1'])).stdout, 'bv1\n');
  await request(d.socket, 'POST', '/volumes/create', '{}');
  const p = await berth(['volume', 'prune', '-f']);
  assert.match(p.stdout, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
});

test('system df counts volumes', async () => {
  await docker(['volume', 'create', 'dfvol']);
  await fs.writeFile(path.join(d.dataRoot, 'volumes', 'dfvol', '_data', 'f'), 'x'.repeat(1000));
  const df = await docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /^Local Volumes 1 1kB$/m);
  const v = await docker(['system', 'df', '-v', '--format', '{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}{{end}}']);
  assert.equal(v.stdout.trim(), 'dfvol 0 1kB');
  await docker(['volume', 'rm', 'dfvol']);
});
