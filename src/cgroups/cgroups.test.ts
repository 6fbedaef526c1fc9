import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCgroupMounts, parseProcCgroup, readerFor } from './cgroup-location.js';
import { parseNetDev, parseProcStat } from './host-stats.js';
import { parseBlkioV1, parseIoStatV2, parseLimit } from './parse.js';
import { V1Reader } from './v1-reader.js';
import { V2Reader } from './v2-reader.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cgroups-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

async function fixture(dir: string, files: Record<string, string>): Promise<string> {
  const d = path.join(tmp, dir);
  await fs.mkdir(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(d, name), text);
  return d;
}

describe('cgroup v2 reader (fixture files)', () => {
  test('cpu, memory, pids, io and oom_kill from the unified files', async () => {
    const dir = await fixture('v2/ctr', {
      'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 10\nnr_throttled 3\nthrottled_usec 1500\n',
      'memory.current': '10485760\n',
      'memory.max': '67108864\n',
      'memory.stat': 'anon 4096000\nfile 2048000\ninactive_file 1024000\nactive_file 1024000\n',
      'memory.events': 'low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n',
      'pids.current': '3\n',
      'pids.max': 'max\n',
      'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n',
      'cgroup.procs': '100\n101\n',
    });
    await fixture('v2/ctr/sub', { 'cgroup.procs': '102\n' });
    const r = new V2Reader(dir);
    const m = await r.read();
    assert.deepEqual(m.cpu, { total: 2.5e9, kernel: 5e8, user: 2e9, throttling: { periods: 10, throttledPeriods: 3, throttledTime: 1_500_000 } });
    assert.equal(m.memory.usage, 10485760);
    assert.equal(m.memory.limit, 67108864);
    assert.equal(m.memory.maxUsage, undefined);
    assert.equal(m.memory.stats.inactive_file, 1024000);
    assert.deepEqual(m.pids, { current: 3, limit: undefined });
    assert.deepEqual(m.blkio.serviceBytes, [{ major: 8, minor: 0, op: 'read', value: 4096 }, { major: 8, minor: 0, op: 'write', value: 8192 }]);
    assert.deepEqual(m.blkio.serviced.map((e) => e.value), [1, 2]);
    assert.equal(await r.oomKills(), 1);
    assert.deepEqual(await r.pids(), [100, 101, 102]);
  });

  test('memory.max "max" is unlimited; missing files read as zeros', async () => {
    const dir = await fixture('v2/empty', { 'memory.max': 'max\n' });
    const m = await new V2Reader(dir).read();
    assert.equal(m.memory.limit, undefined);
    assert.equal(m.cpu.total, 0);
    assert.deepEqual(m.blkio, { serviceBytes: [], serviced: [] });
  });
});

