import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, startDistribution, type TestRegistry } from '../../helpers/registries.js';
import { runDockerPy } from '../../helpers/python-clients.js';

/**
 * Debian's python3-docker (docker-py 5.0.3), unchanged, against berthd: what its users commonly do, through
 * both its high-level DockerClient and its low-level APIClient. Each test is one python3 script that
 * reports what it saw; the assertions are here.
 */
let d: Berthd;
const registries: TestRegistry[] = [];
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  for (const r of registries) await r.stop();
  await d?.stop();
});

const py = <T = Record<string, unknown>>(body: string, env: NodeJS.ProcessEnv = {}) => runDockerPy<T>(d.dockerHost, body, env);

test('ping, version, info, images.list and images.get; errors as docker-py\'s exception classes', async () => {
  const r = await py(String.raw`
v = client.version()
info = client.info()
img = client.images.get('busybox')
raw = api.inspect_image('busybox')
errors = {}
for what, call in [('container', lambda: client.containers.get('nosuch')), ('image', lambda: client.images.get('nosuch:latest')),
                   ('network', lambda: client.networks.get('nosuch')), ('volume', lambda: client.volumes.get('nosuch'))]:
    try:
        call()
    except docker.errors.NotFound as e:
        errors[what] = [type(e).__name__, e.status_code, e.explanation]
report(ping=client.ping(), api=v['ApiVersion'], components=[c['Name'] for c in v.get('Components', [])],
       info=[info['OSType'], info['Driver'], 'Containers' in info, 'Images' in info],
       tags=sorted(t for i in client.images.list() for t in i.tags), id=img.id, short=img.short_id,
       byname=[i.id for i in client.images.list(name='busybox')],
       inspectKeys=sorted(k for k in raw if k in ('Config', 'ContainerConfig', 'Container', 'RootFS', 'RepoTags')),
       errors=errors)
`);
  assert.equal(r.ping, true);
  assert.equal(r.api, '1.43');
  assert.ok((r.components as string[]).includes('Engine'));
  assert.deepEqual(r.info, ['linux', 'overlay2', true, true]);
  assert.deepEqual(r.tags, ['busybox:latest']);
  assert.match(r.id as string, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(r.byname, [r.id]);
  assert.deepEqual(r.inspectKeys, ['Config', 'Container', 'ContainerConfig', 'RepoTags', 'RootFS']);
  assert.deepEqual(r.errors, {
    container: ['NotFound', 404, 'No such container: nosuch'],
    image: ['ImageNotFound', 404, 'No such image: nosuch:latest'],
    network: ['NotFound', 404, 'network nosuch not found'],
    volume: ['NotFound', 404, 'get nosuch: no such volume'],
  });
});

test('containers.run: attached with remove=True, a failing command as ContainerError, stream=True, detached with wait and logs', async () => {
  const r = await py(String.raw`
out = client.containers.run('busybox', ['sh', '-c', 'echo hello; echo to-stderr >&2'], remove=True)
try:
    client.containers.run('busybox', ['sh', '-c', 'echo oops >&2; exit 3'], remove=True)
    failed = None
except docker.errors.ContainerError as e:
    failed = [e.exit_status, e.stderr.decode()]
streamed = [b.decode() for b in client.containers.run('busybox', ['sh', '-c', 'echo a; sleep 1; echo b'], stream=True, remove=True)]
ct = client.containers.run('busybox', ['sh', '-c', 'echo out; echo err >&2; sleep 1; echo done'], detach=True, name='detached', labels={'k': 'v'}, environment={'A': '1'})
created_status = ct.status
waited = ct.wait(timeout=60)
ct.reload()
logs = {'both': ct.logs().decode(), 'stdout': ct.logs(stderr=False).decode(), 'stderr': ct.logs(stdout=False).decode(),
        'stream': [b.decode() for b in ct.logs(stream=True)], 'tail': ct.logs(tail=1).decode(),
        'timestamps': ct.logs(timestamps=True).decode().split('\n')[0]}
listed = [c.name for c in client.containers.list(all=True, filters={'label': 'k=v'})]
env = ct.attrs['Config']['Env']
ct.remove()
gone = [c.name for c in client.containers.list(all=True)]
auto = client.containers.run('busybox', ['sh', '-c', 'for i in 1 2 3; do echo l$i; sleep 0.3; done'], detach=True, auto_remove=True)
followed = [b.decode() for b in auto.logs(stream=True, follow=True)]
removed = auto.wait(condition='removed', timeout=60)
report(out=out.decode(), failed=failed, streamed=streamed, created_status=created_status, waited=waited,
       status=ct.status, logs=logs, listed=listed, env='A=1' in env, gone=gone, followed=followed, removed=removed['StatusCode'],
       left=[c.name for c in client.containers.list(all=True)])
`);
  assert.equal(r.out, 'hello\n', 'stdout only, as docker-py asks for by default');
  assert.deepEqual(r.failed, [3, 'oops\n']);
  assert.deepEqual((r.streamed as string[]).join(''), 'a\nb\n');
  assert.equal(r.created_status, 'created');
  assert.deepEqual(r.waited, { StatusCode: 0, Error: null });
  assert.equal(r.status, 'exited');
  const logs = r.logs as Record<string, unknown>;
  assert.equal(logs.both, 'out\nerr\ndone\n');
  assert.equal(logs.stdout, 'out\ndone\n');
  assert.equal(logs.stderr, 'err\n');
  assert.equal((logs.stream as string[]).join(''), 'out\nerr\ndone\n');
  assert.equal(logs.tail, 'done\n');
  assert.match(logs.timestamps as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z out$/);
  assert.deepEqual(r.listed, ['detached']);
  assert.equal(r.env, true);
  assert.deepEqual(r.gone, []);
  assert.equal((r.followed as string[]).join(''), 'l1\nl2\nl3\n');
  assert.equal(r.removed, 0);
  assert.deepEqual(r.left, []);
});

test('exec_run: output, exit codes, demux, stream, tty, environment/workdir/user; a low-level exec fed on stdin', async () => {
  const r = await py(String.raw`
ct = client.containers.run('busybox', 'sleep 300', detach=True)
plain = ct.exec_run(['sh', '-c', 'echo a; echo b >&2; exit 3'])
demux = ct.exec_run(['sh', '-c', 'echo a; echo b >&2'], demux=True)
streamed = ct.exec_run(['sh', '-c', 'echo s1; sleep 0.5; echo s2'], stream=True)
tty = ct.exec_run('tty', tty=True)
env = ct.exec_run(['sh', '-c', 'echo $X; pwd; id -u'], environment={'X': 'y'}, workdir='/tmp', user='1000')
missing = ct.exec_run('nosuchcommand')
e = api.exec_create(ct.id, 'cat', stdin=True)
sock = api.exec_start(e['Id'], socket=True)
sock._sock.sendall(b'fed on stdin\n')
sock._sock.shutdown(socket.SHUT_WR)
raw = b''
while True:
    chunk = sock._sock.recv(4096)
    if not chunk:
        break
    raw += chunk
sock.close()
inspected = api.exec_inspect(e['Id'])
report(plain=[plain.exit_code, plain.output.decode()], demux=[demux.exit_code, [x.decode() for x in demux.output]],
       streamed=b''.join(streamed.output).decode(), tty=[tty.exit_code, tty.output.decode()],
       env=[env.exit_code, env.output.decode()], missing=missing.exit_code,
       raw=list(raw[:8]), payload=raw[8:].decode(), inspected=[inspected['Running'], inspected['ExitCode'], inspected['ContainerID'] == ct.id])
ct.remove(force=True)
`);
  assert.deepEqual(r.plain, [3, 'a\nb\n']);
  assert.deepEqual(r.demux, [0, ['a\n', 'b\n']]);
  assert.equal(r.streamed, 's1\ns2\n');
  assert.equal((r.tty as [number, string])[0], 0);
  assert.match((r.tty as [number, string])[1], /^\/dev\/pts\/\d+\r\n$/);
  assert.deepEqual(r.env, [0, 'y\n/tmp\n1000\n']);
  assert.equal(r.missing, 126 + 1, 'a command that is not there: 127');
  assert.deepEqual(r.raw, [1, 0, 0, 0, 0, 0, 0, 13], 'stdout frame header, 13 bytes');
  assert.equal(r.payload, 'fed on stdin\n');
  assert.deepEqual(r.inspected, [false, 0, true]);
});

test('attach (stream with logs, and a socket with stdin), top, stats, pause, rename, update, restart, kill, wait', async () => {
  const r = await py(String.raw`
ct = client.containers.run('busybox', ['sh', '-c', 'echo early; sleep 2; for i in 1 2 3; do echo tick $i; sleep 0.3; done'], detach=True)
while b'early' not in ct.logs():
    time.sleep(0.1)
# what was written before comes from the log (logs=True), the rest live; docker-py reads the hijacked socket past
# its HTTP reader's buffer, so a log replay that arrives with the response head can be lost (against dockerd too)
attached = b''.join(ct.attach(stdout=True, stderr=True, stream=True, logs=True)).decode()
ct.wait(timeout=60)
ct.remove()
cat = api.create_container('busybox', 'cat', stdin_open=True)['Id']
api.start(cat)
sock = api.attach_socket(cat, params={'stdin': 1, 'stream': 1, 'stdout': 1, 'stderr': 1})
sock._sock.sendall(b'echoed\n')
got = b''
deadline = time.time() + 30
while len(got) < 15 and time.time() < deadline:
    got += sock._sock.recv(4096)
sock.close()
api.remove_container(cat, force=True)
ct = client.containers.run('busybox', 'sleep 300', detach=True, name='busy')
top = ct.top()
stats = ct.stats(stream=False)
streamed = ct.stats(stream=True, decode=True)
first = next(streamed)
streamed.close()
ct.pause(); ct.reload(); paused = ct.status
ct.unpause(); ct.reload(); unpaused = ct.status
ct.rename('busier'); ct.reload()
updated = ct.update(mem_limit='64m', memswap_limit='128m')
ct.reload()
mem = ct.attrs['HostConfig']['Memory']
ct.restart(timeout=1); ct.reload(); restarted = ct.status
ct.kill(signal='SIGKILL')
waited = ct.wait(timeout=60)
ct.reload()
report(attached=attached, echoed=[list(got[:8]), got[8:].decode()], top=[top['Titles'], [p[-1] for p in top['Processes']]],
       stats=sorted(k for k in stats if k in ('read', 'cpu_stats', 'memory_stats', 'pids_stats', 'networks', 'name', 'id')),
       statsName=stats.get('name'), streamed='cpu_stats' in first, paused=paused, unpaused=unpaused, name=ct.name,
       updated=updated, mem=mem, restarted=restarted, waited=waited['StatusCode'], final=[ct.status, ct.attrs['State']['ExitCode']])
ct.remove()
`);
  assert.match(r.attached as string, /^(early\n)?tick 1\ntick 2\ntick 3\n$/);
  assert.deepEqual(r.echoed, [[1, 0, 0, 0, 0, 0, 0, 7], 'echoed\n']);
  const [titles, cmds] = r.top as [string[], string[]];
  assert.ok(titles.includes('PID') && titles.includes('CMD'), JSON.stringify(titles));
  assert.deepEqual(cmds, ['sleep 300']);
  assert.deepEqual(r.stats, ['cpu_stats', 'id', 'memory_stats', 'name', 'networks', 'pids_stats', 'read']);
  assert.equal(r.statsName, '/busy');
  assert.equal(r.streamed, true);
  assert.equal(r.paused, 'paused');
  assert.equal(r.unpaused, 'running');
  assert.equal(r.name, 'busier');
  assert.deepEqual(r.updated, { Warnings: [] });
  assert.equal(r.mem, 64 * 1024 * 1024);
  assert.equal(r.restarted, 'running');
  assert.equal(r.waited, 137);
  assert.deepEqual(r.final, ['exited', 137]);
});

test('an attach made as the command exits waits for the next start, as dockerpty (compose run without the docker CLI) expects', async () => {
  const r = await py(String.raw`
outputs = []
for i in range(3):
    cid = api.create_container('busybox', ['echo', 'run %d' % i], stdin_open=True)['Id']
    api.start(cid)
    # dockerpty's order: start, attach, and start again when the command has already exited
    sock = api.attach_socket(cid, {'stdout': 1, 'stream': 1, 'logs': 0})
    if not api.inspect_container(cid)['State']['Running']:
        api.start(cid)
    sock._sock.settimeout(60)
    got = b''
    while True:
        chunk = sock._sock.recv(4096)
        if not chunk:
            break
        got += chunk
    sock.close()
    outputs.append(got[8:].decode())
    api.wait(cid, timeout=60)
    api.remove_container(cid)
report(outputs=outputs)
`);
  assert.deepEqual(r.outputs, ['run 0\n', 'run 1\n', 'run 2\n']);
});

test('put_archive / get_archive, commit with changes, export, diff; images save and load', async () => {
  const r = await py(String.raw`
ct = client.containers.run('busybox', 'sleep 300', detach=True)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w') as t:
    data = b'hello archive\n'
    ti = tarfile.TarInfo('greeting.txt'); ti.size = len(data); ti.mode = 0o640; t.addfile(ti, io.BytesIO(data))
put = ct.put_archive('/tmp', buf.getvalue())
bits, stat = ct.get_archive('/tmp/greeting.txt')
with tarfile.open(fileobj=io.BytesIO(b''.join(bits))) as t:
    names = t.getnames()
    content = t.extractfile('greeting.txt').read().decode()
try:
    ct.get_archive('/nonexistent')
    missing = None
except docker.errors.NotFound as e:
    missing = e.status_code
diff = sorted((c['Path'], c['Kind']) for c in (ct.diff() or []))
img = ct.commit(repository='committed', tag='v1', message='a message', author='me', changes=['ENV FOO=bar', 'CMD ["cat", "/tmp/greeting.txt"]'])
committed = client.containers.run('committed:v1', remove=True).decode()
exported = b''.join(ct.export())
with tarfile.open(fileobj=io.BytesIO(exported)) as t:
    exportedNames = t.getnames()
ct.remove(force=True)
saved = b''.join(client.images.get('committed:v1').save(named=True))
client.images.remove('committed:v1')
loaded = client.images.load(saved)
report(put=put, stat=[stat['name'], stat['size'], stat['mode'] & 0o777], names=names, content=content, missing=missing, diff=diff,
       tags=img.tags, env='FOO=bar' in img.attrs['Config']['Env'], comment=img.attrs['Comment'], author=img.attrs['Author'],
       committed=committed, exported=['tmp/greeting.txt' in exportedNames, 'bin/busybox' in exportedNames],
       loaded=[i.tags for i in loaded], same=loaded[0].id == img.id)
`);
  assert.equal(r.put, true);
  assert.deepEqual(r.stat, ['greeting.txt', 14, 0o640]);
  assert.deepEqual(r.names, ['greeting.txt']);
  assert.equal(r.content, 'hello archive\n');
  assert.equal(r.missing, 404);
  assert.deepEqual(r.diff, [['/tmp', 0], ['/tmp/greeting.txt', 1]]);
  assert.deepEqual(r.tags, ['committed:v1']);
  assert.equal(r.env, true);
  assert.equal(r.comment, 'a message');
  assert.equal(r.author, 'me');
  assert.equal(r.committed, 'hello archive\n');
  assert.deepEqual(r.exported, [true, true]);
  assert.deepEqual(r.loaded, [['committed:v1']]);
  assert.equal(r.same, true);
});

test('networks and volumes: create with IPAM and labels, list, connect with aliases and an address, names resolve, disconnect, remove, prune', async () => {
  const r = await py(String.raw`
from docker.types import IPAMConfig, IPAMPool
net = os.environ['NET']
ipam = IPAMConfig(pool_configs=[IPAMPool(subnet=net + '.88.0/24', gateway=net + '.88.254')])
n = client.networks.create('pynet', driver='bridge', ipam=ipam, labels={'team': 'py'}, check_duplicate=True)
try:
    client.networks.create('pynet', check_duplicate=True)
    dup = None
except docker.errors.APIError as e:
    dup = [e.status_code, e.explanation]
listed = sorted(x.name for x in client.networks.list())
byLabel = [x.name for x in client.networks.list(filters={'label': 'team=py'})]
v = client.volumes.create('pyvol', labels={'x': 'y'})
server = client.containers.run('busybox', ['sh', '-c', 'echo stored > /data/f; exec sleep 300'], detach=True, name='server',
                               volumes={'pyvol': {'bind': '/data', 'mode': 'rw'}})
n.connect(server, aliases=['srv'], ipv4_address=net + '.88.10')
n.reload()
members = [c.name for c in n.containers]
server.reload()
address = server.attrs['NetworkSettings']['Networks']['pynet']['IPAddress']
lookup = client.containers.run('busybox', ['sh', '-c', 'nslookup srv | grep -A1 "^Name:"; cat /data/f'], network='pynet', remove=True,
                               volumes=['pyvol:/data:ro']).decode()
n.disconnect(server)
server.reload()
after = sorted(server.attrs['NetworkSettings']['Networks'])
try:
    v.remove()
    inUse = None
except docker.errors.APIError as e:
    inUse = e.status_code
server.remove(force=True)
vols = [x.name for x in client.volumes.list(filters={'label': 'x=y'})]
n.remove()
v.remove()
client.networks.create('unused')
pruned = client.networks.prune()
client.volumes.create()
vpruned = client.volumes.prune()
report(ipam=n.attrs['IPAM']['Config'], dup=dup, listed=listed, byLabel=byLabel, members=members, address=address, lookup=lookup,
       after=after, inUse=inUse, vols=vols, left=[sorted(x.name for x in client.networks.list()), [x.name for x in client.volumes.list()]],
       pruned=pruned['NetworksDeleted'], vpruned=len(vpruned['VolumesDeleted'] or []))
`, { NET: d.net });
  assert.deepEqual(r.ipam, [{ Subnet: `${d.net}.88.0/24`, Gateway: `${d.net}.88.254` }]);
  assert.equal((r.dup as [number, string])[0], 409);
  assert.deepEqual(r.listed, ['bridge', 'host', 'none', 'pynet']);
  assert.deepEqual(r.byLabel, ['pynet']);
  assert.deepEqual(r.members, ['server']);
  assert.equal(r.address, `${d.net}.88.10`);
  assert.match(r.lookup as string, new RegExp(`Name:\\s+srv\\nAddress: ${d.net.replace('.', '\\.')}\\.88\\.10\\n`));
  assert.match(r.lookup as string, /stored\n$/);
  assert.deepEqual(r.after, ['bridge']);
  assert.equal(r.inUse, 409);
  assert.deepEqual(r.vols, ['pyvol']);
  assert.deepEqual(r.left, [['bridge', 'host', 'none'], []]);
  assert.deepEqual(r.pruned, ['unused']);
  assert.equal(r.vpruned, 1);
});

test('containers.list filters by volume, network, publish and expose; network_mode container: shares the hostname; swarm calls are 503s', async () => {
  const r = await py(String.raw`
client.networks.create('filternet')
client.volumes.create('filtervol')
a = client.containers.run('busybox', 'sleep 300', detach=True, name='fa', network='filternet', volumes=['filtervol:/data'], ports={'80/tcp': ('127.0.0.1', None)})
b = client.containers.run('busybox', 'sleep 300', detach=True, name='fb', network_mode='container:fa')
c = api.create_container('busybox', 'sleep 300', name='fc', ports=[8080])
names = lambda f: sorted(x.name for x in client.containers.list(all=True, filters=f))
filters = {k: names({k: v}) for k, v in [('volume', 'filtervol'), ('network', 'filternet'), ('publish', '80'), ('expose', '8080')]}
filters['volume-destination'] = names({'volume': '/data'})
filters['none'] = names({'volume': '/nothing'})
a.reload(); b.reload()
sharedHostname = [b.exec_run('hostname').output.decode().strip(), b.attrs['Config']['Hostname'], a.attrs['Config']['Hostname']]
swarm = []
for call in (lambda: client.swarm.reload(), lambda: client.services.list(), lambda: client.nodes.list(), lambda: client.secrets.list(), lambda: client.configs.list()):
    try:
        call()
        swarm.append(None)
    except docker.errors.APIError as e:
        swarm.append(e.status_code)
report(filters=filters, sharedHostname=sharedHostname, swarm=swarm, message=str(client.info()['Swarm']['LocalNodeState']))
for x in (b, a):
    x.remove(force=True)
api.remove_container(c['Id'])
client.networks.get('filternet').remove()
client.volumes.get('filtervol').remove()
`);
  assert.deepEqual(r.filters, { volume: ['fa'], network: ['fa'], publish: ['fa'], expose: ['fc'], 'volume-destination': ['fa'], none: [] });
  const [inside, joined, owner] = r.sharedHostname as string[];
  assert.equal(inside, owner);
  assert.equal(joined, owner);
  assert.deepEqual(r.swarm, [503, 503, 503, 503, 503]);
  assert.equal(r.message, 'inactive');
});

test('events: since/until ends by itself, filters, and a stream closed half-way does not hang', async () => {
  const r = await py(String.raw`
since = int(time.time()) - 1
client.containers.run('busybox', 'true', remove=True, name='evt')
until = int(time.time()) + 2
bounded = [(e['Type'], e['Action']) for e in client.events(since=since, until=until, decode=True) if e.get('Actor', {}).get('Attributes', {}).get('name') == 'evt']
filtered = [e['Action'] for e in client.events(since=since, until=until, decode=True, filters={'type': 'container', 'event': 'die', 'container': 'evt'})]
stream = client.events(decode=True, filters={'type': 'container', 'event': 'start'})
client.containers.run('busybox', 'true', remove=True, name='evt2')
live = next(stream)
stream.close()
report(bounded=bounded, filtered=filtered, live=[live['Action'], live['Actor']['Attributes']['name'], live['status'], live['from']])
`);
  const bounded = r.bounded as Array<[string, string]>;
  // (run() without detach waits and then reads the logs: no attach)
  for (const a of ['create', 'start', 'die', 'destroy']) assert.ok(bounded.some(([t, act]) => t === 'container' && act === a), `${a} in ${JSON.stringify(bounded)}`);
  assert.deepEqual(r.filtered, ['die']);
  assert.deepEqual(r.live, ['start', 'evt2', 'start', 'busybox']);
});

for (const kind of ['berth', 'distribution'] as const) {
  test(`images.push and images.pull through a registry on 127.0.0.1 (${kind === 'berth' ? 'berth registry serve' : 'distribution 2.8'})`, async () => {
    const reg = kind === 'berth' ? await startBerthRegistry() : await startDistribution();
    registries.push(reg);
    const r = await py(String.raw`
reg = os.environ['REG']
repo = reg + '/py/busybox'
client.images.get('busybox').tag(repo, 'v1')
pushed = [json.loads(l) for l in client.images.push(repo, tag='v1').splitlines() if l.strip()]
again = list(client.images.push(repo, tag='v1', stream=True, decode=True))
client.images.remove(repo + ':v1')
img = client.images.pull(repo, tag='v1')
progress = list(api.pull(repo, tag='v1', stream=True, decode=True))
registry = client.images.get_registry_data(repo + ':v1')
try:
    client.images.pull(reg + '/py/nothere', tag='v1')
    missing = None
except docker.errors.APIError as e:
    missing = [e.status_code, e.explanation]
ran = client.containers.run(repo + ':v1', ['echo', 'pulled'], remove=True).decode()
client.images.remove(repo + ':v1')
report(pushedDigest=pushed[-1].get('aux', {}).get('Digest'), againDigest=again[-1].get('aux', {}).get('Digest'),
       errors=[l for l in pushed + again if 'error' in l], tags=img.tags, digests=img.attrs['RepoDigests'],
       last=progress[-1]['status'], registry=registry.id, missing=missing, ran=ran)
`, { REG: reg.host });
    assert.match(r.pushedDigest as string, /^sha256:[0-9a-f]{64}$/);
    assert.equal(r.againDigest, r.pushedDigest);
    assert.deepEqual(r.errors, []);
    assert.ok((r.tags as string[]).includes(`${reg.host}/py/busybox:v1`));
    // the tag removed before the pull took its digest reference with it (as dockerd does), the pull made it again
    assert.deepEqual(r.digests, [`${reg.host}/py/busybox@${r.pushedDigest}`]);
    assert.equal(r.last, `Status: Image is up to date for ${reg.host}/py/busybox:v1`);
    assert.equal(r.registry, r.pushedDigest);
    assert.equal((r.missing as [number, string])[0], 404);
    assert.equal(r.ran, 'pulled\n');
    await reg.stop();
  });
}

test('images.build from a fileobj and from a path (dockerfile, buildargs, target, labels); a failing step raises BuildError', async () => {
  const r = await py(String.raw`
img, logs = client.images.build(fileobj=io.BytesIO(b'FROM busybox\nRUN echo built > /b\nCMD ["cat", "/b"]\n'), tag='pyfileobj:1', rm=True)
fileobj = [client.containers.run('pyfileobj:1', remove=True).decode(), [l['stream'] for l in logs if 'stream' in l][-1]]
ctx = tempfile.mkdtemp()
with open(os.path.join(ctx, 'alt.Dockerfile'), 'w') as f:
    f.write('FROM busybox AS base\nARG X=1\nCOPY hello.txt /hello.txt\nRUN echo $X > /x\nFROM base AS final\nCMD ["cat", "/hello.txt", "/x"]\nFROM busybox AS unused\nRUN exit 1\n')
with open(os.path.join(ctx, 'hello.txt'), 'w') as f:
    f.write('hi from path\n')
with open(os.path.join(ctx, '.dockerignore'), 'w') as f:
    f.write('ignored.txt\n')
with open(os.path.join(ctx, 'ignored.txt'), 'w') as f:
    f.write('no\n')
img2, _ = client.images.build(path=ctx, dockerfile='alt.Dockerfile', tag='pypath:1', buildargs={'X': '42'}, target='final', labels={'built': 'py'})
fromPath = client.containers.run('pypath:1', remove=True).decode()
cached = list(api.build(path=ctx, dockerfile='alt.Dockerfile', tag='pypath:2', buildargs={'X': '42'}, target='final', labels={'built': 'py'}, decode=True))
try:
    client.images.build(fileobj=io.BytesIO(b'FROM busybox\nRUN exit 7\n'))
    failed = None
except docker.errors.BuildError as e:
    failed = e.msg
report(fileobj=fileobj, fromPath=fromPath, label=img2.labels, cachedId=[l['aux']['ID'] for l in cached if 'aux' in l][-1] == img2.id,
       usingCache=any('Using cache' in l.get('stream', '') for l in cached), failed=failed)
`);
  assert.deepEqual(r.fileobj, ['built\n', 'Successfully tagged pyfileobj:1\n']);
  assert.equal(r.fromPath, 'hi from path\n42\n');
  assert.deepEqual(r.label, { built: 'py' });
  assert.equal(r.cachedId, true);
  assert.equal(r.usingCache, true);
  assert.equal(r.failed, "The command '/bin/sh -c exit 7' returned a non-zero code: 7");
});

test('low-level APIClient: create_container with host_config (ports, binds, healthcheck), start, port, health, filters, logs, remove', async () => {
  const r = await py(String.raw`
from docker.types import Healthcheck
hostdir = tempfile.mkdtemp(dir=os.environ['BASE'])
with open(os.path.join(hostdir, 'f'), 'w') as f:
    f.write('from the host\n')
hc = Healthcheck(test=['CMD', 'true'], interval=500 * 1000 * 1000, retries=3)
cid = api.create_container('busybox', ['sh', '-c', 'cat /host/f; exec sleep 300'], name='lowlevel', ports=[80], volumes=['/data'], healthcheck=hc,
                           host_config=api.create_host_config(binds={hostdir: {'bind': '/host', 'mode': 'ro'}}, port_bindings={80: ('127.0.0.1',)},
                                                              restart_policy={'Name': 'on-failure', 'MaximumRetryCount': 2}))['Id']
api.start(cid)
health = None
deadline = time.time() + 60
while time.time() < deadline:
    health = api.inspect_container(cid)['State'].get('Health', {}).get('Status')
    if health == 'healthy':
        break
    time.sleep(0.5)
info = api.inspect_container(cid)
port = api.port(cid, 80)
healthy = [c['Names'] for c in api.containers(filters={'health': 'healthy'})]
byName = [c['Id'] for c in api.containers(filters={'name': 'lowlevel'})]
quiet = api.containers(quiet=True)
logs = api.logs(cid).decode()
api.stop(cid, timeout=1)
stopped = api.inspect_container(cid)['State']['Status']
api.remove_container(cid, v=True)
report(health=health, port=port, healthy=healthy, byName=byName == [cid], quiet=quiet == [{'Id': cid}], logs=logs, stopped=stopped,
       mounts=sorted((m['Type'], m['Destination'], m['RW']) for m in info['Mounts']), restart=info['HostConfig']['RestartPolicy'],
       left=api.containers(all=True), volumes=api.volumes()['Volumes'])
`, { BASE: d.base });
  assert.equal(r.health, 'healthy');
  const port = r.port as Array<{ HostIp: string; HostPort: string }>;
  assert.equal(port.length, 1);
  assert.equal(port[0]!.HostIp, '127.0.0.1');
  assert.match(port[0]!.HostPort, /^\d+$/);
  assert.deepEqual(r.healthy, [['/lowlevel']]);
  assert.equal(r.byName, true);
  assert.equal(r.quiet, true);
  assert.equal(r.logs, 'from the host\n');
  assert.equal(r.stopped, 'exited');
  assert.deepEqual(r.mounts, [['bind', '/host', false], ['volume', '/data', true]]);
  assert.deepEqual(r.restart, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.deepEqual(r.left, []);
  assert.deepEqual(r.volumes, [], 'the anonymous volume went with remove_container(v=True)');
});
