import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, REPO_ROOT, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('docker run --rm busybox echo hello prints hello and leaves no container', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'echo', 'hello']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.code, 0);
  const ps = await runDocker(d.dockerHost, ['ps', '-aq']);
  assert.equal(ps.stdout, '');
});

test('exit codes propagate through docker run', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('a command that is not found exits 127, one that cannot run exits 126', async () => {
  const nf = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(nf.code, 127, nf.stderr);
  assert.match(nf.stderr, /executable file not found|no such file/);
  const np = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', '/etc/passwd']);
  assert.equal(np.code, 126, np.stderr);
  assert.match(np.stderr, /permission denied/);
});

test('-w -e --hostname -u --entrypoint take effect', async () => {
  const r = await runDocker(d.dockerHost, [
    'run', '--rm', '-w', '/some/work', '-e', 'GREETING=hi there', '--hostname', 'boxy', '-u', 'nobody',
    '--entrypoint', 'sh', 'busybox', '-c', 'echo "$PWD|$GREETING|$(hostname)|$(id -u):$(id -g)|$PATH"',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/some/work|hi there|boxy|65534:65534|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  const uid = await runDocker(d.dockerHost, ['run', '--rm', '-u', '1234:5678', 'busybox', 'id']);
  assert.equal(uid.stdout, 'uid=1234 gid=5678 groups=5678\n');
  const bad = await runDocker(d.dockerHost, ['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /unable to find user nosuchuser/);
});

test('the container gets Docker\'s default capabilities and its own pid namespace', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'sh', '-c', 'grep -E "^Cap(Eff|Bnd)" /proc/self/status; echo pid=$$']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CapEff:\t00000000a80425fb/);
  assert.match(r.stdout, /CapBnd:\t00000000a80425fb/);
  assert.match(r.stdout, /pid=1\n/);
});

test('an unknown image fails with Docker\'s message and exit code 125', async () => {
  const never = await runDocker(d.dockerHost, ['run', '--rm', '--pull', 'never', 'no-such-image']);
  assert.equal(never.code, 125);
  assert.match(never.stderr, /No such image: no-such-image/);
  // A pull must never leave the machine: a registry on a closed loopback port stands for one that is out
  // of reach (a name without a host would mean Docker Hub).
  const pull = await runDocker(d.dockerHost, ['run', '--rm', '127.0.0.1:9/no-such-image:v1']);
  assert.equal(pull.code, 125);
  assert.match(pull.stderr, /Unable to find image '127.0.0.1:9\/no-such-image:v1' locally/);
  assert.match(pull.stderr, /Error response from daemon: .*127\.0\.0\.1:9/);
});

test('a duplicate name fails with the 409 conflict', async () => {
  const first = await runDocker(d.dockerHost, ['create', '--name', 'dup', 'busybox', 'true']);
  assert.equal(first.code, 0, first.stderr);
  const second = await runDocker(d.dockerHost, ['run', '--name', 'dup', 'busybox', 'true']);
  assert.equal(second.code, 125);
  assert.match(second.stderr, /Conflict. The container name "\/dup" is already in use by container "[0-9a-f]{64}"/);
  const api = await request(d.socket, 'POST', '/v1.43/containers/create?name=dup', JSON.stringify({ Image: 'busybox', Cmd: ['true'] }));
  assert.equal(api.status, 409);
  await runDocker(d.dockerHost, ['rm', 'dup']);
});

test('docker run -i reads piped stdin', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'tr a-z A-Z'], { input: 'piped input\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'PIPED INPUT\n');
});

test('docker run -it gets a TTY of the client\'s size, and its exit code', async () => {
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CLI_HINTS: 'false' };
  // `script` gives the docker CLI a real pseudo-terminal
  const r = spawnSync('script', ['-qec', "stty rows 33 cols 101; docker run -it --rm busybox sh -c 'tty; stty size; exit 4'", '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stdout, /\/dev\/pts\/0\r\n/);
  assert.match(r.stdout, /33 101\r\n/);
});

test('berth run -it prints the container\'s lines as docker does (raw terminal, no doubled \\r)', async () => {
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CLI_HINTS: 'false' };
  const cmd = (cli: string) => `${cli} run -it --rm busybox sh -c 'echo a; echo b'`;
  const berth = spawnSync('script', ['-qec', cmd(`${REPO_ROOT}/bin/berth`), '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
  const docker = spawnSync('script', ['-qec', cmd('docker'), '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(berth.status, 0, berth.stderr);
  assert.match(berth.stdout, /a\r\nb\r\n$/);
  assert.equal(berth.stdout, docker.stdout);
});
