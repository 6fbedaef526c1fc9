import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, eventually, request, runDocker, sleep, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { cgroupFile } from './cgroup-files.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const docker = (...args: string[]) => runDocker(d.dockerHost, args);
const lineCount = async (id: string) => (await docker('logs', id)).stdout.split('\n').filter(Boolean).length;

test('pause freezes the processes (output stops), unpause resumes; state, ps, events', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (await docker('run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done')).stdout.trim();
  await eventually(async () => (await lineCount(id)) > 2, 5000, 'output');
  const p = await docker('pause', 'ticker');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, 'ticker\n');
  assert.equal(await cgroupFile(d, id, 'freezer', 'freezer.state'), 'FROZEN');
  const st = await docker('inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Paused}}', 'ticker');
  assert.equal(st.stdout, 'paused true true\n');
  assert.match((await docker('ps', '--format', '{{.Status}}', '--filter', 'name=ticker')).stdout, /^Up .* \(Paused\)\n$/);
  const frozenAt = await lineCount(id);
  await sleep(1000);
  assert.equal(await lineCount(id), frozenAt, 'no output while paused');

  const again = await docker('pause', 'ticker');
  assert.equal(again.code, 1);
  assert.match(again.stderr, new RegExp(`Error response from daemon: container ${id} is already paused`));

  const u = await docker('unpause', 'ticker');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(await cgroupFile(d, id, 'freezer', 'freezer.state'), 'THAWED');
  await eventually(async () => (await lineCount(id)) > frozenAt + 2, 5000, 'output after unpause');
  assert.equal((await docker('inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'ticker')).stdout, 'running false\n');
  const notPaused = await docker('unpause', 'ticker');
  assert.equal(notPaused.code, 1);
  assert.match(notPaused.stderr, new RegExp(`container ${id} is not paused`));

  const ev = await docker('events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'event=pause', '--filter', 'event=unpause', '--format', '{{.Action}} {{.Actor.Attributes.name}}');
  assert.equal(ev.stdout, 'pause ticker\nunpause ticker\n');
  await docker('rm', '-f', id);
});

test('pause of a stopped container is a 409; a paused container can be stopped, killed and removed', async () => {
  const done = (await docker('run', '-d', 'busybox', 'true')).stdout.trim();
  await docker('wait', done);
  const r = await request(d.socket, 'POST', `/containers/${done}/pause`);
  assert.equal(r.status, 409);
  assert.match(r.body, new RegExp(`container ${done} is not running`));
  assert.equal((await request(d.socket, 'POST', `/containers/${done}/unpause`)).status, 409);
  await docker('rm', done);

  const a = (await docker('run', '-d', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done')).stdout.trim();
  await docker('pause', a);
  const t0 = Date.now();
  const stop = await docker('stop', '-t', '5', a);
  assert.equal(stop.code, 0, stop.stderr);
  assert.ok(Date.now() - t0 < 4000, 'SIGTERM reached it once it was resumed, before the timeout');
  assert.equal((await docker('inspect', '-f', '{{.State.Status}} {{.State.Paused}}', a)).stdout, 'exited false\n');

  const b = (await docker('run', '-d', 'busybox', 'sleep', '1000')).stdout.trim();
  await docker('pause', b);
  const kill = await docker('kill', b);
  assert.equal(kill.code, 0, kill.stderr);
  assert.equal((await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', b)).stdout, 'exited 137\n');

  const c = (await docker('run', '-d', 'busybox', 'sleep', '1000')).stdout.trim();
  await docker('pause', c);
  const rm = await docker('rm', '-f', c);
  assert.equal(rm.code, 0, rm.stderr);
  await docker('rm', a, b);
  assert.equal((await docker('ps', '-aq')).stdout, '');
});
