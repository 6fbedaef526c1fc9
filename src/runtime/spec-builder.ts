import { readdirSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errdefs/index.js';
import type { RuntimeSpec, RuntimeSpecMount } from './container-runtime.js';
import type { NamespaceChoice, SpecInput } from './spec-input.js';
import { effectiveCapabilities } from './capabilities.js';
import { buildRlimits, readHostLimits, RLIM_INFINITY, type HostLimits } from './rlimits.js';
import { convertSeccompProfile, defaultSeccompProfile, type DockerSeccompProfile } from './seccomp.js';

/**
 * Builds the OCI runtime-spec config.json for a container with Docker's defaults (moby oci/defaults.go and
 * daemon/oci_linux.go): the 14 default capabilities, Docker's mounts, masked and read-only paths, device
 * cgroup rules, namespaces, the default seccomp profile, and the container's own settings on top.
 */
export interface SpecBuildOptions {
  /** the daemon's own limits, for validating --ulimit; default: read from /proc/self/limits */
  hostLimits?: HostLimits;
  /** default: os.release() */
  kernelVersion?: string;
  /** Go arch name for seccomp rules; default: the host's */
  arch?: string;
}

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

interface DeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

/** Docker's device cgroup rules: deny all, then the usual character devices and mknod of anything. */
function defaultDeviceRules(): DeviceRule[] {
  const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): DeviceRule => {
    const r: DeviceRule = { allow: true, type: 'c', access };
    if (major !== undefined) r.major = major;
    if (minor !== undefined) r.minor = minor;
    return r;
  };
  return [
    { allow: false, access: 'rwm' },
    c(undefined, undefined, 'm'),
    { allow: true, type: 'b', access: 'm' },
    c(1, 3), // /dev/null
    c(1, 8), // /dev/random
    c(1, 7), // /dev/full
    c(5, 0), // /dev/tty
    c(1, 5), // /dev/zero
    c(1, 9), // /dev/urandom
    c(136, undefined), // /dev/pts/*
    c(5, 1), // /dev/console
    c(5, 2), // /dev/ptmx
    c(10, 200), // /dev/net/tun
  ];
}

function sizeOption(bytes: number): string {
  return bytes % 1024 === 0 ? `size=${bytes / 1024}k` : `size=${bytes}`;
}

function defaultMounts(input: SpecInput): RuntimeSpecMount[] {
  const shm = input.shmSize && input.shmSize > 0 ? input.shmSize : DEFAULT_SHM_SIZE;
  const sysOpts = input.privileged ? ['nosuid', 'noexec', 'nodev'] : ['nosuid', 'noexec', 'nodev', 'ro'];
  const cgroupOpts = input.privileged ? ['nosuid', 'noexec', 'nodev'] : ['ro', 'nosuid', 'noexec', 'nodev'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOpts },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: cgroupOpts },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // --ipc host / container:…: that /dev/shm, bound; --ipc none: no /dev/shm at all
    ...(input.shmSource
      ? [{ destination: '/dev/shm', type: 'bind', source: input.shmSource, options: ['rbind', 'nosuid', 'noexec', 'nodev'] }]
      : input.ipc && 'mode' in input.ipc && input.ipc.mode === 'none'
        ? []
        : [{ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', sizeOption(shm)] }]),
  ];
}

interface LinuxDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

const SKIPPED_DEV_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** The host's device nodes, as `--privileged` hands them to the container (runc's HostDevices). */
function hostDevices(dir = '/dev'): LinuxDevice[] {
  const out: LinuxDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!SKIPPED_DEV_DIRS.has(name)) out.push(...hostDevices(p));
      continue;
    }
    if (p === '/dev/console') continue;
    if (!st.isCharacterDevice() && !st.isBlockDevice()) continue;
    out.push(deviceOf(p, st));
  }
  return out;
}

/** As Docker: the primary group is a supplementary group too (`id` prints groups=<gid>). */
export function processUser(u: { uid: number; gid: number; additionalGids: number[] }): { uid: number; gid: number; additionalGids: number[] } {
  return { uid: u.uid, gid: u.gid, additionalGids: [u.gid, ...u.additionalGids.filter((g) => g !== u.gid)] };
}

