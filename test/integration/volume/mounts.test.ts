import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, eventually, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

/** Volumes, binds and tmpfs in containers, through the real docker CLI against berthd. */
let d: Berthd;
let host: string;
const docker = (args: string[], input?: string) => runDocker(d.dockerHost, args, input === undefined ? {} : { input });
const ok = async (args: string[]) => {
  const r = await docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const volumeNames = async () => (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean).sort();
const mounted = async (p: string) => (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === p);

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  host = path.join(d.base, 'host');
  await fs.mkdir(host);
  // an image with a VOLUME and content under it, for copy-up and anonymous volumes
  await ok(['create', '--name', 'seedsrc', 'busybox', 'true']);
  const dir = path.join(host, 'seed');
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'from-image'), 'image content\n');
  await ok(['cp', dir, 'seedsrc:/seed']);
  await ok(['commit', '--change', 'VOLUME /seed', 'seedsrc', 'seeded:1']);
  await ok(['rm', 'seedsrc']);
});
after(async () => {
  await d?.stop();
});

test('data in a named volume outlives its container; -v creates a missing volume; ls and inspect show it', async () => {
  assert.deepEqual(await volumeNames(), []);
  assert.equal(await ok(['run', '--rm', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']), '');
  assert.deepEqual(await volumeNames(), ['keep']);
  assert.equal(await ok(['run', '--rm', '-v', 'keep:/data', 'busybox', 'cat', '/data/f']), 'persisted\n');
  const [v] = JSON.parse(await ok(['volume', 'inspect', 'keep'])) as Array<{ Mountpoint: string; Labels: unknown }>;
  assert.equal(await fs.readFile(path.join(v!.Mountpoint, 'f'), 'utf8'), 'persisted\n');
  assert.equal(v!.Labels, null);
  // --rm keeps named volumes
  assert.deepEqual(await volumeNames(), ['keep']);
  await ok(['volume', 'rm', 'keep']);
});

test('the --mount syntax for volumes', async () => {
  await ok(['run', '--rm', '--mount', 'type=volume,source=mvol,target=/m,volume-label=team=a', 'busybox', 'sh', '-c', 'echo via-mount > /m/f']);
  assert.equal(await ok(['run', '--rm', '--mount', 'source=mvol,target=/again,readonly', 'busybox', 'cat', '/again/f']), 'via-mount\n');
  const ro = await docker(['run', '--rm', '--mount', 'source=mvol,target=/again,readonly', 'busybox', 'touch', '/again/x']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(await ok(['volume', 'inspect', '-f', '{{json .Labels}}', 'mvol']), '{"team":"a"}\n');
  await ok(['volume', 'rm', 'mvol']);
});

test('inspect shows Mounts with Docker\'s fields', async () => {
  await ok(['create', '--name', 'insp', '-v', 'iv:/data', '-v', `${host}:/h:ro`, '-v', '/anon', '--mount', 'type=tmpfs,dst=/tt', '--tmpfs', '/run', 'busybox', 'true']);
  const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'insp'])) as Array<Record<string, unknown>>;
  const byDest = Object.fromEntries(mounts.map((m) => [m.Destination as string, m]));
  assert.deepEqual(Object.keys(byDest).sort(), ['/anon', '/data', '/h', '/tt']); // --tmpfs is not listed, as in Docker
  assert.deepEqual(byDest['/data'], { Type: 'volume', Name: 'iv', Source: path.join(d.dataRoot, 'volumes/iv/_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
  assert.deepEqual(byDest['/h'], { Type: 'bind', Source: host, Destination: '/h', Mode: 'ro', RW: false, Propagation: 'rprivate' });
  assert.deepEqual(byDest['/tt'], { Type: 'tmpfs', Source: '', Destination: '/tt', Mode: '', RW: true, Propagation: '' });
  assert.match(byDest['/anon']!.Name as string, /^[0-9a-f]{64}$/);
  assert.equal(byDest['/anon']!.Mode, '');
  assert.match(await ok(['ps', '-a', '--filter', 'name=insp', '--format', '{{.Mounts}}']), /iv/);
  const hc = JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig}}', 'insp'])) as { Binds: string[]; Tmpfs: Record<string, string> };
  // the docker CLI sends -v binds in no particular order
  assert.deepEqual(hc.Binds.sort(), [`${host}:/h:ro`, 'iv:/data']);
  assert.deepEqual(hc.Tmpfs, { '/run': '' });
  await ok(['rm', '-v', 'insp']);
  await ok(['volume', 'rm', 'iv']);
  assert.deepEqual(await volumeNames(), []);
});

test('a bind mount reads host files and writes back; :ro refuses writes; -v creates a missing host path', async () => {
  await fs.writeFile(path.join(host, 'in.txt'), 'from host\n');
  assert.equal(await ok(['run', '--rm', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'cat /h/in.txt; echo from container > /h/out.txt']), 'from host\n');
  assert.equal(await fs.readFile(path.join(host, 'out.txt'), 'utf8'), 'from container\n');
  const ro = await docker(['run', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'sh', '-c', 'cat /h/in.txt && echo x > /h/nope']);
  assert.notEqual(ro.code, 0);
  assert.equal(ro.stdout, 'from host\n');
  assert.match(ro.stderr, /Read-only file system/);
  await assert.rejects(fs.stat(path.join(host, 'nope')));
  // a file can be bound too
  assert.equal(await ok(['run', '--rm', '-v', `${host}/in.txt:/etc/motd:ro`, 'busybox', 'cat', '/etc/motd']), 'from host\n');
  const missing = path.join(host, 'made', 'by', 'v');
  assert.equal(await ok(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'ls', '-a', '/m']), '.\n..\n');
  assert.ok((await fs.stat(missing)).isDirectory());
});

test('--mount type=bind: readonly, propagation, and a missing source refused with Docker\'s message', async () => {
  assert.equal(await ok(['run', '--rm', '--mount', `type=bind,source=${host},target=/h,readonly,bind-propagation=rslave`, 'busybox', 'cat', '/h/in.txt']), 'from host\n');
  const ro = await docker(['run', '--rm', '--mount', `type=bind,src=${host},dst=/h,ro`, 'busybox', 'touch', '/h/x']);
  assert.notEqual(ro.code, 0);
  const gone = path.join(host, 'not-there');
  const r = await docker(['run', '--rm', '--mount', `type=bind,source=${gone},target=/m`, 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${gone}`));
  await assert.rejects(fs.stat(gone));
  assert.equal(await ok(['ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Command}} {{.Mounts}}']), '');
});

test('--tmpfs and --mount type=tmpfs mount a tmpfs with their options', async () => {
  const t = await ok(['run', '--rm', '--tmpfs', '/scratch:size=1m,mode=1777', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts; stat -c %a /scratch']);
  assert.match(t, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k(,mode=1777)? 0 0\n1777\n$/);
  const m = await ok(['run', '--rm', '--mount', 'type=tmpfs,destination=/t,tmpfs-size=2m,tmpfs-mode=0700', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts; stat -c %a /t']);
  assert.match(m, /^tmpfs \/t tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=700 0 0\n700\n$/);
  const exec = await ok(['run', '--rm', '--tmpfs', '/x:exec', 'busybox', 'sh', '-c', 'grep " /x " /proc/mounts']);
  assert.doesNotMatch(exec, /noexec/);
});

test('copy-up: the image\'s content fills an empty volume, not with nocopy, not a volume that has data', async () => {
  // anonymous volume from the image's VOLUME, removed by --rm
  assert.equal(await ok(['run', '--rm', 'seeded:1', 'cat', '/seed/from-image']), 'image content\n');
  assert.deepEqual(await volumeNames(), []);
  // named volume on an image path
  assert.equal(await ok(['run', '--rm', '-v', 'cu:/seed', 'seeded:1', 'sh', '-c', 'cat /seed/from-image; echo mine > /seed/from-image']), 'image content\n');
  assert.equal(await ok(['run', '--rm', '-v', 'cu:/seed', 'seeded:1', 'cat', '/seed/from-image']), 'mine\n');
  // a busybox path: /etc has passwd
  assert.equal(await ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'sh', '-c', 'test -s /etc/passwd && echo copied']), 'copied\n');
  assert.equal(await ok(['run', '--rm', '-v', 'nc:/etc:nocopy', 'busybox', 'ls', '-A', '/etc']), '');
  assert.equal(await ok(['run', '--rm', '--mount', 'src=nc2,dst=/etc,volume-nocopy', 'busybox', 'ls', '-A', '/etc']), '');
  // the copy keeps modes and owners
  assert.equal(await ok(['run', '--rm', '-v', 'tmpvol:/tmp', 'busybox', 'stat', '-c', '%a', '/tmp']), '1777\n');
  for (const v of ['cu', 'etcvol', 'nc', 'nc2', 'tmpvol']) await ok(['volume', 'rm', v]);
});

test('anonymous volumes: kept by rm, removed by rm -v and --rm, and by volume prune once unused', async () => {
  await ok(['create', '--name', 'a1', '-v', '/data', 'seeded:1', 'true']);
  const anon = await volumeNames();
  assert.equal(anon.length, 2); // -v /data and the image's /seed
  await ok(['rm', 'a1']);
  assert.deepEqual(await volumeNames(), anon);
  await ok(['create', '--name', 'a2', 'seeded:1', 'true']);
  const withA2 = await volumeNames();
  assert.equal(withA2.length, 3);
  const mine = withA2.filter((v) => !anon.includes(v));
  // prune leaves the volume a2 references
  const p = await ok(['volume', 'prune', '-f']);
  assert.match(p, /^Deleted Volumes:\n/);
  for (const v of anon) assert.match(p, new RegExp(v));
  assert.deepEqual(await volumeNames(), mine);
  await ok(['rm', '-v', 'a2']);
  assert.deepEqual(await volumeNames(), []);
  // -v /path with --rm
  await ok(['run', '--rm', '-v', '/scratch', 'busybox', 'touch', '/scratch/x']);
  assert.deepEqual(await volumeNames(), []);
});

test('a volume in use cannot be removed (409), not even with force; removing the container frees it', async () => {
  await ok(['create', '--name', 'user1', '-v', 'busy:/b', 'busybox', 'true']);
  const rm = await docker(['volume', 'rm', 'busy']);
  assert.equal(rm.code, 1);
  const id = (await ok(['inspect', '-f', '{{.Id}}', 'user1'])).trim();
  assert.equal(rm.stderr.trim(), `Error response from daemon: remove busy: volume is in use - [${id}]`);
  const api = await request(d.socket, 'DELETE', '/v1.43/volumes/busy?force=1');
  assert.equal(api.status, 409);
  assert.equal((await docker(['volume', 'rm', '-f', 'busy'])).code, 1);
  assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'dangling=false']), 'busy\n');
  // named volumes survive rm -v
  await ok(['rm', '-v', 'user1']);
  assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'dangling=true']), 'busy\n');
  await ok(['volume', 'rm', 'busy']);
});

test('two containers write the same volume at the same time', async () => {
  const writer = (n: string) => ['run', '-d', '--name', `w${n}`, '-v', 'shared:/s', 'busybox', 'sh', '-c', `for i in $(seq 1 200); do echo ${n}$i >> /s/log; echo $i > /s/${n}; done`];
  await Promise.all([ok(writer('a')), ok(writer('b'))]);
  assert.equal((await ok(['wait', 'wa'])).trim(), '0');
  assert.equal((await ok(['wait', 'wb'])).trim(), '0');
  const out = await ok(['run', '--rm', '-v', 'shared:/s', 'busybox', 'sh', '-c', 'cat /s/a /s/b; wc -l < /s/log']);
  assert.equal(out, '200\n200\n400\n');
  await ok(['rm', 'wa', 'wb']);
  await ok(['volume', 'rm', 'shared']);
});

test('--volumes-from shares another container\'s mounts, read-only with :ro', async () => {
  await ok(['create', '--name', 'datasrc', '-v', 'vf:/data', '-v', '/anon', '-v', `${host}:/h`, 'busybox', 'true']);
  assert.equal(await ok(['run', '--rm', '--volumes-from', 'datasrc', 'busybox', 'sh', '-c', 'echo shared > /data/f; echo a > /anon/a; cat /h/in.txt']), 'from host\n');
  assert.equal(await ok(['run', '--rm', '--volumes-from', 'datasrc:ro', 'busybox', 'cat', '/data/f', '/anon/a']), 'shared\na\n');
  const ro = await docker(['run', '--rm', '--volumes-from', 'datasrc:ro', 'busybox', 'touch', '/data/g']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  // --rm of a --volumes-from container leaves the source's anonymous volume alone
  assert.equal((await volumeNames()).length, 2);
  const api = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { VolumesFrom: ['nosuch'] } }));
  assert.equal(api.status, 404);
  assert.equal(JSON.parse(api.body).message, 'No such container: nosuch');
  const bad = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { VolumesFrom: ['datasrc:rshared'] } }));
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).message, 'invalid mode: rshared');
  await ok(['rm', '-v', 'datasrc']);
  await ok(['volume', 'rm', 'vf']);
  assert.deepEqual(await volumeNames(), []);
});

test('bad input: invalid names, relative bind paths, non-absolute targets, duplicates, bad tmpfs options', async () => {
  const fails = async (args: string[], message: string) => {
    const r = await docker(['run', '--rm', ...args, 'busybox', 'true']);
    assert.equal(r.code, 125, `${args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr.split('\n')[0], `docker: Error response from daemon: ${message}`);
  };
  const invalidChars = (n: string) => `create ${n}: "${n}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  await fails(['-v', 'bad@name:/d'], invalidChars('bad@name'));
  await fails(['-v', 'relative/dir:/d'], invalidChars('relative/dir'));
  await fails(['-v', 'vol:relative'], "invalid volume specification: 'vol:relative': invalid mount config for type \"volume\": invalid mount path: 'relative' mount path must be absolute");
  await fails(['-v', `${host}:in/ctr`], `invalid volume specification: '${host}:in/ctr': invalid mount config for type "bind": invalid mount path: 'in/ctr' mount path must be absolute`);
  await fails(['-v', `${host}:/`], `invalid volume specification: '${host}:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  await fails(['-v', `${host}:/d:bogus`], 'invalid mode: bogus');
  await fails(['--mount', 'type=volume,target=not/abs'], "invalid mount config for type \"volume\": invalid mount path: 'not/abs' mount path must be absolute");
  await fails(['-v', 'one:/d', '-v', 'two:/d'], 'Duplicate mount point: /d');
  await fails(['-v', 'one:/d', '--mount', 'type=tmpfs,dst=/d'], 'Duplicate mount point: /d');
  await fails(['--tmpfs', '/t:bogus'], 'invalid tmpfs option ["bogus"]');
  await fails(['--tmpfs', 'not/abs'], "invalid mount path: 'not/abs' mount path must be absolute");
  const api = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: 'rel', Target: '/x' }] } }));
  assert.equal(api.status, 400);
  assert.equal(JSON.parse(api.body).message, "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute");
  // nothing was left behind by the failures
  assert.deepEqual(await volumeNames(), []);
  assert.equal(await ok(['ps', '-aq']), '');
});

