import { invalidArgument } from '../errdefs/index.js';
import { matchLabels, type Filters } from '../util/index.js';
import type { ContainerRecord } from './container-record.js';

const ALLOWED = ['id', 'name', 'label', 'label!', 'status', 'exited', 'ancestor', 'before', 'since', 'health', 'network', 'volume', 'publish', 'expose', 'isolation', 'is-task', 'until'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/**
 * `docker ps --filter`: values of one key are OR-ed, keys are AND-ed (Docker's semantics).
 * find resolves before/since references; imageIdOf resolves ancestor references (undefined if unknown).
 */
export function matchesFilters(
  rec: ContainerRecord,
  filters: Filters,
  find: (ref: string) => ContainerRecord,
  imageIdOf: (ref: string) => string | undefined,
): boolean {
  for (const [key, values] of filters) {
    if (!ALLOWED.includes(key)) throw invalidArgument(`invalid filter '${key}'`);
    if (values.length === 0) continue;
    switch (key) {
      case 'id':
        if (!values.some((v) => rec.id.startsWith(v))) return false;
        break;
      case 'name':
        if (!values.some((v) => new RegExp(v).test(rec.name.slice(1)) || new RegExp(v).test(rec.name))) return false;
        break;
      case 'label':
        if (!matchLabels(rec.config.Labels, values)) return false;
        break;
      case 'label!':
        if (values.some((v) => matchLabels(rec.config.Labels, [v]))) return false;
        break;
      case 'status':
        for (const v of values) if (!STATUSES.includes(v)) throw invalidArgument(`invalid filter 'status=${v}'`);
        if (!values.includes(rec.state.Status)) return false;
        break;
      case 'exited': {
        if (rec.state.Status !== 'exited') return false;
        const codes = values.map((v) => {
          if (!/^-?\d+$/.test(v)) throw invalidArgument(`invalid filter 'exited=${v}'`);
          return Number(v);
        });
        if (!codes.includes(rec.state.ExitCode)) return false;
        break;
      }
      case 'ancestor':
        if (!values.some((v) => rec.config.Image === v || rec.image === v || rec.image === imageIdOf(v) || rec.image.slice(7).startsWith(v))) return false;
        break;
      case 'before': {
        const ref = find(values[0]!);
        if (!(rec.created < ref.created)) return false;
        break;
      }
      case 'since': {
        const ref = find(values[0]!);
        if (!(rec.created > ref.created)) return false;
        break;
      }
      case 'health': {
        for (const v of values) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(v)) throw invalidArgument(`Unrecognised filter value for health: ${v}`);
        if (!values.includes(rec.state.Health?.Status ?? 'none')) return false;
        break;
      }
      case 'is-task':
        if (values.includes('true')) return false;
        break;
      case 'volume': {
        // a volume's name (a bind's source) or a mount's destination (moby's volume filter)
        const mounts = rec.mountPoints ?? [];
        if (!values.some((v) => mounts.some((m) => v === m.Destination || v === (m.Name || m.Source)))) return false;
        break;
      }
      case 'network': {
        // a network's name, or its ID or a prefix of it
        const nets = Object.entries(rec.networks ?? {});
        if (!values.some((v) => nets.some(([name, ep]) => name === v || (!!ep.NetworkID && ep.NetworkID.startsWith(v))))) return false;
        break;
      }
      case 'publish':
      case 'expose': {
        // container ports: published ones (PortBindings) or exposed ones (ExposedPorts and the published)
        const wanted = new Set(values.flatMap((v) => portFilter(key, v)));
        const published = Object.keys(rec.hostConfig.PortBindings ?? {});
        const have = key === 'publish' ? published : [...Object.keys(rec.config.ExposedPorts ?? {}), ...published];
        if (!have.some((p) => wanted.has(p.includes('/') ? p : `${p}/tcp`))) return false;
        break;
      }
      default:
        // isolation: Linux has only the default
        break;
    }
  }
  return true;
}

/** `80`, `80/udp`, `8000-8010/tcp` → ["80/tcp"], … as moby's portOp; a host part (`:`) is refused. */
function portFilter(key: string, value: string): string[] {
  if (value.includes(':')) throw invalidArgument(`filter for '${key}' should not contain ':': ${value}`);
  const [range, proto = 'tcp'] = value.split('/');
  const m = /^(\d+)(?:-(\d+))?$/.exec(range ?? '');
  if (!m) throw invalidArgument(`invalid port range: ${range}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (end < start || end > 65535) throw invalidArgument(`invalid port range: ${range}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}
