import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import { DEFAULT_CAPABILITIES, allCapabilities } from './capabilities.js';
import { parseProcLimits } from './rlimits.js';
import { buildRuntimeSpec, reviveRlimits, serializeOciJson, serializeRuntimeSpec } from './spec-builder.js';
import { testSpecInput } from './test-fixtures.js';
import type { SpecInput } from './spec-input.js';

const hostLimits = parseProcLimits(
  [
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max core file size        0                    unlimited            bytes',
    'Max processes             96365                96365                processes',
    'Max open files            20000                20000                files',
    'Max locked memory         8388608              8388608              bytes',
    'Max stack size            8388608              unlimited            bytes',
  ].join('\n'),
);

const input = (over: Partial<SpecInput> = {}): SpecInput => testSpecInput('abc123', '/var/lib/berth/rootfs/abc123', 'berth', over);
const build = (over: Partial<SpecInput> = {}) => buildRuntimeSpec(input(over), { hostLimits, arch: 'amd64', kernelVersion: '6.18.0' });
const caps = (over: Partial<SpecInput>) => (build(over).process.capabilities as Record<string, string[]>);
const invalid = (re: RegExp) => (err: unknown) => isKind(err, 'InvalidArgument') && re.test((err as Error).message);

describe('buildRuntimeSpec: Docker defaults', () => {
  test("process: Docker's 14 capabilities in bounding/effective/permitted, none inheritable or ambient; no rlimits", () => {
    const s = build();
    const c = s.process.capabilities as Record<string, string[]>;
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    for (const set of ['bounding', 'effective', 'permitted']) assert.deepEqual(c[set], DEFAULT_CAPABILITIES);
    assert.deepEqual(c.inheritable, []);
    assert.equal(c.ambient, undefined);
    assert.equal(s.process.rlimits, undefined);
    assert.equal(s.process.noNewPrivileges, false);
    assert.deepEqual(s.process.user, { uid: 0, gid: 0, additionalGids: [0] }, 'the primary group is a supplementary one too, as Docker');
    assert.equal(s.process.cwd, '/');
    assert.equal(s.hostname, 'abc123');
    assert.deepEqual(s.root, { path: '/var/lib/berth/rootfs/abc123', readonly: false });
  });

  test('mounts, masked and read-only paths, devices, namespaces, cgroupsPath', () => {
    const s = build();
    assert.deepEqual(s.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
    assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']);
    assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
    const linux = s.linux as Record<string, unknown>;
    assert.ok((linux.maskedPaths as string[]).includes('/proc/kcore'));
    assert.deepEqual(linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
    assert.deepEqual(linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }]);
    assert.equal(linux.cgroupsPath, '/berth/abc123');
    const devices = (linux.resources as { devices: Array<Record<string, unknown>> }).devices;
    assert.deepEqual(devices[0], { allow: false, access: 'rwm' });
    assert.ok(devices.some((d) => d.type === 'c' && d.major === 136 && d.minor === undefined && d.access === 'rwm'));
    assert.ok(devices.some((d) => d.type === 'c' && d.major === 10 && d.minor === 200));
    assert.equal((linux.seccomp as { defaultAction: string }).defaultAction, 'SCMP_ACT_ERRNO');
  });

  test('network: host → no network namespace; path → joined', () => {
    const ns = (over: Partial<SpecInput>) => (build(over).linux as { namespaces: unknown[] }).namespaces;
    assert.ok(!ns({ network: { mode: 'host' } }).some((n) => (n as { type: string }).type === 'network'));
    assert.deepEqual(ns({ network: { path: '/run/netns/x' } }).at(-1), { type: 'network', path: '/run/netns/x' });
  });

  test('--pid, --ipc, --uts: host → no namespace of its own, container → joined; /dev/shm from elsewhere or none', () => {
    const ns = (over: Partial<SpecInput>) => (build(over).linux as { namespaces: unknown[] }).namespaces;
    assert.deepEqual(ns({ pid: { mode: 'host' }, ipc: { mode: 'host' }, uts: 'host' }), [{ type: 'mount' }, { type: 'network' }]);
    assert.deepEqual(ns({ pid: { path: '/proc/42/ns/pid' }, ipc: { path: '/proc/42/ns/ipc' } }).slice(0, 3), [
      { type: 'pid', path: '/proc/42/ns/pid' },
      { type: 'ipc', path: '/proc/42/ns/ipc' },
      { type: 'uts' },
    ]);
    const shared = build({ ipc: { path: '/proc/42/ns/ipc' }, shmSource: '/var/lib/berth/containers/x/shm' }).mounts.filter((m) => m.destination === '/dev/shm');
    assert.deepEqual(shared, [{ destination: '/dev/shm', type: 'bind', source: '/var/lib/berth/containers/x/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] }]);
    assert.ok(!build({ ipc: { mode: 'none' } }).mounts.some((m) => m.destination === '/dev/shm'), '--ipc none: no /dev/shm');
    const hostUts = build({ uts: 'host', domainname: 'example.test' });
    assert.equal(hostUts.hostname, undefined, 'runc refuses a hostname without a UTS namespace');
    assert.equal(hostUts.domainname, undefined);
  });

  test('--privileged with --device: the host\'s devices plus the mapped ones (not those at the same path)', () => {
    const s = build({ privileged: true, devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'r' }, { pathOnHost: '/dev/zero', pathInContainer: '/dev/zero', cgroupPermissions: 'rwm' }] });
    const devices = (s.linux as { devices: Array<{ path: string; major: number; minor: number }> }).devices;
    assert.deepEqual(devices.filter((d) => d.path === '/dev/mynull').map((d) => [d.major, d.minor]), [[1, 3]]);
    assert.equal(devices.filter((d) => d.path === '/dev/zero').length, 1, 'once, from the host devices');
    assert.deepEqual((s.linux as { resources: { devices: unknown[] } }).resources.devices, [{ allow: true, access: 'rwm' }]);
  });

  test('user mounts replace defaults at the same destination; shmSize', () => {
    const s = build({ mounts: [{ destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind'] }], shmSize: 128 * 1024 * 1024 });
    assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
    assert.equal(s.mounts.at(-1)?.source, '/host/shm');
    const t = build({ shmSize: 1000 });
    assert.ok(t.mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('size=1000'));
  });
});

describe('buildRuntimeSpec: capabilities', () => {
  test('--cap-add/--cap-drop with and without CAP_, any case', () => {
    const c = caps({ capAdd: ['sys_admin', 'CAP_NET_ADMIN'], capDrop: ['chown', 'CAP_KILL'] });
    assert.ok(c.effective?.includes('CAP_SYS_ADMIN'));
    assert.ok(c.effective?.includes('CAP_NET_ADMIN'));
    assert.ok(!c.effective?.includes('CAP_CHOWN'));
    assert.ok(!c.bounding?.includes('CAP_KILL'));
    assert.equal(c.effective?.length, 14);
  });

  test('ALL', () => {
    assert.deepEqual(caps({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] }).bounding, ['CAP_NET_BIND_SERVICE']);
    const all = caps({ capAdd: ['all'], capDrop: ['SYS_ADMIN'] }).bounding ?? [];
    assert.equal(all.length, allCapabilities().length - 1);
    assert.ok(!all.includes('CAP_SYS_ADMIN'));
  });

  test('a capability outside the daemon bounding set is refused by name', () => {
    const missing = ['CAP_SYS_RESOURCE', 'CAP_SYS_ADMIN'].find((c) => !allCapabilities().includes(c));
    if (missing) assert.throws(() => build({ capAdd: [missing] }), invalid(new RegExp(missing)));
  });

  test('unknown capability', () => {
    assert.throws(() => build({ capAdd: ['NOPE'] }), invalid(/unknown capability: "CAP_NOPE"/));
  });

  test('privileged: all capabilities, no masks, all devices, no seccomp, rw sysfs', () => {
    const s = build({ privileged: true });
    const linux = s.linux as Record<string, unknown>;
    assert.deepEqual((s.process.capabilities as Record<string, string[]>).bounding, allCapabilities());
    assert.equal(linux.maskedPaths, undefined);
    assert.equal(linux.readonlyPaths, undefined);
    assert.equal(linux.seccomp, undefined);
    assert.deepEqual((linux.resources as { devices: unknown[] }).devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(Array.isArray(linux.devices) && (linux.devices as Array<{ path: string }>).some((d) => d.path === '/dev/null'));
    assert.ok(!s.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
  });

  test('seccomp: unconfined → none; with CAP_SYS_ADMIN the default profile allows mount', () => {
    assert.equal((build({ seccomp: 'unconfined' }).linux as Record<string, unknown>).seccomp, undefined);
    const sc = (build({ capAdd: ['SYS_ADMIN'] }).linux as { seccomp: { syscalls: Array<{ names: string[]; action: string }> } }).seccomp;
    assert.ok(sc.syscalls.some((s) => s.names.includes('mount') && s.action === 'SCMP_ACT_ALLOW'));
    const custom = (build({ seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] } }).linux as { seccomp: unknown }).seccomp;
    assert.deepEqual(custom, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] });
  });
});

describe('buildRuntimeSpec: ulimits and resources', () => {
  test('ulimits by Docker name become rlimits', () => {
    const s = build({ ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'core', Soft: -1, Hard: -1 }] });
    assert.deepEqual(s.process.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_CORE', soft: -1, hard: -1 },
    ]);
    const json = serializeRuntimeSpec(s);
    assert.match(json, /"type": "RLIMIT_CORE",\s*"hard": 18446744073709551615,\s*"soft": 18446744073709551615/);
  });

  test('rlimits survive a round trip through config.json (an exec reuses the container\'s process)', () => {
    const s = build({ ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'core', Soft: -1, Hard: -1 }] });
    const back = (JSON.parse(serializeRuntimeSpec(s)) as { process: { rlimits: unknown } }).process;
    reviveRlimits(back.rlimits);
    assert.deepEqual(back.rlimits, s.process.rlimits);
    assert.match(serializeOciJson(back), /"soft": 18446744073709551615/);
  });

  test('above the daemon hard limit → InvalidArgument naming the maximum', () => {
    assert.throws(() => build({ ulimits: [{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }] }), invalid(/nofile.*1048576.*maximum of 20000/));
    assert.throws(() => build({ ulimits: [{ Name: 'nproc', Soft: -1, Hard: -1 }] }), invalid(/nproc.*unlimited.*maximum of 96365/));
    assert.throws(() => build({ ulimits: [{ Name: 'nofile', Soft: 20, Hard: 10 }] }), invalid(/soft limit must be less than or equal to hard limit/));
    assert.throws(() => build({ ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] }), invalid(/invalid ulimit type: bogus/));
  });

  test('resources, sysctls, oomScoreAdj, readonly root, domainname', () => {
    const s = build({
      resources: { memory: 64 << 20, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, cpusetCpus: '0', pidsLimit: 50 },
      sysctls: { 'net.ipv4.ip_forward': '1' },
      oomScoreAdj: 500,
      readonlyRootfs: true,
      domainname: 'example.org',
    });
    const r = (s.linux as { resources: Record<string, unknown> }).resources;
    assert.deepEqual(r.memory, { limit: 64 << 20, swap: 128 << 20 });
    assert.deepEqual(r.cpu, { shares: 512, quota: 50000, period: 100000, cpus: '0' });
    assert.deepEqual(r.pids, { limit: 50 });
    assert.deepEqual((s.linux as Record<string, unknown>).sysctl, { 'net.ipv4.ip_forward': '1' });
    assert.equal(s.process.oomScoreAdj, 500);
    assert.equal(s.root.readonly, true);
    assert.equal(s.domainname, 'example.org');
    const swap = (v: number) => ((build({ resources: { memory: 100, memorySwap: v } }).linux as { resources: { memory: { swap: number } } }).resources.memory.swap);
    assert.equal(swap(-1), -1);
    assert.equal(swap(300), 300);
    assert.throws(() => build({ resources: { memory: 100, memorySwap: 50 } }), invalid(/memoryswap/i));
  });
});