test('the local driver\'s options: a tmpfs volume and a bind volume are mounted while used, unmounted after', async () => {
  await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=4m', 'tv']);
  const data = path.join(d.dataRoot, 'volumes/tv/_data');
  await ok(['run', '-d', '--name', 'tuser', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'echo in-tmpfs > /t/f; sleep 300']);
  await eventually(async () => mounted(data), 5000, 'the tmpfs volume mounted');
  assert.equal(await ok(['run', '--rm', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'cat /t/f; grep " /t " /proc/mounts | cut -d" " -f3,4']), 'in-tmpfs\ntmpfs rw,relatime,size=4096k\n');
  // still used by tuser after the second container went
  assert.ok(await mounted(data));
  // survives a kill -9 of berthd while tuser runs
  await d.kill9();
  await d.restart();
  assert.ok(await mounted(data));
  assert.equal(await ok(['exec', 'tuser', 'cat', '/t/f']), 'in-tmpfs\n');
  await ok(['rm', '-f', 'tuser']);
  await eventually(async () => !(await mounted(data)), 5000, 'the tmpfs volume unmounted');
  await ok(['volume', 'rm', 'tv']);

  const src = path.join(host, 'bindvol');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'kept'), 'host data\n');
  await ok(['volume', 'create', '-o', 'type=none', '-o', `device=${src}`, '-o', 'o=bind', 'bv']);
  assert.equal(await ok(['run', '--rm', '-v', 'bv:/b', 'busybox', 'sh', '-c', 'cat /b/kept; echo w > /b/written']), 'host data\n');
  assert.equal(await fs.readFile(path.join(src, 'written'), 'utf8'), 'w\n');
  assert.ok(!(await mounted(path.join(d.dataRoot, 'volumes/bv/_data'))));
  await ok(['volume', 'rm', 'bv']);
  // removing the volume never touches the bound directory
  assert.deepEqual((await fs.readdir(src)).sort(), ['kept', 'written']);
});

