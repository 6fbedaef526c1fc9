import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
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

test('-m, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit, --oom-kill-disable reach the cgroup files', async () => {
  const run = await docker('run', '-d', '-m', '64m', '--cpus', '0.5', '--cpu-shares', '512', '--cpuset-cpus', '0', '--pids-limit', '50', '--oom-kill-disable', 'busybox', 'sleep', '1000');
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), '67108864');
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.memsw.limit_in_bytes'), String(2 * 67108864), 'swap defaults to twice the memory');
  assert.match(await cgroupFile(d, id, 'memory', 'memory.oom_control'), /^oom_kill_disable 1$/m);
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_period_us'), '100000');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.shares'), '512');
  assert.equal(await cgroupFile(d, id, 'cpuset', 'cpuset.cpus'), '0');
  assert.equal(await cgroupFile(d, id, 'pids', 'pids.max'), '50');
  const hc = await docker('inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.OomKillDisable}}', id);
  assert.equal(hc.stdout, '67108864 134217728 500000000 512 0 50 true\n');
  assert.equal((await docker('rm', '-f', id)).code, 0);
});

test('--memory-swap, --cpu-quota/--cpu-period and --memory-reservation', async () => {
  const run = await docker('run', '-d', '-m', '32m', '--memory-swap', '48m', '--memory-reservation', '16m', '--cpu-quota', '20000', '--cpu-period', '50000', 'busybox', 'sleep', '1000');
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.limit_in_bytes'), String(32 << 20));
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.memsw.limit_in_bytes'), String(48 << 20));
  assert.equal(await cgroupFile(d, id, 'memory', 'memory.soft_limit_in_bytes'), String(16 << 20));
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_quota_us'), '20000');
  assert.equal(await cgroupFile(d, id, 'cpu', 'cpu.cfs_period_us'), '50000');
  await docker('rm', '-f', id);
});

test('--shm-size sizes /dev/shm; --ulimit sets the rlimit inside', async () => {
  const shm = await docker('run', '--rm', '--shm-size', '32m', 'busybox', 'df', '-k', '/dev/shm');
  assert.equal(shm.code, 0, shm.stderr);
  assert.match(shm.stdout, /^shm\s+32768\s/m);
  const ul = await docker('run', '--rm', '--ulimit', 'nofile=1024:2048', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn');
  assert.equal(ul.code, 0, ul.stderr);
  assert.equal(ul.stdout, '1024\n2048\n');
});

test("limits the host cannot give are refused with Docker's errors, exit 125, no container left", async () => {
  const cases: Array<[string[], RegExp]> = [
    [['-m', '4m'], /Error response from daemon: Minimum memory limit allowed is 6MB/],
    [['--cpuset-cpus', '7'], /Requested CPUs are not available - requested 7, available: 0-\d+/],
    [['--cpus', '64'], /Range of CPUs is from 0.01 to \d+\.00, as there are only \d+ CPUs available/],
    [['-m', '64m', '--memory-swap', '32m'], /Minimum memoryswap limit should be larger than memory limit, see usage/],
    [['--memory-swap', '64m'], /You should always set the Memory limit when using Memoryswap limit, see usage/],
    [['--cpus', '1', '--cpu-quota', '50000'], /Conflicting options: Nano CPUs and CPU Quota cannot both be set/],
    [['--ulimit', 'nofile=30000:30000'], /invalid ulimit nofile: hard limit 30000 is above the daemon's maximum of 20000/],
  ];
  for (const [flags, re] of cases) {
    const r = await docker('run', '--rm', ...flags, 'busybox', 'true');
    assert.equal(r.code, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, flags.join(' '));
  }
  assert.equal((await docker('ps', '-aq')).stdout, '');
});