/**
 * `--device host[:container[:perms]]`: the node (or every node under a directory) appears at the container
 * path and the device cgroup allows it with the given permissions (rwm by default), as Docker does.
 */
function userDevices(input: SpecInput): { devices: LinuxDevice[]; rules: Array<Record<string, unknown>> } {
  const devices: LinuxDevice[] = [];
  const rules: Array<Record<string, unknown>> = [];
  for (const d of input.devices ?? []) {
    const perms = d.cgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(perms)) throw invalidArgument(`invalid device cgroup permissions: ${perms}`);
    let st;
    try {
      st = statSync(d.pathOnHost);
    } catch (err) {
      throw invalidArgument(`error gathering device information while adding custom device "${d.pathOnHost}": ${(err as Error).message}`);
    }
    const found = st.isDirectory()
      ? hostDevices(d.pathOnHost).map((dev) => ({ ...dev, path: path.posix.join(d.pathInContainer || d.pathOnHost, path.relative(d.pathOnHost, dev.path)) }))
      : st.isCharacterDevice() || st.isBlockDevice()
        ? [{ ...deviceOf(d.pathOnHost, st), path: d.pathInContainer || d.pathOnHost }]
        : [];
    if (found.length === 0) throw invalidArgument(`error gathering device information while adding custom device "${d.pathOnHost}": not a device node`);
    for (const dev of found) {
      devices.push(dev);
      rules.push({ allow: true, type: dev.type, major: dev.major, minor: dev.minor, access: perms });
    }
  }
  return { devices, rules };
}

function deviceOf(p: string, st: { rdev: number; mode: number; uid: number; gid: number; isCharacterDevice(): boolean }): LinuxDevice {
  const rdev = BigInt(st.rdev);
  const major = Number((rdev >> 8n) & 0xfffn);
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n));
  return { path: p, type: st.isCharacterDevice() ? 'c' : 'b', major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function namespaces(input: SpecInput): Array<{ type: string; path?: string }> {
  const ns: Array<{ type: string; path?: string }> = [];
  const add = (type: string, choice: NamespaceChoice | { mode: 'none' } | undefined) => {
    if (!choice || !('path' in choice)) {
      if (choice?.mode !== 'host') ns.push({ type });
    } else ns.push({ type, path: choice.path });
  };
  add('pid', input.pid);
  add('ipc', input.ipc);
  if (input.uts !== 'host') ns.push({ type: 'uts' });
  ns.push({ type: 'mount' });
  add('network', input.network);
  return ns;
}

function resources(input: SpecInput): Record<string, unknown> {
  return {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : [...defaultDeviceRules(), ...userDevices(input).rules],
    ...linuxResources(input.resources ?? {}),
  };
}

/**
 * The OCI LinuxResources for a container's limits (memory, cpu, pids, blockIO), without device rules:
 * the spec's `linux.resources` at create and the body of `runc update --resources`.
 */
export function linuxResources(r: NonNullable<SpecInput['resources']>): Record<string, unknown> {
  const res: Record<string, unknown> = {};
  const memory: Record<string, number | boolean> = {};
  if (r.memory !== undefined && r.memory > 0) {
    memory.limit = r.memory;
    // Docker: MemorySwap 0 (unset) with a memory limit means swap = 2 × memory; -1 is unlimited.
    if (r.memorySwap === undefined || r.memorySwap === 0) memory.swap = r.memory * 2;
    else if (r.memorySwap === -1) memory.swap = -1;
    else if (r.memorySwap < r.memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
    else memory.swap = r.memorySwap;
  } else if (r.memorySwap !== undefined && r.memorySwap > 0) {
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) memory.swappiness = r.memorySwappiness;
  if (r.disableOOMKiller) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) res.memory = memory;
  const cpu: Record<string, number | string> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) res.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) res.pids = { limit: r.pidsLimit };
  if (r.blkioWeight) res.blockIO = { weight: r.blkioWeight };
  return res;
}

