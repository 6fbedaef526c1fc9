import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
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

test('update of a running container changes its cgroup and its HostConfig', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (await docker('run', '-d', '--name', 'up', '-m', '64m', 'busybox', 'sleep', '1000')).stdout.trim();
  const u = await docker('update', '-m', '96m', '--cpus', '1.5', '--cpu-shares', '256', '--pids-limit', '20', '--cpuset-cpus', '0', 'up');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(u.stdout, 'up\n');
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(96 << 20));
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.memsw.limit_in_bytes'), String(128 << 20), 'swap as stored (2 × 64m)');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_quota_us'), '150000');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.shares'), '256');
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), '20');
  assert.equal(await cgroupFile(d, id, 'cpuset', 'cpuset.cpus'), '0');
  const hc = await docker('inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpusetCpus}}', 'up');
  assert.equal(hc.stdout, `${96 << 20} 1500000000 256 20 0\n`);

  // -1 lifts the pids limit; the restart policy is kept
  assert.equal((await docker('update', '--pids-limit', '-1', '--restart', 'on-failure:3', 'up')).code, 0);
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), 'max');
  assert.equal((await docker('inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'up')).stdout, 'on-failure:3\n');

  const api = await request(d.socket, 'POST', '/v1.43/containers/up/update', JSON.stringify({ Memory: 80 << 20 }));
  assert.equal(api.status, 200);
  assert.deepEqual(JSON.parse(api.body), { Warnings: [] });
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(80 << 20));

  const ev = await docker('events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'event=update', '--format', '{{.Action}}');
  assert.equal(ev.stdout, 'update\nupdate\nupdate\n');
  await docker('rm', '-f', id);
});

test("update errors: Docker's checks and conflicts, unknown container", async () => {
  const id = (await docker('run', '-d', '--name', 'qq', '-m', '64m', '--cpu-quota', '50000', 'busybox', 'sleep', '1000')).stdout.trim();
  const small = await docker('update', '-m', '4m', 'qq');
  assert.equal(small.code, 1);
  assert.match(small.stderr, /Error response from daemon: Minimum memory limit allowed is 6MB/);
  const nano = await docker('update', '--cpus', '1', 'qq');
  assert.equal(nano.code, 1);
  assert.match(nano.stderr, new RegExp(`Cannot update container ${id}: Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set`));
  const swap = await docker('update', '-m', '256m', 'qq');
  assert.match(swap.stderr, /Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
  const cpuset = await docker('update', '--cpuset-cpus', '9', 'qq');
  assert.match(cpuset.stderr, /Requested CPUs are not available - requested 9/);
  // the failed updates changed nothing
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(64 << 20));
  assert.equal((await docker('inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', 'qq')).stdout, `${64 << 20} 0\n`);
  const missing = await docker('update', '-m', '64m', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No such container: nope/);
  const warn = await docker('update', '--blkio-weight', '300', 'qq');
  assert.equal(warn.code, 0);
  await docker('rm', '-f', id);
});

test('update of a stopped container is stored and applied at its next start', async () => {
  const id = (await docker('create', '--name', 'later', 'busybox', 'sleep', '1000')).stdout.trim();
  assert.equal((await docker('update', '-m', '48m', '--pids-limit', '12', 'later')).code, 0);
  assert.equal((await docker('start', 'later')).code, 0);
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(48 << 20));
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), '12');
  await docker('rm', '-f', id);
});
