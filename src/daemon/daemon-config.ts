import { promises as fs } from 'node:fs';
import { invalidArgument } from '../errdefs/index.js';
import { isLogLevel, type LogLevel } from '../util/index.js';

/**
 * berthd's settings: dockerd's flags, and the same keys in daemon.json (--config-file). A key given both
 * ways is an error, as dockerd makes it.
 */
export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  runtime: 'runc' | 'crun';
  logLevel: LogLevel;
  configFile?: string;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  cgroupParent: string;
  tls?: { cert: string; key: string; ca?: string; verify: boolean };
  storageDriver?: 'overlay' | 'native';
  /** static init binary for --init (dockerd's --init-path); default tini-static, else catatonit */
  initPath?: string;
  /** registries (host[:port] or CIDR) spoken to over plain HTTP; loopback always is */
  insecureRegistries: string[];
  /** per-registry TLS files, <dir>/<host[:port]>/{*.crt, *.cert + *.key} (dockerd's fixed /etc/docker/certs.d) */
  registryCertsDir: string;
  /** the default bridge's device (dockerd's -b/--bridge; berth never uses docker0) */
  bridge: string;
  /** the default bridge's address and prefix (dockerd's --bip) */
  bip: string;
  /** subnets for networks created without --subnet (dockerd's --default-address-pool) */
  defaultAddressPools: Array<{ base: string; size: number }>;
}

export const DEFAULTS: DaemonConfig = {
  hosts: [],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  pidfile: '/run/berth/berthd.pid',
  runtime: 'runc',
  logLevel: 'info',
  dns: [],
  dnsSearch: [],
  dnsOptions: [],
  cgroupParent: '/berth',
  insecureRegistries: [],
  registryCertsDir: '/etc/docker/certs.d',
  // away from Docker's defaults (172.17.0.0/16 and the 172.18–31 and 192.168 pools) and podman's 10.88
  bridge: 'berth0',
  bip: '10.209.0.1/16',
  defaultAddressPools: [{ base: '10.210.0.0/16', size: 24 }],
};

export const USAGE = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine

