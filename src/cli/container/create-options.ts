import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { ContainerCreateBody, HostConfig } from '../../client/index.js';
import { UsageError } from '../command.js';
import { FlagError, type FlagSpec, type ParsedFlags } from '../flags.js';
import { parseGoDuration } from '../timestamps.js';

/**
 * The flags `run` and `create` share, and their translation into the create request body, as the
 * docker CLI does it (cli/command/container/opts.go): env files before -e, label files before -l,
 * `-v /path` an anonymous volume but `-v src:dst` a bind, `--entrypoint ""` resets the entrypoint.
 */
export const CREATE_FLAGS: FlagSpec[] = [
  { name: 'add-host', type: 'list', description: 'Add a custom host-to-IP mapping (host:ip)' },
  { name: 'cpu-shares', short: 'c', type: 'int', description: 'CPU shares (relative weight)' },
  { name: 'cpus', type: 'string', valueName: 'decimal', description: 'Number of CPUs' },
  { name: 'blkio-weight', type: 'int', valueName: 'uint16', description: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
  { name: 'cpu-period', type: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', type: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'memory-reservation', type: 'string', valueName: 'bytes', description: 'Memory soft limit' },
  { name: 'memory-swappiness', type: 'int', description: 'Tune container memory swappiness (0 to 100) (default -1)' },
  { name: 'oom-kill-disable', type: 'bool', description: 'Disable OOM Killer' },
  { name: 'device', type: 'list', description: 'Add a host device to the container' },
  { name: 'group-add', type: 'list', description: 'Add additional groups to join' },
  { name: 'health-cmd', type: 'string', description: 'Command to run to check health' },
  { name: 'health-interval', type: 'string', valueName: 'duration', description: 'Time between running the check (ms|s|m|h) (default 0s)' },
  { name: 'health-retries', type: 'int', description: 'Consecutive failures needed to report unhealthy' },
  { name: 'health-start-period', type: 'string', valueName: 'duration', description: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { name: 'health-timeout', type: 'string', valueName: 'duration', description: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
  { name: 'ipc', type: 'string', description: 'IPC mode to use' },
  { name: 'log-driver', type: 'string', description: 'Logging driver for the container' },
  { name: 'log-opt', type: 'list', description: 'Log driver options' },
  { name: 'memory', short: 'm', type: 'string', valueName: 'bytes', description: 'Memory limit' },
  { name: 'memory-swap', type: 'string', valueName: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { name: 'mount', type: 'list', valueName: 'mount', description: 'Attach a filesystem mount to the container' },
  { name: 'no-healthcheck', type: 'bool', description: 'Disable any container-specified HEALTHCHECK' },
  { name: 'pid', type: 'string', description: 'PID namespace to use' },
  { name: 'pids-limit', type: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'security-opt', type: 'list', description: 'Security Options' },
  { name: 'shm-size', type: 'string', valueName: 'bytes', description: 'Size of /dev/shm' },
  { name: 'sysctl', type: 'list', valueName: 'map', description: 'Sysctl options' },
  { name: 'ulimit', type: 'list', valueName: 'ulimit', description: 'Ulimit options' },
  { name: 'uts', type: 'string', description: 'UTS namespace to use' },
  { name: 'attach', short: 'a', type: 'list', description: 'Attach to STDIN, STDOUT or STDERR' },
  { name: 'cap-add', type: 'list', description: 'Add Linux capabilities' },
  { name: 'cap-drop', type: 'list', description: 'Drop Linux capabilities' },
  { name: 'dns', type: 'list', description: 'Set custom DNS servers' },
  { name: 'domainname', type: 'string', description: 'Container NIS domain name' },
  { name: 'entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'env', short: 'e', type: 'list', description: 'Set environment variables' },
  { name: 'env-file', type: 'list', description: 'Read in a file of environment variables' },
  { name: 'expose', type: 'list', description: 'Expose a port or a range of ports' },
  { name: 'hostname', short: 'h', type: 'string', description: 'Container host name' },
  { name: 'init', type: 'bool', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'label', short: 'l', type: 'list', description: 'Set meta data on a container' },
  { name: 'label-file', type: 'list', description: 'Read in a line delimited file of labels' },
  { name: 'name', type: 'string', description: 'Assign a name to the container' },
  { name: 'network', type: 'string', description: 'Connect a container to a network', default: 'default' },
  { name: 'net', type: 'string', hidden: true },
  { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  { name: 'privileged', type: 'bool', description: 'Give extended privileges to this container' },
  { name: 'publish', short: 'p', type: 'list', description: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', type: 'bool', description: 'Publish all exposed ports to random ports' },
  { name: 'cidfile', type: 'string', description: 'Write the container ID to the file' },
  { name: 'pull', type: 'string', description: 'Pull image before running ("always", "missing", "never")', default: 'missing' },
  { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the pull output' },
  { name: 'read-only', type: 'bool', description: "Mount the container's root filesystem as read only" },
  { name: 'restart', type: 'string', description: 'Restart policy to apply when a container exits', default: 'no' },
  { name: 'rm', type: 'bool', description: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { name: 'stop-signal', type: 'string', description: 'Signal to stop the container' },
  { name: 'stop-timeout', type: 'int', description: 'Timeout (in seconds) to stop a container' },
  { name: 'tmpfs', type: 'list', description: 'Mount a tmpfs directory' },
  { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
  { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'volume', short: 'v', type: 'list', description: 'Bind mount a volume' },
  { name: 'volumes-from', type: 'list', description: 'Mount volumes from the specified container(s)' },
  { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
];

export interface CreateRequest {
  name?: string;
  platform?: string;
  body: ContainerCreateBody;
}

/** Docker's key/value file reader (env and label files). */
export function parseKeyValueFile(path: string, lookup?: (key: string) => string | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  const out: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw) => {
      const line = raw.replace(/^\s+/, '');
      if (!line || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const variable = (eq >= 0 ? line.slice(0, eq) : line).replace(/^[ \t\n\v\f\r]+/, '');
      if (/[ \t\n\v\f\r]/.test(variable)) throw new UsageError(`variable '${variable}' contains whitespaces`);
      if (!variable) throw new UsageError(`no variable name on line '${line}'`);
      if (eq >= 0) out.push(`${variable}=${line.slice(eq + 1)}`);
      else if (lookup) {
        const v = lookup(variable.trim());
        if (v !== undefined) out.push(`${variable.trim()}=${v}`);
      }
    });
  return out;
}

/** -e KEY takes KEY's value from the environment; when unset it is sent bare, as docker does. */
export function expandEnv(entry: string, env: NodeJS.ProcessEnv): string {
  if (entry.includes('=')) return entry;
  const v = env[entry];
  return v === undefined ? entry : `${entry}=${v}`;
}

export function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (!policy) return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count, extra] = policy.split(':');
  if (extra !== undefined) throw new UsageError(`invalid restart policy format: ${policy}`);
  if (count !== undefined) {
    if (!/^\d+$/.test(count)) throw new UsageError('invalid restart policy format: maximum retry count must be an integer');
    return { Name: name, MaximumRetryCount: Number(count) };
  }
  return { Name: name, MaximumRetryCount: 0 };
}

/** -p [ip:][hostPort:]containerPort[/proto], ranges allowed on both sides. */
export function parsePublish(spec: string): Array<{ port: string; binding: { HostIp: string; HostPort: string } }> {
  let proto = 'tcp';
  let rest = spec;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let ip = '';
  let hostPort = '';
  let containerPort = rest;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    ip = v6[1];
    rest = v6[2];
    const c = rest.lastIndexOf(':');
    hostPort = rest.slice(0, c);
    containerPort = rest.slice(c + 1);
  } else {
    const parts = rest.split(':');
    if (parts.length === 2) [hostPort, containerPort] = parts;
    else if (parts.length === 3) [ip, hostPort, containerPort] = parts;
    else if (parts.length > 3) throw new UsageError(`invalid proxy format: ${spec}`);
  }
  const range = (s: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (!m) throw new UsageError(`invalid containerPort: ${s}`);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  };
  const [c0, c1] = range(containerPort);
  const [h0, h1] = hostPort ? range(hostPort) : [0, 0];
  const out: Array<{ port: string; binding: { HostIp: string; HostPort: string } }> = [];
  for (let p = c0; p <= c1; p++) {
    let hp = '';
    if (hostPort) hp = h1 - h0 === c1 - c0 ? String(h0 + (p - c0)) : `${h0}-${h1}`;
    out.push({ port: `${p}/${proto}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** go-units RAMInBytes: "512m", "1.5g", "100k" (binary multiples); undefined when malformed. */
export function ramInBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) return undefined;
  const mult: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.trunc(Number(m[1]) * (m[2] ? mult[m[2].toLowerCase()] : 1));
}

export function sizeFlag(flags: ParsedFlags, name: string, title: string, allowMinusOne = false): number | undefined {
  if (!flags.isSet(name)) return undefined;
  const v = flags.string(name);
  if (allowMinusOne && v === '-1') return -1;
  const n = ramInBytes(v);
  if (n === undefined) throw new FlagError(`invalid argument "${v}" for "${title}" flag: invalid size: '${v}'`);
  return n;
}

function durationFlag(flags: ParsedFlags, name: string): number | undefined {
  if (!flags.isSet(name)) return undefined;
  const v = flags.string(name);
  const ns = parseGoDuration(v);
  if (ns === undefined) {
    const unit = /^[+-]?[\d.]+([^\d.]+)/.exec(v)?.[1];
    const why = unit ? `unknown unit "${unit}" in duration "${v}"` : /^[+-]?[\d.]+$/.test(v) ? `missing unit in duration "${v}"` : `invalid duration "${v}"`;
    throw new FlagError(`invalid argument "${v}" for "--${name}" flag: time: ${why}`);
  }
  return ns;
}

/** --mount type=bind,source=/a,target=/b,readonly … → a HostConfig.Mounts entry. */
export function parseMount(spec: string): Record<string, unknown> {
  const mount: Record<string, unknown> = { Type: 'volume' };
  const bind: Record<string, unknown> = {};
  const volume: Record<string, unknown> = {};
  const tmpfs: Record<string, unknown> = {};
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq >= 0 ? field.slice(0, eq) : field).trim().toLowerCase();
    const value = eq >= 0 ? field.slice(eq + 1) : '';
    const bool = (): boolean => eq < 0 || ['1', 'true', 't', 'True', 'TRUE'].includes(value);
    switch (key) {
      case 'type':
        mount.Type = value;
        break;
      case 'source':
      case 'src':
        mount.Source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = value;
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = bool();
        break;
      case 'consistency':
        mount.Consistency = value;
        break;
      case 'bind-propagation':
        bind.Propagation = value;
        break;
      case 'bind-recursive':
        if (value === 'disabled') bind.NonRecursive = true;
        break;
      case 'volume-nocopy':
        volume.NoCopy = bool();
        break;
      case 'volume-driver':
        volume.DriverConfig = { Name: value };
        break;
      case 'volume-label': {
        const [k, v = ''] = value.split('=');
        volume.Labels = { ...((volume.Labels as object) ?? {}), [k]: v };
        break;
      }
      case 'tmpfs-size': {
        const n = ramInBytes(value);
        if (n === undefined) throw new UsageError(`invalid value for ${key}: ${value}`);
        tmpfs.SizeBytes = n;
        break;
      }
      case 'tmpfs-mode':
        tmpfs.Mode = parseInt(value, 8);
        break;
      default:
        throw new FlagError(`invalid argument "${spec}" for "--mount" flag: unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Target) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: target is required`);
  if (Object.keys(bind).length) mount.BindOptions = bind;
  if (Object.keys(volume).length) mount.VolumeOptions = volume;
  if (Object.keys(tmpfs).length) mount.TmpfsOptions = tmpfs;
  return mount;
}

function parseUlimit(u: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(u);
  if (!m) throw new FlagError(`invalid argument "${u}" for "--ulimit" flag: invalid ulimit argument: ${u}`);
  return { Name: m[1], Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
}

function parseDevice(d: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host, container = host, perms = 'rwm'] = d.split(':');
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: perms };
}

export function buildCreateRequest(flags: ParsedFlags, args: string[], env: NodeJS.ProcessEnv): CreateRequest {
  const [image, ...cmd] = args;
  const lookup = (k: string): string | undefined => env[k];
  const envList = [
    ...flags.list('env-file').flatMap((f) => parseKeyValueFile(f, lookup)),
    ...flags.list('env').map((e) => expandEnv(e, env)),
  ];
  const labels: Record<string, string> = {};
  for (const l of [...flags.list('label-file').flatMap((f) => parseKeyValueFile(f)), ...flags.list('label')]) {
    const eq = l.indexOf('=');
    if (eq >= 0) labels[l.slice(0, eq)] = l.slice(eq + 1);
    else labels[l] = '';
  }

  const attach = flags.list('attach').map((a) => a.toLowerCase());
  for (const a of attach) {
    if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new UsageError(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  const attachStdin = attach.includes('stdin') || flags.bool('interactive');
  const attachStdout = attach.length === 0 || attach.includes('stdout');
  const attachStderr = attach.length === 0 || attach.includes('stderr');

  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of flags.list('volume')) {
    if (!v.includes(':')) {
      volumes[v] = {};
      continue;
    }
    // as the docker CLI: a host part starting with "." is made absolute; other relative ones are volume names
    const colon = v.indexOf(':');
    const host = v.slice(0, colon);
    binds.push(host.startsWith('.') ? `${path.resolve(host)}${v.slice(colon)}` : v);
  }

  const exposed: Record<string, object> = {};
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of flags.list('publish')) {
    for (const { port, binding } of parsePublish(p)) {
      exposed[port] = {};
      (portBindings[port] ??= []).push(binding);
    }
  }
  for (const e of flags.list('expose')) {
    const [p, proto = 'tcp'] = e.split('/');
    exposed[`${p}/${proto}`] = {};
  }

  const restart = parseRestartPolicy(flags.string('restart'));
  if (flags.bool('rm') && restart.Name !== 'no' && restart.Name !== '') {
    throw new UsageError('conflicting options: cannot specify both --restart and --rm');
  }
  const networkMode = flags.isSet('net') ? flags.string('net') : flags.string('network');

  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : undefined,
    NetworkMode: networkMode,
    PortBindings: Object.keys(portBindings).length ? portBindings : undefined,
    RestartPolicy: restart,
    AutoRemove: flags.bool('rm'),
    Privileged: flags.bool('privileged'),
    PublishAllPorts: flags.bool('publish-all'),
    ReadonlyRootfs: flags.bool('read-only'),
    CapAdd: flags.list('cap-add').length ? flags.list('cap-add') : undefined,
    CapDrop: flags.list('cap-drop').length ? flags.list('cap-drop') : undefined,
    Dns: flags.list('dns'),
    ExtraHosts: flags.list('add-host').length ? flags.list('add-host') : undefined,
  };
  if (flags.isSet('init')) hostConfig.Init = flags.bool('init');
  const memory = sizeFlag(flags, 'memory', '-m, --memory');
  if (memory !== undefined) hostConfig.Memory = memory;
  const swap = sizeFlag(flags, 'memory-swap', '--memory-swap', true);
  if (swap !== undefined) hostConfig.MemorySwap = swap;
  const shm = sizeFlag(flags, 'shm-size', '--shm-size');
  if (shm !== undefined) hostConfig.ShmSize = shm;
  if (flags.isSet('cpus')) {
    const cpus = Number(flags.string('cpus'));
    if (!Number.isFinite(cpus)) throw new FlagError(`invalid argument "${flags.string('cpus')}" for "--cpus" flag: failed to parse ${flags.string('cpus')} as a rational number`);
    hostConfig.NanoCpus = Math.round(cpus * 1e9);
  }
  if (flags.isSet('cpu-shares')) hostConfig.CpuShares = flags.int('cpu-shares');
  Object.assign(hostConfig, resourceFlags(flags));
  if (flags.isSet('memory-swappiness')) hostConfig.MemorySwappiness = flags.int('memory-swappiness');
  if (flags.isSet('oom-kill-disable')) hostConfig.OomKillDisable = flags.bool('oom-kill-disable');
  if (flags.isSet('pids-limit')) hostConfig.PidsLimit = flags.int('pids-limit');
  const sysctls = flags.list('sysctl');
  if (sysctls.length) {
    hostConfig.Sysctls = Object.fromEntries(
      sysctls.map((x) => {
        const eq = x.indexOf('=');
        if (eq < 0) throw new FlagError(`invalid argument "${x}" for "--sysctl" flag: sysctl '${x}' is not allowed`);
        return [x.slice(0, eq), x.slice(eq + 1)];
      }),
    );
  }
  if (flags.list('security-opt').length) hostConfig.SecurityOpt = flags.list('security-opt');
  if (flags.list('group-add').length) hostConfig.GroupAdd = flags.list('group-add');
  if (flags.list('ulimit').length) hostConfig.Ulimits = flags.list('ulimit').map(parseUlimit);
  if (flags.list('device').length) hostConfig.Devices = flags.list('device').map(parseDevice);
  if (flags.list('mount').length) hostConfig.Mounts = flags.list('mount').map(parseMount);
  if (flags.list('volumes-from').length) hostConfig.VolumesFrom = flags.list('volumes-from');
  if (flags.string('ipc')) hostConfig.IpcMode = flags.string('ipc');
  if (flags.string('pid')) hostConfig.PidMode = flags.string('pid');
  if (flags.string('uts')) hostConfig.UTSMode = flags.string('uts');
  if (flags.string('log-driver') || flags.list('log-opt').length) {
    hostConfig.LogConfig = {
      Type: flags.string('log-driver'),
      Config: Object.fromEntries(
        flags.list('log-opt').map((o) => {
          const eq = o.indexOf('=');
          return eq >= 0 ? [o.slice(0, eq), o.slice(eq + 1)] : [o, ''];
        }),
      ),
    };
  }
  const tmpfs = flags.list('tmpfs');
  if (tmpfs.length) {
    hostConfig.Tmpfs = Object.fromEntries(
      tmpfs.map((t) => {
        const c = t.indexOf(':');
        return c >= 0 ? [t.slice(0, c), t.slice(c + 1)] : [t, ''];
      }),
    );
  }

  let entrypoint: string[] | undefined;
  if (flags.string('entrypoint') !== '') entrypoint = [flags.string('entrypoint')];
  else if (flags.isSet('entrypoint')) entrypoint = [''];

  const builtin = ['default', 'bridge', 'host', 'none', ''];
  const endpoints: Record<string, unknown> = {};
  if (!builtin.includes(networkMode) && !networkMode.startsWith('container:')) endpoints[networkMode] = {};

  let healthcheck: Record<string, unknown> | undefined;
  const interval = durationFlag(flags, 'health-interval');
  const timeout = durationFlag(flags, 'health-timeout');
  const startPeriod = durationFlag(flags, 'health-start-period');
  const hasHealthOpts = flags.isSet('health-cmd') || interval || timeout || startPeriod || flags.isSet('health-retries');
  if (flags.bool('no-healthcheck')) {
    if (hasHealthOpts) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (hasHealthOpts) {
    healthcheck = {
      Test: flags.isSet('health-cmd') ? ['CMD-SHELL', flags.string('health-cmd')] : undefined,
      Interval: interval,
      Timeout: timeout,
      StartPeriod: startPeriod,
      Retries: flags.isSet('health-retries') ? flags.int('health-retries') : undefined,
    };
  }

  const body: ContainerCreateBody = {
    Hostname: flags.string('hostname'),
    Domainname: flags.string('domainname'),
    User: flags.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: flags.bool('tty'),
    OpenStdin: flags.bool('interactive'),
    StdinOnce: false,
    Env: envList,
    Cmd: cmd.length ? cmd : undefined,
    Image: image,
    Volumes: Object.keys(volumes).length ? volumes : undefined,
    WorkingDir: flags.string('workdir'),
    Entrypoint: entrypoint,
    Labels: labels,
    StopSignal: flags.string('stop-signal') || undefined,
    StopTimeout: flags.isSet('stop-timeout') ? flags.int('stop-timeout') : undefined,
    Healthcheck: healthcheck,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  return { name: flags.string('name') || undefined, platform: flags.string('platform') || undefined, body };
}

/** The limits `run`, `create` and `update` share beyond -m/--memory-swap/--cpus/--cpu-shares/--pids-limit. */
export function resourceFlags(flags: ParsedFlags): Record<string, unknown> {
  const hc: Record<string, unknown> = {};
  if (flags.isSet('blkio-weight')) hc.BlkioWeight = flags.int('blkio-weight');
  if (flags.isSet('cpu-period')) hc.CpuPeriod = flags.int('cpu-period');
  if (flags.isSet('cpu-quota')) hc.CpuQuota = flags.int('cpu-quota');
  if (flags.isSet('cpuset-cpus')) hc.CpusetCpus = flags.string('cpuset-cpus');
  if (flags.isSet('cpuset-mems')) hc.CpusetMems = flags.string('cpuset-mems');
  const reservation = sizeFlag(flags, 'memory-reservation', '--memory-reservation');
  if (reservation !== undefined) hc.MemoryReservation = reservation;
  return hc;
}
