import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { bootstrapBusybox, request, runBerth, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry } from '../../helpers/registries.js';

/**
 * testcontainers (npm) against a real berthd, as its users write tests: busybox containers with commands,
 * exposed ports reached over real TCP, wait strategies, exec, copies, logs, networks with aliases, stop and
 * restart. testcontainers finds the daemon through DOCKER_HOST; Ryuk is off (it would pull
 * testcontainers/ryuk from Docker Hub), HOME and DOCKER_CONFIG are empty temp dirs (no
 * ~/.testcontainers.properties, no registry credentials), and the host it dials is 127.0.0.1 (this machine
 * has /.dockerenv, which would make it dial the bridge's gateway). A last test checks that nothing was pulled
 * from anywhere but the test's own registry on 127.0.0.1.
 */
type TC = typeof import('testcontainers');
let tc: TC;
let d: Berthd;
let home: string;
const startedAt = Math.floor(Date.now() / 1000);
const savedEnv = { ...process.env };
/** what each test started, stopped in after() also when it failed */
const cleanups: Array<() => Promise<unknown>> = [];

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-tc-home-'));
  await fs.mkdir(path.join(home, '.docker'));
  // nothing from the caller's environment steers it (TLS, auth, image prefixes, reuse, other daemons)
  for (const k of Object.keys(process.env)) if (/^(DOCKER_|TESTCONTAINERS_|RYUK_|SSHD_)/.test(k)) delete process.env[k];
  Object.assign(process.env, {
    HOME: home,
    DOCKER_CONFIG: path.join(home, '.docker'),
    DOCKER_HOST: d.dockerHost,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
  });
  // imported only now: testcontainers reads its configuration once, on first use
  tc = await import('testcontainers');
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await d?.stop();
  await fs.rm(home, { recursive: true, force: true }).catch(() => undefined);
  process.env = savedEnv;
});

/** Starts what `start` makes and registers its cleanup at once. */
async function started<T extends { stop(): Promise<unknown> }>(start: Promise<T>): Promise<T> {
  const c = await start;
  cleanups.push(() => c.stop());
  return c;
}

