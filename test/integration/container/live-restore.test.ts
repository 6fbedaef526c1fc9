import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, eventually, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('after kill -9 of berthd and a restart, a container is still running, logs intact, stop and rm work', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  const exiter = (await runDocker(d.dockerHost, ['run', '-d', 'busybox', 'sh', '-c', 'sleep 1; exit 7'])).stdout.trim();
  await eventually(async () => (await runDocker(d.dockerHost, ['logs', 'survivor'])).stdout.includes('tick2'), 5000, 'ticks');
  const pid = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Pid}}', 'survivor'])).stdout.trim();

  await d.kill9();
  // While berthd is away the container keeps running (conmon owns it) and the other one exits.
  process.kill(Number(pid), 0);
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(Number(pid), 0);
  await d.restart();

  const state = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor']);
  assert.equal(state.stdout, `true ${pid}\n`);
  const exited = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', exiter]);
  assert.equal(exited.stdout, 'exited 7\n', 'an exit that happened while berthd was down is recorded');
  const logs = await runDocker(d.dockerHost, ['logs', 'survivor']);
  assert.match(logs.stdout, /^tick0\ntick1\ntick2\n/);
  await eventually(async () => {
    const after = (await runDocker(d.dockerHost, ['logs', 'survivor'])).stdout.split('\n').length;
    return after > logs.stdout.split('\n').length;
  }, 5000, 'logging to go on');

  const stop = await runBerth(d.dockerHost, ['stop', '-t', '1', 'survivor']);
  assert.equal(stop.code, 0, stop.stderr);
  const code = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.Status}}', id]);
  assert.equal(code.stdout, 'exited\n');
  const rm = await runDocker(d.dockerHost, ['rm', id, exiter]);
  assert.equal(rm.code, 0, rm.stderr);
});

test('a second berthd on the same pidfile is refused while the first runs', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['bin/berthd', '--data-root', d.dataRoot, '--exec-root', d.execRoot, '--pidfile', `${d.base}/berthd.pid`, '-H', `unix://${d.base}/other.sock`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pid file found, ensure berthd is not running/);
});
