import type { ContainerRecord } from '../../../container/index.js';
import { portMap } from '../../../network/index.js';
import { mountPointJson } from '../../../container/mounts/index.js';

/**
 * Engine records → Docker's JSON shapes (GET /containers/json and /containers/{id}/json).
 * Fields berth does not have yet are present with Docker's empty values, because clients index into them.
 */
export function inspectJson(rec: ContainerRecord, upperDir: string, sizeRw?: number): Record<string, unknown> {
  const networkMode = rec.hostConfig.NetworkMode ?? 'bridge';
  const out: Record<string, unknown> = {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: { ...rec.state },
    Image: rec.image,
    ResolvConfPath: rec.resolvConfPath,
    HostnamePath: rec.hostnamePath,
    HostsPath: rec.hostsPath,
    LogPath: rec.logPath,
    Name: rec.name,
    RestartCount: rec.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigJson(rec),
    GraphDriver: { Data: { UpperDir: upperDir, WorkDir: upperDir.replace(/upper$/, 'work'), MergedDir: upperDir.replace(/upper$/, 'merged') }, Name: 'overlay2' },
    Mounts: (rec.mountPoints ?? []).map(mountPointJson),
    Config: { ...rec.config, Image: displayImage(rec.config.Image ?? rec.image) },
    NetworkSettings: networkSettings(rec, networkMode),
  };
  if (sizeRw !== undefined) {
    out.SizeRw = sizeRw;
    out.SizeRootFs = sizeRw;
  }
  return out;
}

/**
 * Docker's NetworkSettings: Networks by name; the top-level address fields are the default bridge's
 * (Docker fills them for `bridge` only); Ports while running (every exposed port, null when not published).
 */
function networkSettings(rec: ContainerRecord, networkMode: string): Record<string, unknown> {
  const running = rec.state.Running && !rec.state.Restarting;
  const networks: Record<string, unknown> = {};
  if (rec.networks) {
    for (const [name, ep] of Object.entries(rec.networks)) {
      const { ifName: _i, hostIf: _h, ...wire } = ep;
      networks[name] = { ...emptyEndpoint(), ...wire, MacAddress: wire.MacAddress ?? '' };
    }
  } else if (networkMode === 'none' || networkMode === 'host') networks[networkMode] = emptyEndpoint();
  const b = rec.networks?.bridge;
  return {
      Bridge: '',
      SandboxID: running && rec.networks && Object.keys(rec.networks).length ? rec.id : '',
      SandboxKey: running && rec.state.Pid ? `/proc/${rec.state.Pid}/ns/net` : '',
      Ports: running ? portMap(rec.config.ExposedPorts, rec.ports ?? []) : {},
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: b?.EndpointID ?? '',
      Gateway: b?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: b?.IPAddress ?? '',
      IPPrefixLen: b?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: b?.IPAddress ? b.MacAddress ?? '' : '',
      Networks: networks,
  };
}

function emptyEndpoint(): Record<string, unknown> {
  return { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null };
}

function hostConfigJson(rec: ContainerRecord): Record<string, unknown> {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: 'bridge',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'host',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: rec.runtime,
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: null,
    MaskedPaths: [],
    ReadonlyPaths: [],
    ...rec.hostConfig,
  };
}

/** Docker shows Config.Image as the user gave it. */
function displayImage(ref: string): string {
  return ref;
}

export function listJson(rec: ContainerRecord, now = Date.now()): Record<string, unknown> {
  const networkMode = rec.hostConfig.NetworkMode ?? 'bridge';
  return {
    Id: rec.id,
    Names: [rec.name],
    Image: rec.config.Image ?? rec.image,
    ImageID: rec.image,
    // Docker quotes arguments that contain spaces with single quotes
    Command: [rec.path, ...rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: listPorts(rec),
    Labels: rec.config.Labels ?? {},
    State: rec.state.Status,
    Status: statusText(rec, now),
    HostConfig: { NetworkMode: networkMode === 'default' ? 'bridge' : networkMode },
    NetworkSettings: { Networks: (networkSettings(rec, networkMode) as { Networks: unknown }).Networks },
    Mounts: (rec.mountPoints ?? []).map(mountPointJson),
  };
}

/** The list's Ports: published ports while running, exposed ones without a public port. */
function listPorts(rec: ContainerRecord): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  if (!rec.state.Running) return [];
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  for (const [key, list] of Object.entries(portMap(rec.config.ExposedPorts, rec.ports ?? []))) {
    const [port, type = 'tcp'] = key.split('/');
    if (!list) out.push({ PrivatePort: Number(port), Type: type });
    else for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}

/** Docker's human status column: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Running) {
    const up = `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
    if (s.Paused) return `${up} (Paused)`;
    // Docker appends the health status: (healthy), (unhealthy), (health: starting)
    const h = s.Health?.Status;
    if (h === 'starting') return `${up} (health: starting)`;
    if (h === 'healthy' || h === 'unhealthy') return `${up} (${h})`;
    return up;
  }
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.Status === 'created' || s.FinishedAt.startsWith('0001')) return 'Created';
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}