Options:
  -H, --host list            Daemon socket(s) to connect to (default unix:///run/berth/berthd.sock)
      --data-root string     Root directory of persistent state (default "/var/lib/berth")
      --exec-root string     Root directory for execution state files (default "/run/berth")
  -p, --pidfile string       Path to use for daemon PID file (default "/run/berth/berthd.pid")
      --runtime string       OCI runtime: runc or crun (default "runc")
  -l, --log-level string     Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --config-file string   Daemon configuration file (daemon.json)
      --dns list             DNS server to use in containers
      --dns-search list      DNS search domains to use
      --dns-opt list         DNS options to use
      --cgroup-parent string Parent cgroup for all containers (default "/berth")
  -b, --bridge string        Device of the default bridge network (default "berth0")
      --bip string           Address and prefix of the default bridge (default "10.209.0.1/16")
      --default-address-pool base=CIDR,size=N  Subnets for new networks (default base=10.210.0.0/16,size=24)
      --init-path string     Path to the init binary for --init (default tini-static)
      --storage-driver string overlay or native (default: overlay when the kernel has it)
      --insecure-registry list  Registry (host[:port] or CIDR) to reach over plain HTTP (loopback always is)
      --registry-certs-dir string  CAs and client certificates per registry: DIR/HOST[:PORT]/*.crt, *.cert + *.key
                             (default /etc/docker/certs.d, as dockerd)
      --tlscert string, --tlskey string, --tlscacert string, --tlsverify
  -v, --version              Print version information and quit
  -h, --help                 Print usage
`;

type Setter = (c: DaemonConfig, v: string) => void;
const valueFlags: Record<string, [string, Setter]> = {
  '-H': ['hosts', (c, v) => c.hosts.push(v)],
  '--host': ['hosts', (c, v) => c.hosts.push(v)],
  '--data-root': ['data-root', (c, v) => (c.dataRoot = v)],
  '--graph': ['data-root', (c, v) => (c.dataRoot = v)],
  '--exec-root': ['exec-root', (c, v) => (c.execRoot = v)],
  '-p': ['pidfile', (c, v) => (c.pidfile = v)],
  '--pidfile': ['pidfile', (c, v) => (c.pidfile = v)],
  '--runtime': ['default-runtime', (c, v) => (c.runtime = runtimeName(v))],
  '--default-runtime': ['default-runtime', (c, v) => (c.runtime = runtimeName(v))],
  '-l': ['log-level', (c, v) => (c.logLevel = logLevel(v))],
  '--log-level': ['log-level', (c, v) => (c.logLevel = logLevel(v))],
  '--config-file': ['config-file', (c, v) => (c.configFile = v)],
  '--dns': ['dns', (c, v) => c.dns.push(v)],
  '--dns-search': ['dns-search', (c, v) => c.dnsSearch.push(v)],
  '--dns-opt': ['dns-opts', (c, v) => c.dnsOptions.push(v)],
  '--cgroup-parent': ['cgroup-parent', (c, v) => (c.cgroupParent = v)],
  '-b': ['bridge', (c, v) => (c.bridge = bridgeName(v))],
  '--bridge': ['bridge', (c, v) => (c.bridge = bridgeName(v))],
  '--bip': ['bip', (c, v) => (c.bip = v)],
  '--default-address-pool': ['default-address-pools', (c, v) => addPool(c, v)],
  '--init-path': ['init-path', (c, v) => (c.initPath = v)],
  '--insecure-registry': ['insecure-registries', (c, v) => c.insecureRegistries.push(v)],
  '--registry-certs-dir': ['registry-certs-dir', (c, v) => (c.registryCertsDir = v)],
  '--storage-driver': ['storage-driver', (c, v) => (c.storageDriver = storageDriver(v))],
  '--tlscert': ['tlscert', (c, v) => (c.tls = { ...(c.tls ?? { cert: '', key: '', verify: false }), cert: v })],
  '--tlskey': ['tlskey', (c, v) => (c.tls = { ...(c.tls ?? { cert: '', key: '', verify: false }), key: v })],
  '--tlscacert': ['tlscacert', (c, v) => (c.tls = { ...(c.tls ?? { cert: '', key: '', verify: false }), ca: v })],
};

function bridgeName(v: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(v)) throw invalidArgument(`invalid bridge name "${v}": at most 15 letters, digits, '_', '.', '-'`);
  return v;
}
/** dockerd's --default-address-pool base=10.10.0.0/16,size=24; the first given replaces the default. */
let poolsFromFlags = new WeakSet<DaemonConfig>();
function addPool(c: DaemonConfig, v: string): void {
  const kv = Object.fromEntries(v.split(',').map((p) => p.split('=') as [string, string]));
  const size = Number(kv.size ?? 24);
  if (!kv.base || !/^[\d.]+\/\d+$/.test(kv.base) || !(size >= 8 && size <= 30)) throw invalidArgument(`invalid default address pool "${v}"`);
  if (!poolsFromFlags.has(c)) {
    c.defaultAddressPools = [];
    poolsFromFlags.add(c);
  }
  c.defaultAddressPools.push({ base: kv.base, size });
}
function runtimeName(v: string): 'runc' | 'crun' {
  if (v !== 'runc' && v !== 'crun') throw invalidArgument(`unknown runtime "${v}": berthd supports runc and crun`);
  return v;
}
function logLevel(v: string): LogLevel {
  if (!isLogLevel(v)) throw invalidArgument(`invalid log level: ${v}`);
  return v;
}
function storageDriver(v: string): 'overlay' | 'native' {
  if (v === 'overlay' || v === 'overlay2') return 'overlay';
  if (v === 'native' || v === 'vfs') return 'native';
  throw invalidArgument(`unknown storage driver "${v}": berthd supports overlay and native`);
}

export type ParsedArgs = { kind: 'run'; config: DaemonConfig; fromFlags: Set<string> } | { kind: 'help' } | { kind: 'version' };

export function parseDaemonArgs(argv: string[]): ParsedArgs {
  const config: DaemonConfig = structuredClone(DEFAULTS);
  poolsFromFlags = new WeakSet();
  const fromFlags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-v' || arg === '--version') return { kind: 'version' };
    if (arg === '--tlsverify' || arg === '--tlsverify=true') {
      config.tls = { ...(config.tls ?? { cert: '', key: '', verify: false }), verify: true };
      fromFlags.add('tlsverify');
      continue;
    }
    if (arg === '-D' || arg === '--debug') {
      config.logLevel = 'debug';
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else if (/^-[Hpl].+/.test(arg)) {
      value = arg.slice(2);
      arg = arg.slice(0, 2);
    }
    const flag = valueFlags[arg];
    if (!flag) throw invalidArgument(`unknown flag: ${arg}\nSee 'berthd --help'.`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw invalidArgument(`flag needs an argument: ${arg}`);
    }
    flag[1](config, value);
    fromFlags.add(flag[0]);
  }
  return { kind: 'run', config, fromFlags };
}

/** Applies daemon.json on top of the defaults; keys also set by flags are a conflict (dockerd's rule). */
export async function applyConfigFile(config: DaemonConfig, fromFlags: Set<string>): Promise<void> {
  const file = config.configFile;
  if (!file) return;
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !fromFlags.has('config-file')) return;
    throw invalidArgument(`unable to configure the berth daemon with file ${file}: ${(err as Error).message}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(raw) as Record<string, unknown>;
  } catch (err) {
    throw invalidArgument(`unable to configure the berth daemon with file ${file}: ${(err as Error).message}`);
  }
  const conflicts = Object.keys(json).filter((k) => fromFlags.has(k));
  if (conflicts.length) {
    throw invalidArgument(`the following directives are specified both as a flag and in the configuration file: ${conflicts.map((k) => `${k}: (from flag: …, from file: ${JSON.stringify(json[k])})`).join(', ')}`);
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  for (const [k, v] of Object.entries(json)) {
    switch (k) {
      case 'hosts': config.hosts = list(v); break;
      case 'data-root': case 'graph': config.dataRoot = String(v); break;
      case 'exec-root': config.execRoot = String(v); break;
      case 'pidfile': config.pidfile = String(v); break;
      case 'default-runtime': config.runtime = runtimeName(String(v)); break;
      case 'log-level': config.logLevel = logLevel(String(v)); break;
      case 'debug': if (v === true) config.logLevel = 'debug'; break;
      case 'dns': config.dns = list(v); break;
      case 'dns-search': config.dnsSearch = list(v); break;
      case 'dns-opts': config.dnsOptions = list(v); break;
      case 'cgroup-parent': config.cgroupParent = String(v); break;
      case 'init-path': config.initPath = String(v); break;
      case 'insecure-registries': config.insecureRegistries = list(v); break;
      case 'registry-certs-dir': config.registryCertsDir = String(v); break;
      case 'storage-driver': config.storageDriver = storageDriver(String(v)); break;
      case 'bridge': config.bridge = bridgeName(String(v)); break;
      case 'bip': config.bip = String(v); break;
      case 'default-address-pools':
        config.defaultAddressPools = (Array.isArray(v) ? v : []).map((p: { base?: string; size?: number }) => ({ base: String(p.base), size: Number(p.size ?? 24) }));
        break;
      default: break; // dockerd keys berth does not use yet are accepted and ignored
    }
  }
}

/** The socket to serve when no -H is given: <exec-root>/berthd.sock. */
export function effectiveHosts(config: DaemonConfig): string[] {
  return config.hosts.length ? config.hosts : [`unix://${config.execRoot}/berthd.sock`];
}
