import path from 'node:path';
import { invalidArgument } from '../../errdefs/index.js';

/**
 * `RUN --mount=[type=<TYPE>][,option=<value>…]` as the Dockerfile reference describes it (pure, no I/O):
 * `bind` (the default: the build context, or another stage's or an image's root with `from=`, read-only
 * unless `rw`), `cache` (a directory kept across builds, keyed by `id`, default the target), `tmpfs`.
 * `secret` and `ssh` need a BuildKit client session, which the classic API has not: they are refused.
 */
export type MountType = 'bind' | 'cache' | 'tmpfs';
export type Sharing = 'shared' | 'private' | 'locked';

export interface RunMountSpec {
  type: MountType;
  /** absolute path in the container (a relative target is taken from the WORKDIR) */
  target: string;
  /** path in `from` (or the context); '' = its root */
  source: string;
  /** stage name/number or image; undefined = the build context (bind) or an empty dir (cache) */
  from?: string;
  readonly: boolean;
  /** cache: the cache's key */
  id: string;
  sharing: Sharing;
  /** cache: mode, owner of a new cache directory */
  mode: number;
  uid: number;
  gid: number;
  /** tmpfs: size limit in bytes */
  size?: number;
}

const BOOL = (v: string | undefined, key: string): boolean => {
  if (v === undefined || v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`RUN --mount: invalid value for ${key}: ${v}`);
};

/** Splits a CSV field list (double quotes group, as Go's csv reader does). */
function fields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw invalidArgument(`RUN --mount: unterminated quote in ${value}`);
  out.push(cur);
  return out.map((f) => f.trim()).filter((f) => f !== '');
}

export function parseRunMount(value: string, workdir: string): RunMountSpec {
  const kv = new Map<string, string | undefined>();
  for (const f of fields(value)) {
    const eq = f.indexOf('=');
    const key = (eq < 0 ? f : f.slice(0, eq)).toLowerCase();
    kv.set(key, eq < 0 ? undefined : f.slice(eq + 1));
  }
  const type = (kv.get('type') ?? 'bind').toLowerCase();
  if (type === 'secret' || type === 'ssh') {
    throw invalidArgument(`RUN --mount=type=${type} is not supported by berth: ${type === 'secret' ? 'secrets' : 'SSH agent forwarding'} come${type === 'secret' ? '' : 's'} from a BuildKit client session (docker buildx build --${type}), which the classic build API has no way to carry`);
  }
  if (type !== 'bind' && type !== 'cache' && type !== 'tmpfs') throw invalidArgument(`RUN --mount: unsupported mount type "${type}"`);
  const allowed: Record<MountType, string[]> = {
    bind: ['type', 'target', 'dst', 'destination', 'source', 'src', 'from', 'rw', 'readwrite', 'ro', 'readonly', 'bind-propagation'],
    cache: ['type', 'target', 'dst', 'destination', 'source', 'src', 'from', 'rw', 'readwrite', 'ro', 'readonly', 'id', 'sharing', 'mode', 'uid', 'gid'],
    tmpfs: ['type', 'target', 'dst', 'destination', 'size'],
  };
  for (const [k, v] of kv) {
    if (!allowed[type].includes(k)) throw invalidArgument(`RUN --mount: unexpected key '${k}' in '${v === undefined ? k : `${k}=${v}`}' for a ${type} mount`);
  }
  const rawTarget = kv.get('target') ?? kv.get('dst') ?? kv.get('destination');
  if (!rawTarget) throw invalidArgument(`RUN --mount=${value}: a target is required (target=<path in the container>)`);
  const target = path.posix.resolve(workdir || '/', rawTarget);
  if (target === '/') throw invalidArgument(`RUN --mount=${value}: cannot mount over the root directory`);
  const rw = kv.has('rw') ? BOOL(kv.get('rw'), 'rw') : kv.has('readwrite') ? BOOL(kv.get('readwrite'), 'readwrite') : undefined;
  const ro = kv.has('ro') ? BOOL(kv.get('ro'), 'ro') : kv.has('readonly') ? BOOL(kv.get('readonly'), 'readonly') : undefined;
  const readonly = ro ?? (rw !== undefined ? !rw : type === 'bind');
  const sharing = (kv.get('sharing') ?? 'shared').toLowerCase();
  if (sharing !== 'shared' && sharing !== 'private' && sharing !== 'locked') throw invalidArgument(`RUN --mount: unrecognized sharing mode: ${sharing} (shared, private or locked)`);
  const num = (key: string, fallback: number, radix: number): number => {
    const v = kv.get(key);
    if (v === undefined) return fallback;
    const n = radix === 8 ? (/^[0-7]+$/.test(v) ? parseInt(v, 8) : NaN) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw invalidArgument(`RUN --mount: invalid ${key}: ${v}`);
    return n;
  };
  const spec: RunMountSpec = {
    type,
    target,
    source: (kv.get('source') ?? kv.get('src') ?? '').replace(/^\/+/, ''),
    readonly,
    id: kv.get('id') || target,
    sharing,
    mode: num('mode', 0o755, 8),
    uid: num('uid', 0, 10),
    gid: num('gid', 0, 10),
  };
  const from = kv.get('from');
  if (from) spec.from = from;
  if (kv.has('size')) spec.size = parseSize(kv.get('size') ?? '');
  return spec;
}

function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  if (!m) throw invalidArgument(`RUN --mount: invalid size: ${v}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/** The mount as it enters the step's cache key (sorted, defaults written out). */
export function mountKey(m: RunMountSpec): string {
  const parts = [`type=${m.type}`, `target=${m.target}`];
  if (m.type === 'tmpfs') {
    if (m.size !== undefined) parts.push(`size=${m.size}`);
    return parts.join(',');
  }
  if (m.from !== undefined) parts.push(`from=${m.from}`);
  if (m.source) parts.push(`source=${m.source}`);
  parts.push(m.readonly ? 'ro' : 'rw');
  if (m.type === 'cache') parts.push(`id=${m.id}`, `sharing=${m.sharing}`, `mode=${m.mode.toString(8)}`, `uid=${m.uid}`, `gid=${m.gid}`);
  return parts.join(',');
}
