import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, eventually, request, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

/** `docker exec` (the real docker CLI 28) and the exec endpoints against a real berthd. */
let d: Berthd;
let ctrId: string;
const docker = (args: string[], opts?: { input?: string }) => runDocker(d.dockerHost, args, opts);
const berth = (args: string[], opts?: { input?: string }) => runBerth(d.dockerHost, args, opts);
const api = (method: string, p: string, body?: unknown) => request(d.socket, method, p, body === undefined ? undefined : JSON.stringify(body));

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  const r = await docker(['run', '-d', '--name', 'ctr', '-e', 'FROM_CTR=yes', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  ctrId = r.stdout.trim();
});
after(async () => {
  await d?.stop();
});

test('docker exec prints output, keeps stdout and stderr apart, and exits with the command\'s code', async () => {
  const hi = await docker(['exec', 'ctr', 'echo', 'hi']);
  assert.deepEqual(hi, { code: 0, stdout: 'hi\n', stderr: '' });
  const r = await docker(['exec', 'ctr', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('-e merges with the container\'s env, -w sets the directory, -u the user', async () => {
  const env = await docker(['exec', '-e', 'FOO=1', '-e', 'PATH=/bin', 'ctr', 'env']);
  assert.equal(env.code, 0, env.stderr);
  const lines = env.stdout.trim().split('\n');
  // Docker's order: PATH (replaced in place), HOSTNAME, the container's own, the exec's new ones (runc adds HOME)
  assert.deepEqual(lines.slice(0, 4), ['PATH=/bin', `HOSTNAME=${ctrId.slice(0, 12)}`, 'FROM_CTR=yes', 'FOO=1']);
  const wd = await docker(['exec', '-w', '/tmp', 'ctr', 'pwd']);
  assert.equal(wd.stdout, '/tmp\n');
  const id = await docker(['exec', '-u', 'nobody', 'ctr', 'id', '-u']);
  assert.equal(id.stdout, '65534\n');
  const ug = await docker(['exec', '-u', '1234:55', 'ctr', 'sh', '-c', 'id -u; id -g']);
  assert.equal(ug.stdout, '1234\n55\n');
  // caps are the container's; --privileged gets all the daemon has
  const caps = await docker(['exec', 'ctr', 'grep', 'CapEff', '/proc/self/status']);
  assert.equal(caps.stdout, 'CapEff:\t00000000a80425fb\n');
  const priv = await docker(['exec', '--privileged', 'ctr', 'grep', 'CapEff', '/proc/self/status']);
  const own = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await fs.readFile('/proc/self/status', 'utf8'))![1];
  assert.equal(priv.stdout, `CapEff:\t${own}\n`);
});

test('-i forwards piped stdin and closes it at its end', async () => {
  const r = await docker(['exec', '-i', 'ctr', 'sh', '-c', 'tr a-z A-Z; echo eof'], { input: 'piped input\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'PIPED INPUT\neof\n');
});

test('-it under a real terminal gets a TTY of the client\'s size, TERM=xterm, and the exit code', async () => {
  const env = { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CLI_HINTS: 'false' };
  const r = spawnSync('script', ['-qec', "stty rows 33 cols 101; docker exec -it ctr sh -c 'tty; stty size; echo $TERM; exit 5'", '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /\/dev\/pts\/\d+\r\n/);
  assert.match(r.stdout, /33 101\r\n/);
  assert.match(r.stdout, /xterm\r\n/);
});

test('-d runs detached: the command returns at once, the process keeps running', async () => {
  const r = await docker(['exec', '-d', 'ctr', 'sh', '-c', 'sleep 0.3; echo done > /tmp/detached']);
  assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
  const out = await eventually(async () => (await docker(['exec', 'ctr', 'cat', '/tmp/detached'])).stdout, 10_000, 'the detached exec');
  assert.equal(out, 'done\n');
});

test('a command not found exits 127, one that cannot run 126, an unknown user 126, with Docker\'s messages', async () => {
  const nf = await docker(['exec', 'ctr', 'no-such-cmd']);
  assert.equal(nf.code, 127);
  assert.equal(nf.stdout, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-cmd": executable file not found in $PATH: unknown\r\n');
  const np = await docker(['exec', 'ctr', '/etc/passwd']);
  assert.equal(np.code, 126);
  assert.match(np.stdout, /^OCI runtime exec failed: .*exec: "\/etc\/passwd": permission denied: unknown\r\n$/);
  const nu = await docker(['exec', '-u', 'nosuch', 'ctr', 'true']);
  assert.equal(nu.code, 126);
  assert.equal(nu.stdout, 'unable to find user nosuch: no matching entries in passwd file\r\n');
});

test('the exec API: create, inspect, start over a plain 200 stream, ExitCode, ExecIDs, start twice, 404', async () => {
  const created = await api('POST', `/containers/ctr/exec`, { Cmd: ['sh', '-c', 'echo x; exit 4'], AttachStdout: true, AttachStderr: true, User: 'nobody' });
  assert.equal(created.status, 201, created.body);
  const { Id } = JSON.parse(created.body) as { Id: string };
  assert.match(Id, /^[0-9a-f]{64}$/);
  const before = JSON.parse((await api('GET', `/exec/${Id}/json`)).body) as Record<string, unknown>;
  assert.deepEqual(before, {
    ID: Id, Running: false, ExitCode: null,
    ProcessConfig: { tty: false, entrypoint: 'sh', arguments: ['-c', 'echo x; exit 4'], privileged: false, user: 'nobody' },
    OpenStdin: false, OpenStderr: true, OpenStdout: true, CanRemove: false, ContainerID: ctrId, DetachKeys: '', Pid: 0,
  });
  const inspect = JSON.parse((await api('GET', '/containers/ctr/json')).body) as { ExecIDs: string[] | null };
  assert.deepEqual(inspect.ExecIDs, [Id]);

  // without Upgrade: a 200 whose body is the multiplexed stream; ExitCode is final when it ends
  const started = await api('POST', `/exec/${Id}/start`, { Detach: false, Tty: false });
  assert.equal(started.status, 200);
  assert.equal(started.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  assert.equal(started.body, '\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002x\n');
  const afterStart = JSON.parse((await api('GET', `/exec/${Id}/json`)).body) as { Running: boolean; ExitCode: number; Pid: number };
  assert.equal(afterStart.Running, false);
  assert.equal(afterStart.ExitCode, 4);
  assert.ok(afterStart.Pid > 0);
  assert.equal((JSON.parse((await api('GET', '/containers/ctr/json')).body) as { ExecIDs: unknown }).ExecIDs, null);

  const again = await api('POST', `/exec/${Id}/start`, { Detach: true });
  assert.equal(again.status, 409);
  assert.deepEqual(JSON.parse(again.body), { message: `Error: Exec command ${Id} has already run` });

  for (const [method, p] of [['GET', '/exec/nope/json'], ['POST', '/exec/nope/start'], ['POST', '/exec/nope/resize?h=1&w=1']] as const) {
    const r = await api(method, p, method === 'POST' ? {} : undefined);
    assert.equal(r.status, 404, p);
    assert.deepEqual(JSON.parse(r.body), { message: 'No such exec instance: nope' });
  }
  const noCmd = await api('POST', '/containers/ctr/exec', { Cmd: [] });
  assert.equal(noCmd.status, 400);
  assert.deepEqual(JSON.parse(noCmd.body), { message: 'No exec command specified' });
  const noCtr = await api('POST', '/containers/nosuch/exec', { Cmd: ['true'] });
  assert.equal(noCtr.status, 404);
});

test('exec events: exec_create and exec_start with the command, exec_die with the exit code', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await docker(['exec', 'ctr', 'sh', '-c', 'exit 7']);
  assert.equal(r.code, 7);
  const ev = await docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=ctr', '--format', '{{.Action}} {{index .Actor.Attributes "exitCode"}} {{len (index .Actor.Attributes "execID")}}']);
  const lines = ev.stdout.trim().split('\n').filter((l) => l.startsWith('exec_'));
  assert.deepEqual(lines.slice(-3), ['exec_create: sh -c exit 7  64', 'exec_start: sh -c exit 7  64', 'exec_die 7 64']);
  const filtered = await docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'event=exec_die', '--format', '{{.Action}}']);
  assert.match(filtered.stdout, /^exec_die\n/);
});

test('a stopped container refuses exec with Docker\'s message; its execs are cleaned up', async () => {
  const r = await docker(['run', '-d', '--name', 'brief', 'busybox', 'sleep', '300']);
  const id = r.stdout.trim();
  const pending = JSON.parse((await api('POST', '/containers/brief/exec', { Cmd: ['true'] })).body) as { Id: string };
  const running = await docker(['exec', '-d', 'brief', 'sleep', '100']);
  assert.equal(running.code, 0);
  assert.equal((JSON.parse((await api('GET', '/containers/brief/json')).body) as { ExecIDs: string[] }).ExecIDs.length, 2);

  assert.equal((await docker(['stop', '-t', '0', 'brief'])).code, 0);
  const stopped = await docker(['exec', 'brief', 'true']);
  assert.equal(stopped.code, 1);
  assert.equal(stopped.stderr, `Error response from daemon: Container ${id} is not running\n`);
  const viaApi = await api('POST', '/containers/brief/exec', { Cmd: ['true'] });
  assert.equal(viaApi.status, 409);
  // an exec created before the stop is gone, as in Docker
  assert.equal((await api('POST', `/exec/${pending.Id}/start`, { Detach: true })).status, 404);
  assert.equal((JSON.parse((await api('GET', '/containers/brief/json')).body) as { ExecIDs: unknown }).ExecIDs, null);
  assert.equal((await docker(['rm', 'brief'])).code, 0);
  // no exec session dirs or conmons left behind
  await eventually(async () => (await fs.readdir(path.join(d.execRoot, 'exec')).catch(() => [])).length === 0, 10_000, 'exec dirs to go');
});

test('berth exec: the same basics through berth\'s own CLI', async () => {
  assert.deepEqual(await berth(['exec', 'ctr', 'sh', '-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.equal((await berth(['exec', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'ctr', 'sh', '-c', 'echo $A $(pwd) $(id -u) $FROM_CTR'])).stdout, '1 /tmp 65534 yes\n');
  assert.equal((await berth(['exec', '-i', 'ctr', 'tr', 'a-z', 'A-Z'], { input: 'abc\n' })).stdout, 'ABC\n');
  const nf = await berth(['exec', 'ctr', 'no-such-cmd']);
  assert.equal(nf.code, 127);
  assert.match(nf.stdout, /executable file not found in \$PATH: unknown\r\n$/);
  assert.equal((await berth(['exec', 'ctr', '/etc/passwd'])).code, 126);
  assert.deepEqual(await berth(['exec', '-d', 'ctr', 'sh', '-c', 'echo b > /tmp/berth-detached']), { code: 0, stdout: '', stderr: '' });
  assert.equal(await eventually(async () => (await berth(['exec', 'ctr', 'cat', '/tmp/berth-detached'])).stdout, 10_000, 'the detached exec'), 'b\n');
  const env = { ...process.env, DOCKER_HOST: d.dockerHost };
  const bin = path.join(path.dirname(new URL(import.meta.url).pathname), '../../../../bin/berth');
  const tty = spawnSync('script', ['-qec', `stty rows 21 cols 77; ${bin} exec -it ctr sh -c 'stty size; exit 2'`, '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(tty.status, 2, tty.stdout + tty.stderr);
  // berth's CLI leaves the local terminal's output cooked (the docker CLI makes it raw): \r\r\n
  assert.match(tty.stdout, /21 77\r?\r\n/);
});