test('volume events: create, mount, unmount, destroy', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await ok(['run', '--rm', '-v', 'evol:/e', 'busybox', 'true']);
  await ok(['volume', 'rm', 'evol']);
  const ev = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=volume', '--filter', 'volume=evol', '--format', '{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "driver"}}']);
  assert.equal(ev, 'create evol local\nmount evol local\nunmount evol local\ndestroy evol local\n');
});

test('named volumes and their data survive a kill -9 and restart of berthd, with a container still referencing them', async () => {
  await ok(['create', '--name', 'holder', '-v', 'durable:/d', 'busybox', 'sh', '-c', 'cat /d/f']);
  await ok(['run', '--rm', '-v', 'durable:/d', 'busybox', 'sh', '-c', 'echo still here > /d/f']);
  await d.kill9();
  await d.restart();
  // the reference was rebuilt from the container record
  assert.equal((await request(d.socket, 'DELETE', '/volumes/durable')).status, 409);
  await ok(['start', 'holder']);
  assert.equal((await ok(['wait', 'holder'])).trim(), '0');
  assert.equal(await ok(['logs', 'holder']), 'still here\n');
  await ok(['rm', 'holder']);
  await ok(['volume', 'rm', 'durable']);
});

test('docker cp into and out of a volume of a running container reaches the volume', async () => {
  await ok(['run', '-d', '--name', 'cpv', '-v', 'cpvol:/data', '-v', `${host}:/h`, 'busybox', 'sleep', '300']);
  const file = path.join(host, 'cp-in.txt');
  await fs.writeFile(file, 'copied in\n');
  await ok(['cp', file, 'cpv:/data/']);
  assert.equal(await ok(['exec', 'cpv', 'cat', '/data/cp-in.txt']), 'copied in\n');
  assert.equal(await fs.readFile(path.join(d.dataRoot, 'volumes/cpvol/_data/cp-in.txt'), 'utf8'), 'copied in\n');
  await ok(['exec', 'cpv', 'sh', '-c', 'echo made inside > /data/out.txt']);
  const out = path.join(host, 'cp-out');
  await fs.mkdir(out);
  await ok(['cp', 'cpv:/data/out.txt', out]);
  assert.equal(await fs.readFile(path.join(out, 'out.txt'), 'utf8'), 'made inside\n');
  // the container's own files are still there
  await ok(['cp', 'cpv:/etc/passwd', out]);
  assert.match(await fs.readFile(path.join(out, 'passwd'), 'utf8'), /^root:/);
  // export is the container's own filesystem, without its volumes (as Docker's)
  const tar = await ok(['export', 'cpv']);
  assert.ok(tar.includes('etc/passwd'));
  assert.ok(!tar.includes('cp-in.txt'));
  await ok(['rm', '-f', 'cpv']);
  // a read-only root refuses cp, except into a volume
  await ok(['run', '-d', '--name', 'cpro', '--read-only', '-v', 'cpvol:/data', 'busybox', 'sleep', '300']);
  await ok(['cp', file, 'cpro:/data/again.txt']);
  assert.equal(await ok(['exec', 'cpro', 'cat', '/data/again.txt']), 'copied in\n');
  const refused = await docker(['cp', file, 'cpro:/tmp/']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /container rootfs is marked read-only/);
  await ok(['rm', '-f', 'cpro']);
  await ok(['volume', 'rm', 'cpvol']);
});