function httpGet(host: string, port: number, p = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: p, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}${p} timed out`)));
    req.on('error', reject);
  });
}

test('GenericContainer with a command, Wait.forLogMessage, exec, logs, stop', async () => {
  const c = await started(
    new tc.GenericContainer('busybox')
      .withCommand(['sh', '-c', 'echo booting; echo to-stderr >&2; sleep 1; echo "ready on $HOSTNAME"; exec sleep 300'])
      .withEnvironment({ GREETING: 'from-tc' })
      .withLabels({ suite: 'testcontainers' })
      .withWaitStrategy(tc.Wait.forLogMessage(/ready on \w+/))
      .withStartupTimeout(60_000)
      .start(),
  );
  assert.equal(c.getHost(), '127.0.0.1');
  assert.match(c.getId(), /^[0-9a-f]{64}$/);
  assert.equal(c.getLabels().suite, 'testcontainers');

  const ex = await c.exec(['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 4']);
  assert.equal(ex.exitCode, 4);
  assert.equal(ex.stdout, 'from-tc\n');
  assert.equal(ex.stderr, 'oops\n');
  const withOpts = await c.exec(['sh', '-c', 'pwd; id -u; echo $EXTRA'], { workingDir: '/tmp', user: 'nobody', env: { EXTRA: 'x' } });
  assert.deepEqual([withOpts.exitCode, withOpts.output], [0, '/tmp\n65534\nx\n']);

  // logs(): a stream of what the container wrote so far and then what it writes (follow)
  const logs = await c.logs();
  let text = '';
  const seen = new Promise<void>((resolve) => {
    logs.on('data', (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('ready on')) resolve();
    });
  });
  await seen;
  assert.match(text, /booting\n/);
  assert.match(text, /to-stderr\n/);
  (logs as unknown as { destroy(): void }).destroy();

  const stopped = await c.stop({ timeout: 1000 });
  assert.match(stopped.getId(), /^[0-9a-f]{64}$/);
  // testcontainers removes what it stopped (no Ryuk needed for that)
  const r = await request(d.socket, 'GET', `/containers/${c.getId()}/json`);
  assert.equal(r.status, 404);
});

test('withExposedPorts, getMappedPort and real HTTP to busybox httpd; copies in and out; restart', async () => {
  const c = await started(
    new tc.GenericContainer('busybox')
      .withCopyContentToContainer([{ content: 'hello over http\n', target: '/www/index.html' }])
      .withCommand(['httpd', '-f', '-p', '80', '-h', '/www'])
      .withExposedPorts(80)
      .withWaitStrategy(tc.Wait.forListeningPorts())
      .withStartupTimeout(60_000)
      .start(),
  );
  const port = c.getMappedPort(80);
  assert.ok(port > 0 && port < 65536);
  assert.deepEqual(await httpGet(c.getHost(), port), { status: 200, body: 'hello over http\n' });

  await c.copyContentToContainer([{ content: Buffer.from('second file\n'), target: '/www/second.html', mode: 0o644 }]);
  assert.deepEqual(await httpGet(c.getHost(), port, '/second.html'), { status: 200, body: 'second file\n' });
  const src = path.join(home, 'from-host.html');
  await fs.writeFile(src, 'from a host file\n');
  await c.copyFilesToContainer([{ source: src, target: '/www/host.html' }]);
  assert.deepEqual(await httpGet(c.getHost(), port, '/host.html'), { status: 200, body: 'from a host file\n' });

  // copyArchiveFromContainer: a tar of the path
  const archive = await c.copyArchiveFromContainer('/www/second.html');
  const files: Record<string, string> = {};
  const extract = tar.extract();
  extract.on('entry', (h, body, next) => {
    let s = '';
    body.on('data', (b: unknown) => {
      s += String(b);
    });
    body.on('end', () => {
      files[h.name] = s;
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  archive.pipe(extract);
  await done;
  assert.deepEqual(files, { 'second.html': 'second file\n' });

  // restart: the container comes back, ports are looked up again
  await c.restart();
  const after = c.getMappedPort(80);
  const again = await retry(() => httpGet(c.getHost(), after));
  assert.deepEqual(again, { status: 200, body: 'hello over http\n' });
});

test('Wait.forHealthCheck waits for the container to become healthy', async () => {
  const c = await started(
    new tc.GenericContainer('busybox')
      .withCommand(['sh', '-c', 'sleep 1; touch /tmp/ready; exec sleep 300'])
      .withHealthCheck({ test: ['CMD-SHELL', 'test -f /tmp/ready'], interval: 250, timeout: 5000, retries: 100 })
      .withWaitStrategy(tc.Wait.forHealthCheck())
      .withStartupTimeout(60_000)
      .start(),
  );
  const r = await request(d.socket, 'GET', `/containers/${c.getId()}/json`);
  const state = (JSON.parse(r.body) as { State: { Health: { Status: string } } }).State;
  assert.equal(state.Health.Status, 'healthy');

  // one that never gets healthy fails start() (and testcontainers removes it)
  await assert.rejects(
    new tc.GenericContainer('busybox')
      .withCommand(['sleep', '300'])
      .withHealthCheck({ test: ['CMD', 'false'], interval: 200, timeout: 2000, retries: 1 })
      .withWaitStrategy(tc.Wait.forHealthCheck())
      .withStartupTimeout(60_000)
      .start(),
    /unhealthy/i,
  );
});

test('withNetwork: two containers talk by alias over a user network', async () => {
  const network = await started(new tc.Network().start());
  const server = await started(
    new tc.GenericContainer('busybox')
      .withNetwork(network)
      .withNetworkAliases('web', 'www')
      .withCopyContentToContainer([{ content: 'served by alias\n', target: '/www/index.html' }])
      .withCommand(['httpd', '-f', '-p', '8080', '-h', '/www'])
      .withWaitStrategy(tc.Wait.forListeningPorts())
      .withExposedPorts(8080)
      .withStartupTimeout(60_000)
      .start(),
  );
  assert.equal(server.getNetworkNames().includes(network.getName()), true);
  assert.match(server.getIpAddress(network.getName()), /^10\.\d+\.\d+\.\d+$/);
  const client = await started(
    new tc.GenericContainer('busybox')
      .withNetwork(network)
      .withCommand(['sh', '-c', 'wget -qO- http://web:8080/ && echo fetched; exec sleep 300'])
      .withWaitStrategy(tc.Wait.forLogMessage('fetched'))
      .withStartupTimeout(60_000)
      .start(),
  );
  const viaAlias = await client.exec(['wget', '-qO-', 'http://www:8080/']);
  assert.deepEqual([viaAlias.exitCode, viaAlias.stdout], [0, 'served by alias\n']);
  const byName = await client.exec(['wget', '-qO-', `http://${server.getName().replace(/^\//, '')}:8080/`]);
  assert.equal(byName.stdout, 'served by alias\n');
  await client.stop();
  await server.stop();
  await network.stop();
  const gone = await request(d.socket, 'GET', `/networks/${network.getId()}`);
  assert.equal(gone.status, 404);
});