export function buildRuntimeSpec(input: SpecInput, opts: SpecBuildOptions = {}): RuntimeSpec {
  if (!path.isAbsolute(input.rootfs)) throw invalidArgument(`rootfs must be an absolute path: ${input.rootfs}`);
  if (input.args.length === 0) throw invalidArgument('No command specified');
  const caps = effectiveCapabilities(input.capAdd, input.capDrop, input.privileged);
  const capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [] as string[] };

  const process: RuntimeSpec['process'] = {
    terminal: input.terminal,
    ...(input.terminal && input.consoleSize ? { consoleSize: input.consoleSize } : {}),
    user: processUser(input.user),
    args: [...input.args],
    env: [...input.env],
    cwd: input.cwd || '/',
    capabilities,
    noNewPrivileges: input.noNewPrivileges,
  };
  if (input.ulimits.length > 0) process.rlimits = buildRlimits(input.ulimits, opts.hostLimits ?? readHostLimits());
  if (input.oomScoreAdj !== undefined) process.oomScoreAdj = input.oomScoreAdj;

  const userDestinations = new Set(input.mounts.map((m) => path.posix.normalize(m.destination)));
  const mounts = [...defaultMounts(input).filter((m) => !userDestinations.has(m.destination)), ...input.mounts.map((m) => ({ ...m }))];

  const linux: Record<string, unknown> = {
    namespaces: namespaces(input),
    cgroupsPath: input.cgroupsPath,
    resources: resources(input),
  };
  if (input.privileged) {
    // Docker adds --device mappings to a privileged container's host devices unless the path is the same
    // (daemon/oci_linux.go WithDevices); the cgroup already allows everything
    const mapped = (input.devices ?? []).filter((d) => d.pathInContainer && d.pathInContainer !== d.pathOnHost);
    linux.devices = [...hostDevices(), ...userDevices({ ...input, devices: mapped.map((d) => ({ ...d, cgroupPermissions: 'rwm' })) }).devices];
  } else {
    const { devices } = userDevices(input);
    if (devices.length) linux.devices = devices;
    linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
    linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  if (input.sysctls && Object.keys(input.sysctls).length > 0) linux.sysctl = { ...input.sysctls };
  if (input.rootfsPropagation) linux.rootfsPropagation = input.rootfsPropagation;
  if (!input.privileged && input.seccomp !== 'unconfined') {
    const profile = input.seccomp === 'default' ? defaultSeccompProfile() : (input.seccomp as unknown as DockerSeccompProfile);
    linux.seccomp = convertSeccompProfile(profile, { capabilities: caps, arch: opts.arch, kernelVersion: opts.kernelVersion });
  }

  const spec: RuntimeSpec = {
    ociVersion: '1.0.2-dev',
    process,
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    mounts,
    linux,
  };
  // without a UTS namespace of its own the runtime may not set a hostname
  if (input.uts !== 'host') spec.hostname = input.hostname;
  if (input.domainname && input.uts !== 'host') spec.domainname = input.domainname;
  return spec;
}

const INFINITY_MARK = '\u0000RLIM_INFINITY\u0000';

/**
 * The config.json text. JSON numbers cannot carry RLIM_INFINITY (2^64-1) through a double, so rlimits of
 * RLIM_INFINITY (-1) are written as the exact literal the runtimes parse as a uint64.
 */
export function serializeRuntimeSpec(spec: RuntimeSpec): string {
  return serializeOciJson(spec) + '\n';
}

/** JSON of any runtime-spec object (a whole spec, or an exec's process), RLIM_INFINITY written exactly. */
export function serializeOciJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    function (this: unknown, key: string, value: unknown) {
      if ((key === 'hard' || key === 'soft') && value === RLIM_INFINITY && this && typeof (this as { type?: unknown }).type === 'string') return INFINITY_MARK;
      return value;
    },
    1,
  );
  return text.split(JSON.stringify(INFINITY_MARK)).join('18446744073709551615');
}

/** The inverse for rlimits read back from a config.json: values beyond 2^63 (JSON.parse rounds 2^64-1) are RLIM_INFINITY. */
export function reviveRlimits(rlimits: unknown): void {
  if (!Array.isArray(rlimits)) return;
  for (const r of rlimits as Array<Record<string, unknown>>) {
    for (const k of ['hard', 'soft']) if (typeof r[k] === 'number' && (r[k] as number) >= 2 ** 63) r[k] = RLIM_INFINITY;
  }
}
