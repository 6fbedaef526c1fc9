import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, eventually, request, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const inspect = async (ref: string, f: string) => (await runDocker(d.dockerHost, ['inspect', '-f', f, ref])).stdout.trim();

test('--restart on-failure:2 runs the command 3 times and ends with RestartCount 2', async () => {
  const r = await runDocker(d.dockerHost, ['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 1']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await inspect('flaky', '{{.RestartCount}} {{.State.Status}}')) === '2 exited', 15_000, 'two restarts');
  await new Promise((res) => setTimeout(res, 800));
  assert.equal(await inspect('flaky', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), '2 exited 1', 'no third restart');
  assert.equal((await runDocker(d.dockerHost, ['logs', 'flaky'])).stdout, 'run\nrun\nrun\n');
  await runDocker(d.dockerHost, ['rm', 'flaky']);
});

test('--restart always restarts after a clean exit, and docker stop ends it for good', async () => {
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'again', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3']);
  await eventually(async () => Number(await inspect('again', '{{.RestartCount}}')) >= 2, 15_000, 'restarts');
  const stop = await runDocker(d.dockerHost, ['stop', '-t', '1', 'again']);
  assert.equal(stop.code, 0, stop.stderr);
  const count = await inspect('again', '{{.RestartCount}}');
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(await inspect('again', '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`);
  await runDocker(d.dockerHost, ['rm', 'again']);
});

test('invalid restart policies are refused', async () => {
  const r = await runDocker(d.dockerHost, ['run', '-d', '--restart', 'always:3', 'busybox', 'true']);
  assert.equal(r.code, 125);
  const api = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'sometimes' } } }));
  assert.equal(api.status, 400);
  assert.match(JSON.parse(api.body).message, /invalid restart policy/);
});

test('a health check moves starting → healthy → unhealthy, with events and ps status', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await runDocker(d.dockerHost, [
    'run', '-d', '--name', 'doc', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '300ms', '--health-retries', '2', '--health-timeout', '2s',
    'busybox', 'sh', '-c', 'touch /tmp/ok; sleep 2.5; rm /tmp/ok; sleep 100',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await inspect('doc', '{{.State.Health.Status}}'), 'starting');
  await eventually(async () => (await inspect('doc', '{{.State.Health.Status}}')) === 'healthy', 10_000, 'healthy');
  const ps = await runDocker(d.dockerHost, ['ps', '--filter', 'health=healthy', '--format', '{{.Names}} {{.Status}}']);
  assert.match(ps.stdout, /^doc Up .* \(healthy\)\n$/);
  await eventually(async () => (await inspect('doc', '{{.State.Health.Status}}')) === 'unhealthy', 15_000, 'unhealthy');
  const h = JSON.parse(await inspect('doc', '{{json .State.Health}}'));
  assert.ok(h.FailingStreak >= 2);
  assert.ok(h.Log.length >= 1 && h.Log.length <= 5);
  assert.equal(h.Log.at(-1).ExitCode, 1);
  const ev = await request(d.socket, 'GET', `/v1.43/events?since=${since}&until=${Math.ceil(Date.now() / 1000)}&filters=${encodeURIComponent('{"container":["doc"]}')}`);
  const actions = ev.body.trim().split('\n').map((l) => JSON.parse(l).Action).filter((a: string) => a.startsWith('health_status'));
  assert.deepEqual(actions, ['health_status: healthy', 'health_status: unhealthy']);
  await runDocker(d.dockerHost, ['rm', '-f', 'doc']);
});

test('a health probe that outlives its timeout fails with Docker\'s message', async () => {
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'slowprobe', '--health-cmd', 'sleep 5', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1', 'busybox', 'sleep', '100']);
  await eventually(async () => (await inspect('slowprobe', '{{.State.Health.Status}}')) === 'unhealthy', 10_000, 'timeout → unhealthy');
  const h = JSON.parse(await inspect('slowprobe', '{{json .State.Health}}'));
  assert.equal(h.Log[0].ExitCode, -1);
  assert.match(h.Log[0].Output, /Health check exceeded timeout \(300ms\)/);
  await runDocker(d.dockerHost, ['rm', '-f', 'slowprobe']);
});

test('--init runs the command under docker-init as pid 1', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', '--init', 'busybox', 'sh', '-c', 'cat /proc/1/comm; echo $$']);
  assert.equal(r.code, 0, r.stderr);
  const [comm, shPid] = r.stdout.trim().split('\n');
  assert.match(comm!, /^(docker-init|tini|tini-static)$/);
  assert.notEqual(shPid, '1');
  const b = await runBerth(d.dockerHost, ['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/comm']);
  assert.match(b.stdout, /^(docker-init|tini|tini-static)\n$/);
});

test('after a daemon restart, always containers start again; unless-stopped ones the user stopped do not', async () => {
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'alw', '--restart', 'always', 'busybox', 'sleep', '100']);
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'uls', '--restart', 'unless-stopped', 'busybox', 'sleep', '100']);
  await runDocker(d.dockerHost, ['stop', '-t', '0', 'alw', 'uls']);
  await d.kill9();
  await d.restart();
  await eventually(async () => (await inspect('alw', '{{.State.Running}}')) === 'true', 10_000, 'always restarted');
  assert.equal(await inspect('uls', '{{.State.Running}}'), 'false');
  await runDocker(d.dockerHost, ['rm', '-f', 'alw', 'uls']);
});

test('restart policies and health checks through bin/berth', async () => {
  const r = await runBerth(d.dockerHost, ['run', '-d', '--name', 'bflaky', '--restart', 'on-failure:1', 'busybox', 'sh', '-c', 'exit 2']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await runBerth(d.dockerHost, ['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'bflaky'])).stdout === '1 exited\n', 10_000, 'one restart');
  const h = await runBerth(d.dockerHost, ['run', '-d', '--name', 'bhealth', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '100']);
  assert.equal(h.code, 0, h.stderr);
  await eventually(async () => (await runBerth(d.dockerHost, ['inspect', '-f', '{{.State.Health.Status}}', 'bhealth'])).stdout === 'healthy\n', 10_000, 'healthy');
  const ps = await runBerth(d.dockerHost, ['ps', '--filter', 'name=bhealth', '--format', '{{.Status}}']);
  assert.match(ps.stdout, /^Up .* \(healthy\)\n$/);
  await runBerth(d.dockerHost, ['rm', '-f', 'bflaky', 'bhealth']);
});
