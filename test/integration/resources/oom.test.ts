import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('a container killed by the OOM killer: exit 137, State.OOMKilled true, events oom then die', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const run = await runDocker(d.dockerHost, ['run', '--name', 'hog', '-m', '8m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done'], { timeoutMs: 60_000 });
  assert.equal(run.code, 137, run.stderr);
  const st = await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}', 'hog']);
  assert.equal(st.stdout, 'true 137 exited\n');
  const ev = await runDocker(d.dockerHost, ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=hog', '--format', '{{.Action}}']);
  const actions = ev.stdout.trim().split('\n');
  assert.ok(actions.includes('oom'), ev.stdout);
  assert.ok(actions.indexOf('oom') < actions.indexOf('die'), ev.stdout);

  // started again, the flag is cleared; a normal exit is not an OOM
  const ok = await runDocker(d.dockerHost, ['run', '--name', 'fine', '-m', '64m', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(ok.code, 3);
  assert.equal((await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.OOMKilled}}', 'fine'])).stdout, 'false\n');
  await runDocker(d.dockerHost, ['rm', 'hog', 'fine']);
});
