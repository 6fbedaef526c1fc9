import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, runBerth, sleep, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { cgroupFile } from './cgroup-files.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const berth = (...args: string[]) => runBerth(d.dockerHost, args);

test('bin/berth: limits, stats, top, pause/unpause, update', async () => {
  const run = await berth('run', '-d', '--name', 'bb', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', '--cpuset-cpus', '0', 'busybox', 'sh', '-c', 'while true; do :; done');
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), '67108864');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), '50');
  assert.equal(await cgroupFile(d, id, 'cpuset', 'cpuset.cpus'), '0');
  await sleep(1000);

  const stats = await berth('stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'bb');
  assert.equal(stats.code, 0, stats.stderr);
  const m = /^bb ([\d.]+)% [\d.]+(?:B|KiB|MiB) \/ 64MiB 1\n$/.exec(stats.stdout);
  assert.ok(m, stats.stdout);
  assert.ok(Number(m[1]) > 25 && Number(m[1]) < 75, stats.stdout);

  const top = await berth('top', 'bb');
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^UID\s+PID\s+PPID/);
  assert.match(top.stdout, /sh -c while true; do :; done\n$/);

  assert.equal((await berth('pause', 'bb')).stdout, 'bb\n');
  assert.equal((await berth('inspect', '-f', '{{.State.Status}}', 'bb')).stdout, 'paused\n');
  const again = await berth('pause', 'bb');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is already paused/);
  assert.equal((await berth('unpause', 'bb')).stdout, 'bb\n');

  const up = await berth('update', '-m', '96m', '--pids-limit', '40', 'bb');
  assert.equal(up.code, 0, up.stderr);
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(96 << 20));
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), '40');
  const bad = await berth('update', '-m', '4m', 'bb');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Minimum memory limit allowed is 6MB/);
  const none = await berth('update', 'bb');
  assert.notEqual(none.code, 0);

  const refused = await berth('run', '--rm', '-m', '4m', 'busybox', 'true');
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /Minimum memory limit allowed is 6MB/);
  assert.equal((await berth('rm', '-f', 'bb')).code, 0);
});
