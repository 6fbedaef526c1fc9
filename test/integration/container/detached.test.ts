import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, eventually, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('run -d: ps shows it Up, logs and inspect work, stop delivers SIGTERM to a trap', async () => {
  const script = 'trap "echo got-TERM; exit 0" TERM; echo started; while true; do sleep 0.1; done';
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'trapper', 'busybox', 'sh', '-c', script]);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);

  const ps = await runDocker(d.dockerHost, ['ps']);
  assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
  assert.match(ps.stdout, new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+"sh -c 'trap .*"\\s+.*Up .*trapper`));

  await eventually(async () => (await runDocker(d.dockerHost, ['logs', 'trapper'])).stdout === 'started\n', 5000, 'log line');
  const running = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Running}} {{.State.Status}} {{.Name}}', 'trapper']);
  assert.equal(running.stdout, 'true running /trapper\n');

  const t0 = Date.now();
  const stop = await runDocker(d.dockerHost, ['stop', '-t', '5', 'trapper']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout, 'trapper\n');
  assert.ok(Date.now() - t0 < 4500, 'the trap ended it before the timeout');
  const logs = await runDocker(d.dockerHost, ['logs', 'trapper']);
  assert.equal(logs.stdout, 'started\ngot-TERM\n');
  const state = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'trapper']);
  assert.equal(state.stdout, 'exited 0\n');
  const psa = await runDocker(d.dockerHost, ['ps', '-a', '--filter', 'name=trapper', '--format', '{{.Status}}']);
  assert.match(psa.stdout, /^Exited \(0\) /);

  const again = await runDocker(d.dockerHost, ['stop', 'trapper']);
  assert.equal(again.code, 0, 'stopping a stopped container is not an error (304)');
  const rm = await runDocker(d.dockerHost, ['rm', 'trapper']);
  assert.equal(rm.code, 0, rm.stderr);
  const gone = await runDocker(d.dockerHost, ['inspect', 'trapper']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such object: trapper|No such container: trapper/);
});

test('stop escalates to SIGKILL after the timeout when the signal is ignored', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  const id = run.stdout.trim();
  const t0 = Date.now();
  await runDocker(d.dockerHost, ['stop', '-t', '1', id]);
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 6000, `took ${took} ms`);
  const code = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.ExitCode}}', id]);
  assert.equal(code.stdout, '137\n');
  await runDocker(d.dockerHost, ['rm', id]);
});

test('rm refuses a running container, rm -f removes it', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'busy', 'busybox', 'sleep', '1000']);
  assert.equal(run.code, 0, run.stderr);
  const rm = await runDocker(d.dockerHost, ['rm', 'busy']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /container is running: stop the container before removing or force remove/);
  const rmf = await runDocker(d.dockerHost, ['rm', '-f', 'busy']);
  assert.equal(rmf.code, 0, rmf.stderr);
  assert.equal((await runDocker(d.dockerHost, ['ps', '-aq'])).stdout, '');
});

test('kill sends a signal; kill of a stopped container is a 409', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'trap "echo usr1" USR1; while true; do sleep 0.1; done']);
  const id = run.stdout.trim();
  await runDocker(d.dockerHost, ['kill', '-s', 'USR1', id]);
  await eventually(async () => (await runDocker(d.dockerHost, ['logs', id])).stdout.includes('usr1'), 5000, 'USR1 trap');
  const k = await runDocker(d.dockerHost, ['kill', id]);
  assert.equal(k.code, 0, k.stderr);
  const again = await runDocker(d.dockerHost, ['kill', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is not running/);
  await runDocker(d.dockerHost, ['rm', id]);
});

test('logs --tail, -t and stderr are served with docker logs semantics', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'for i in 1 2 3 4; do echo line$i; done; echo oops >&2']);
  const id = run.stdout.trim();
  await runDocker(d.dockerHost, ['wait', id]);
  const all = await runDocker(d.dockerHost, ['logs', id]);
  assert.equal(all.stdout, 'line1\nline2\nline3\nline4\n');
  assert.equal(all.stderr, 'oops\n');
  const tail = await runDocker(d.dockerHost, ['logs', '--tail', '2', id]);
  assert.equal(tail.stdout, 'line4\n');
  assert.equal(tail.stderr, 'oops\n');
  const ts = await runDocker(d.dockerHost, ['logs', '-t', id]);
  assert.match(ts.stdout.split('\n')[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line1$/);
  const waited = await runDocker(d.dockerHost, ['wait', id]);
  assert.equal(waited.stdout, '0\n');
  await runDocker(d.dockerHost, ['rm', id]);
});

test('logs -f follows until the container exits', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'echo a; sleep 1; echo b']);
  const id = run.stdout.trim();
  const f = await runDocker(d.dockerHost, ['logs', '-f', id], { timeoutMs: 15_000 });
  assert.equal(f.stdout, 'a\nb\n');
  await runDocker(d.dockerHost, ['rm', id]);
});

test('docker attach streams a running container\'s output and its exit code, and forwards stdin', async () => {
  const id = (await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'for i in 1 2 3; do sleep 0.3; echo n$i; done; exit 2'])).stdout.trim();
  const a = await runDocker(d.dockerHost, ['attach', id], { timeoutMs: 15_000 });
  assert.equal(a.code, 2);
  assert.match(a.stdout, /n3\n$/);
  const withStdin = (await runDocker(d.dockerHost, ['run', '-d', '-i', 'busybox', 'sh', '-c', 'read x; echo got:$x'])).stdout.trim();
  const b = await runDocker(d.dockerHost, ['attach', withStdin], { input: 'hello\n', timeoutMs: 15_000 });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, 'got:hello\n');
  await runDocker(d.dockerHost, ['rm', id, withStdin]);
});

test('restart, rename and container prune', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'r1', 'busybox', 'sh', '-c', 'echo start; sleep 100']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await runDocker(d.dockerHost, ['restart', '-t', '1', 'r1'])).code, 0);
  assert.equal((await runDocker(d.dockerHost, ['rename', 'r1', 'r2'])).code, 0);
  const ps = await runDocker(d.dockerHost, ['ps', '--format', '{{.Names}} {{.State}}']);
  assert.equal(ps.stdout, 'r2 running\n');
  await eventually(async () => (await runDocker(d.dockerHost, ['logs', 'r2'])).stdout === 'start\nstart\n', 5000, 'second start logged');
  const ren = await runDocker(d.dockerHost, ['rename', 'r2', 'bad name']);
  assert.equal(ren.code, 1);
  assert.match(ren.stderr, /Invalid container name/);
  await runDocker(d.dockerHost, ['stop', '-t', '0', 'r2']);
  const prune = await runDocker(d.dockerHost, ['container', 'prune', '-f']);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, /Deleted Containers:\n[0-9a-f]{64}\n/);
  assert.equal((await runDocker(d.dockerHost, ['ps', '-aq'])).stdout, '');
});