test('Wait.forHttp and Wait.forSuccessfulCommand; bind mounts, tmpfs, user, extra hosts', async () => {
  const dir = await fs.mkdtemp(path.join(home, 'bind-'));
  await fs.writeFile(path.join(dir, 'index.html'), 'bound from the host\n');
  const c = await started(
    new tc.GenericContainer('busybox')
      .withBindMounts([{ source: dir, target: '/www', mode: 'ro' }])
      .withTmpFs({ '/scratch': 'rw,size=1m' })
      .withExtraHosts([{ host: 'db.example', ipAddress: '10.9.8.7' }])
      .withCommand(['httpd', '-f', '-p', '8000', '-h', '/www'])
      .withExposedPorts(8000)
      .withWaitStrategy(tc.Wait.forHttp('/', 8000).forStatusCode(200).forResponsePredicate((body) => body.includes('bound')))
      .withStartupTimeout(60_000)
      .start(),
  );
  assert.deepEqual(await httpGet(c.getHost(), c.getMappedPort(8000)), { status: 200, body: 'bound from the host\n' });
  const mounts = await c.exec(['sh', '-c', 'grep -E " /(www|scratch) " /proc/mounts | cut -d" " -f2,3; grep db.example /etc/hosts']);
  assert.equal(mounts.exitCode, 0, mounts.output);
  assert.match(mounts.stdout, /^\/scratch tmpfs$/m);
  assert.match(mounts.stdout, /^\/www /m);
  assert.match(mounts.stdout, /^10\.9\.8\.7\s+db\.example$/m);
  const ro = await c.exec(['touch', '/www/x']);
  assert.notEqual(ro.exitCode, 0);

  const shell = await started(
    new tc.GenericContainer('busybox')
      .withUser('nobody')
      .withCommand(['sh', '-c', 'sleep 1; echo ok > /tmp/flag; exec sleep 300'])
      .withWaitStrategy(tc.Wait.forSuccessfulCommand('test -f /tmp/flag'))
      .withStartupTimeout(60_000)
      .start(),
  );
  assert.equal((await shell.exec(['id', '-u'])).stdout, '65534\n');
});

