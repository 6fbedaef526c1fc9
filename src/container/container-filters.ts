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
      default:
        // network, volume, publish, expose, isolation: nothing to match yet in berth's model
        break;
    }
  }
  return true;
}