test('docker cp reaches the volumes and binds of a stopped or created container; a read-only one refuses writes', async () => {
  const bound = path.join(host, 'stopped-bind');
  await fs.mkdir(bound);
  await fs.writeFile(path.join(bound, 'on-host.txt'), 'from the host\n');
  const boundFile = path.join(host, 'bound-file.txt');
  await fs.writeFile(boundFile, 'a bound file\n');
  await ok(['run', '--name', 'cps', '-v', 'cpsvol:/data', '-v', `${bound}:/b`, '-v', `${boundFile}:/etc/bound.txt`, '-v', 'cprovol:/ro:ro', 'busybox', 'sh', '-c', 'mkdir /data/sub && echo in volume > /data/sub/f']);
  const out = path.join(host, 'cps-out');
  await fs.mkdir(out);
  // out of a stopped container's volume: a file, a directory, its contents
  await ok(['cp', 'cps:/data/sub/f', path.join(out, 'f')]);
  assert.equal(await fs.readFile(path.join(out, 'f'), 'utf8'), 'in volume\n');
  await ok(['cp', 'cps:/data', path.join(out, 'whole')]);
  assert.equal(await fs.readFile(path.join(out, 'whole/sub/f'), 'utf8'), 'in volume\n');
  const tar = await docker(['cp', 'cps:/data/.', '-']);
  assert.match(tar.stdout, /\.\/sub\/f/);
  assert.equal(await ok(['cp', 'cps:/b/on-host.txt', '-']).then((t) => t.includes('from the host')), true);
  await ok(['cp', 'cps:/etc/bound.txt', path.join(out, 'bound.txt')]);
  assert.equal(await fs.readFile(path.join(out, 'bound.txt'), 'utf8'), 'a bound file\n');
  // into it: the next run sees the file
  const file = path.join(host, 'cps-in.txt');
  await fs.writeFile(file, 'copied while stopped\n');
  await ok(['cp', file, 'cps:/data/sub/']);
  await ok(['cp', file, 'cps:/b/']);
  assert.equal(await fs.readFile(path.join(bound, 'cps-in.txt'), 'utf8'), 'copied while stopped\n');
  assert.equal(await ok(['run', '--rm', '-v', 'cpsvol:/data', 'busybox', 'cat', '/data/sub/cps-in.txt']), 'copied while stopped\n');
  // the container's own root is untouched by what went into its volume
  const exported = await ok(['export', 'cps']);
  assert.ok(!exported.includes('cps-in.txt'));
  const ro = await docker(['cp', file, 'cps:/ro/']);
  assert.equal(ro.code, 1);
  assert.match(ro.stderr, /mounted volume is marked read-only/);
  // a created (never started) container's named volume too
  await ok(['create', '--name', 'cpc', '-v', 'cpsvol:/data', 'busybox', 'true']);
  await ok(['cp', 'cpc:/data/sub/f', path.join(out, 'f2')]);
  assert.equal(await fs.readFile(path.join(out, 'f2'), 'utf8'), 'in volume\n');
  await ok(['rm', 'cps', 'cpc']);
  await ok(['volume', 'rm', 'cpsvol', 'cprovol']);
});
