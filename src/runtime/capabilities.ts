import { readFileSync } from 'node:fs';
import { invalidArgument } from '../errdefs/index.js';

/** Docker's default capability set (moby oci/caps/defaults.go), in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux defines, indexed by its number. */
const CAPABILITIES_BY_NUMBER: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

let boundingCache: bigint | undefined;

/** The daemon's own bounding set (CapBnd of /proc/self/status): a container cannot be given more. */
function boundingSet(): bigint {
  if (boundingCache === undefined) {
    try {
      const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      boundingCache = m ? BigInt(`0x${m[1]}`) : (1n << BigInt(CAPABILITIES_BY_NUMBER.length)) - 1n;
    } catch {
      boundingCache = (1n << BigInt(CAPABILITIES_BY_NUMBER.length)) - 1n;
    }
  }
  return boundingCache;
}

/**
 * All capabilities this daemon can hand out: what `--privileged` and `--cap-add ALL` grant. Like Podman
 * (and unlike Docker, which assumes a full set) this is the daemon's own bounding set, so a daemon
 * without e.g. CAP_SYS_RESOURCE can still run privileged containers.
 */
export function allCapabilities(): string[] {
  const bnd = boundingSet();
  return CAPABILITIES_BY_NUMBER.filter((_, i) => (bnd >> BigInt(i)) & 1n);
}

/** Upper-cases, adds the CAP_ prefix, keeps ALL, refuses unknown names (Docker: `unknown capability: "X"`). */
export function normalizeCapabilities(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    let c = raw.trim().toUpperCase();
    if (c === '') continue;
    if (c !== 'ALL' && !c.startsWith('CAP_')) c = `CAP_${c}`;
    if (c !== 'ALL' && !CAPABILITIES_BY_NUMBER.includes(c)) throw invalidArgument(`unknown capability: "${c}"`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * Docker's TweakCapabilities: privileged → all; `--cap-add ALL` → all minus the drops; `--cap-drop ALL` →
 * only the adds; otherwise the defaults minus the drops plus the adds.
 */
export function effectiveCapabilities(capAdd: readonly string[], capDrop: readonly string[], privileged: boolean): string[] {
  if (privileged) return allCapabilities();
  if (capAdd.length === 0 && capDrop.length === 0) return [...DEFAULT_CAPABILITIES];
  const add = normalizeCapabilities(capAdd);
  const drop = normalizeCapabilities(capDrop);
  let caps: string[];
  if (add.includes('ALL')) caps = allCapabilities().filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = [...add];
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  // The runtime would fail with a bare "operation not permitted"; say which capability instead.
  const available = allCapabilities();
  const missing = add.filter((c) => c !== 'ALL' && !available.includes(c));
  if (missing.length > 0) throw invalidArgument(`cannot add capabilities the daemon does not have itself: ${missing.join(', ')}`);
  return [...new Set(caps)];
}