describe('cgroup v1 reader (fixture files)', () => {
  test('cpuacct, cpu.stat, memory, pids and blkio throttle files', async () => {
    const cpuacct = await fixture('v1/cpuacct/ctr', { 'cpuacct.usage': '3000000000\n', 'cpuacct.usage_percpu': '1000000000 2000000000 \n', 'cpuacct.stat': 'user 250\nsystem 50\n' });
    const cpu = await fixture('v1/cpu/ctr', { 'cpu.stat': 'nr_periods 20\nnr_throttled 5\nthrottled_time 123456\n' });
    const memory = await fixture('v1/memory/ctr', {
      'memory.usage_in_bytes': '5242880\n',
      'memory.max_usage_in_bytes': '6291456\n',
      'memory.failcnt': '0\n',
      'memory.limit_in_bytes': '67108864\n',
      'memory.stat': 'cache 1000\nrss 2000\nhierarchical_memory_limit 67108864\ntotal_inactive_file 4096\n',
      'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    });
    const pids = await fixture('v1/pids/ctr', { 'pids.current': '4\n', 'pids.max': '50\n', 'cgroup.procs': '7\n5\n' });
    const blkio = await fixture('v1/blkio/ctr', {
      'blkio.throttle.io_service_bytes': '8:0 Read 4096\n8:0 Write 1024\n8:0 Sync 5120\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 5120\nTotal 5120\n',
      'blkio.throttle.io_serviced': '8:0 Read 1\n8:0 Write 1\nTotal 2\n',
    });
    const r = new V1Reader({ cpuacct, cpu, memory, pids, blkio });
    const m = await r.read();
    assert.deepEqual(m.cpu, { total: 3e9, perCpu: [1e9, 2e9], kernel: 5e8, user: 2.5e9, throttling: { periods: 20, throttledPeriods: 5, throttledTime: 123456 } });
    assert.deepEqual({ ...m.memory, stats: undefined }, { usage: 5242880, maxUsage: 6291456, failcnt: 0, limit: 67108864, stats: undefined });
    assert.equal(m.memory.stats.total_inactive_file, 4096);
    assert.deepEqual(m.pids, { current: 4, limit: 50 });
    assert.equal(m.blkio.serviceBytes.length, 6);
    assert.deepEqual(m.blkio.serviceBytes[0], { major: 8, minor: 0, op: 'Read', value: 4096 });
    assert.equal(await r.oomKills(), 2);
    assert.deepEqual(await r.pids(), [5, 7]);
  });

  test("the kernel's unlimited value is no limit", async () => {
    const memory = await fixture('v1/memory/unlimited', { 'memory.limit_in_bytes': '9223372036854771712\n', 'memory.stat': 'hierarchical_memory_limit 9223372036854771712\n' });
    assert.equal((await new V1Reader({ memory }).read()).memory.limit, undefined);
    assert.equal(parseLimit('-1'), undefined);
    assert.equal(parseLimit('max'), undefined);
  });
});

describe('locating a cgroup', () => {
  const mountinfo = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');

  test('mountinfo: v1 controllers (joined or apart) and the cgroup2 mount', () => {
    const mounts = parseCgroupMounts(mountinfo);
    assert.deepEqual(mounts.map((m) => m.controllers), [['cpu', 'cpuacct'], ['memory'], ['pids'], ['xattr', 'name=systemd'], undefined]);
  });

  test('a hybrid host gets the v1 reader, paths from /proc/<pid>/cgroup', () => {
    const r = readerFor(parseCgroupMounts(mountinfo), { procCgroup: '4:memory:/berth/abc\n2:cpu,cpuacct:/berth/abc\n8:pids:/berth/abc\n0::/berth/abc\n' });
    assert.ok(r instanceof V1Reader);
    assert.deepEqual(r.dirs, { cpu: '/sys/fs/cgroup/cpu,cpuacct/berth/abc', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/berth/abc', memory: '/sys/fs/cgroup/memory/berth/abc', pids: '/sys/fs/cgroup/pids/berth/abc' });
  });

  test('a pure v2 host gets the v2 reader; without a process the cgroupsPath is used', () => {
    const mounts = parseCgroupMounts('30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n');
    const r = readerFor(mounts, { cgroupsPath: '/berth/abc' });
    assert.ok(r instanceof V2Reader);
    assert.equal(r.dir, '/sys/fs/cgroup/berth/abc');
    assert.deepEqual([...parseProcCgroup('0::/x/y\n').entries()], [['', '/x/y']]);
  });
});

describe('host figures and parsers', () => {
  test('/proc/stat: seven fields summed in ns, cpuN lines counted', () => {
    const s = parseProcStat('cpu  100 0 50 800 10 0 40 5 0 0\ncpu0 50 0 25 400 5 0 20 2 0 0\ncpu1 50 0 25 400 5 0 20 3 0 0\nintr 1\n');
    assert.deepEqual(s, { systemCpuUsage: 1000 * 1e7, onlineCpus: 2 });
  });

  test('/proc/<pid>/net/dev without lo', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0',
      '  eth0:    1500      10    1    2    0     0          0         0      700       5    3    4    0     0       0          0',
    ].join('\n');
    assert.deepEqual(parseNetDev(text), { eth0: { rx_bytes: 1500, rx_packets: 10, rx_errors: 1, rx_dropped: 2, tx_bytes: 700, tx_packets: 5, tx_errors: 3, tx_dropped: 4 } });
  });

  test('blkio v1 rows and v2 io.stat', () => {
    assert.deepEqual(parseBlkioV1('8:16 Write 3\nTotal 3\n'), [{ major: 8, minor: 16, op: 'Write', value: 3 }]);
    assert.deepEqual(parseIoStatV2('').serviceBytes, []);
  });
});