test('start() fails when the wait cannot be met: a container that exits, a startup timeout', async () => {
  const ids = async () => (JSON.parse((await request(d.socket, 'GET', '/containers/json?all=1')).body) as Array<{ Id: string }>).map((x) => x.Id).sort();
  const before = await ids();
  // the log stream ends with the container: testcontainers says so instead of waiting out its timeout
  await assert.rejects(
    new tc.GenericContainer('busybox').withCommand(['sh', '-c', 'echo not-the-message; exit 3']).withWaitStrategy(tc.Wait.forLogMessage('never printed')).withStartupTimeout(60_000).start(),
    /Log stream ended|never printed|exited/,
  );
  await assert.rejects(
    new tc.GenericContainer('busybox').withCommand(['sleep', '300']).withWaitStrategy(tc.Wait.forLogMessage('never printed')).withStartupTimeout(3000).start(),
    /never printed|timed out|timeout/i,
  );
  // testcontainers stopped and removed both
  assert.deepEqual(await ids(), before);
});

test('GenericContainer.fromDockerfile builds an image from a context directory, then runs it; commit', async () => {
  const ctxDir = await fs.mkdtemp(path.join(home, 'ctx-'));
  await fs.writeFile(path.join(ctxDir, 'Dockerfile'), 'FROM busybox\nARG WHO=nobody\nCOPY msg.txt /msg.txt\nRUN echo "built for $WHO" >> /msg.txt\nCMD ["sh", "-c", "cat /msg.txt; exec sleep 300"]\n');
  await fs.writeFile(path.join(ctxDir, 'msg.txt'), 'from the context\n');
  await fs.writeFile(path.join(ctxDir, '.dockerignore'), 'ignored.txt\n');
  await fs.writeFile(path.join(ctxDir, 'ignored.txt'), 'x');
  const image = await tc.GenericContainer.fromDockerfile(ctxDir).withBuildArgs({ WHO: 'testcontainers' }).build('tc-built:1', { deleteOnExit: false });
  const c = await started(image.withWaitStrategy(tc.Wait.forLogMessage('built for testcontainers')).withStartupTimeout(60_000).start());
  const ls = await c.exec(['ls', '/']);
  assert.doesNotMatch(ls.stdout, /ignored\.txt/);
  assert.equal((await c.exec(['cat', '/msg.txt'])).stdout, 'from the context\nbuilt for testcontainers\n');

  await c.exec(['sh', '-c', 'echo committed > /committed.txt']);
  const id = await c.commit({ repo: 'tc-committed', tag: 'v1', deleteOnExit: false });
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const fromCommit = await started(new tc.GenericContainer('tc-committed:v1').withCommand(['cat', '/committed.txt']).withWaitStrategy(tc.Wait.forOneShotStartup()).withStartupTimeout(60_000).start());
  assert.equal(await streamText(await fromCommit.logs()), 'committed\n');
});

test('container options: name, hostname, entrypoint, workdir, ulimits, caps, resources, shm, log consumer, reuse', async () => {
  let consumed = '';
  const build = () =>
    new tc.GenericContainer('busybox')
      .withName('tc-options')
      .withHostname('tc-host')
      .withEntrypoint(['sh', '-c'])
      .withCommand(['echo consumer-sees-this; exec sleep 300'])
      .withWorkingDir('/tmp')
      .withUlimits({ nofile: { hard: 2048, soft: 1024 } })
      .withAddedCapabilities('NET_ADMIN')
      .withDroppedCapabilities('CHOWN')
      .withResourcesQuota({ memory: 0.125, cpu: 0.5 })
      .withSharedMemorySize(32 * 1024 * 1024)
      .withIpcMode('private')
      .withDefaultLogDriver()
      .withCopyDirectoriesToContainer([{ source: dir, target: '/data' }])
      .withLogConsumer((stream) => stream.on('data', (c: unknown) => (consumed += String(c))))
      .withWaitStrategy(tc.Wait.forAll([tc.Wait.forLogMessage('consumer-sees-this'), tc.Wait.forSuccessfulCommand('test -f /data/sub/a.txt')]))
      .withReuse()
      .withStartupTimeout(60_000);
  const dir = await fs.mkdtemp(path.join(home, 'dir-'));
  await fs.mkdir(path.join(dir, 'sub'));
  await fs.writeFile(path.join(dir, 'sub', 'a.txt'), 'in a dir\n');
  const c = await started(build().start());
  assert.equal(c.getName(), '/tc-options');
  const r = await c.exec(['sh', '-c', 'hostname; pwd; ulimit -n; cat /data/sub/a.txt; grep CapEff /proc/self/status; df -k /dev/shm | tail -1']);
  assert.equal(r.exitCode, 0, r.output);
  const [hostname, pwd, nofile, content, capEff, shm] = r.stdout.trim().split('\n');
  assert.deepEqual([hostname, pwd, nofile, content], ['tc-host', '/tmp', '1024', 'in a dir']);
  const caps = BigInt('0x' + capEff!.split(/\s+/)[1]);
  assert.equal(caps & (1n << 12n), 1n << 12n, 'NET_ADMIN added');
  assert.equal(caps & 1n, 0n, 'CHOWN dropped');
  assert.match(shm!, /\s32768\s/);
  const inspect = JSON.parse((await request(d.socket, 'GET', `/containers/${c.getId()}/json`)).body) as { HostConfig: { Memory: number; NanoCpus: number; LogConfig: { Type: string } } };
  assert.equal(inspect.HostConfig.Memory, 128 * 1024 * 1024);
  assert.equal(inspect.HostConfig.NanoCpus, 5e8);
  assert.equal(inspect.HostConfig.LogConfig.Type, 'json-file');
  await retry(async () => assert.match(consumed, /consumer-sees-this/));
  // withReuse: the same configuration finds the running container instead of making another
  const again = await build().start();
  assert.equal(again.getId(), c.getId());
});

test('an image from a registry on 127.0.0.1: pulled when missing, and again with PullPolicy.alwaysPull()', async () => {
  const reg = await startBerthRegistry();
  cleanups.push(() => reg.stop());
  const name = `${reg.host}/tc/box:v1`;
  for (const args of [['tag', 'busybox', name], ['push', name], ['rmi', name]]) {
    const r = await runBerth(d.dockerHost, args);
    assert.equal(r.code, 0, r.stderr);
  }
  const c = await started(new tc.GenericContainer(name).withCommand(['sh', '-c', 'echo pulled-and-running; exec sleep 300']).withWaitStrategy(tc.Wait.forLogMessage('pulled-and-running')).withStartupTimeout(60_000).start());
  const img = JSON.parse((await request(d.socket, 'GET', `/images/${name}/json`)).body) as { RepoDigests: string[] };
  assert.ok(img.RepoDigests.some((r) => r.startsWith(`${reg.host}/tc/box@sha256:`)), JSON.stringify(img));
  await c.stop();
  const again = await started(new tc.GenericContainer(name).withPullPolicy(tc.PullPolicy.alwaysPull()).withCommand(['true']).withWaitStrategy(tc.Wait.forOneShotStartup()).withStartupTimeout(60_000).start());
  await again.stop();
  const filters = encodeURIComponent(JSON.stringify({ type: ['image'], event: ['pull'] }));
  const events = (await request(d.socket, 'GET', `/events?since=${startedAt}&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`)).body.trim().split('\n');
  assert.equal(events.length, 2, events.join('\n'));
});

test('nothing was pulled from anywhere but 127.0.0.1: every other image came from the daemon itself', async () => {
  const now = Math.ceil(Date.now() / 1000) + 1;
  const filters = encodeURIComponent(JSON.stringify({ type: ['image'], event: ['pull'] }));
  const r = await request(d.socket, 'GET', `/events?since=${startedAt}&until=${now}&filters=${filters}`);
  assert.equal(r.status, 200);
  const pulls = r.body.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Actor: { ID: string } }).Actor.ID);
  assert.deepEqual(pulls.filter((id) => !id.startsWith('127.0.0.1:')), [], r.body);
});

/** A (following) log stream's text until it ends. */
async function streamText(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

async function retry<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
