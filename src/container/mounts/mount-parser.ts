import { existsSync } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../../errdefs/index.js';
import type { MountSpec } from '../../api/types/container.js';
import type { MountPoint } from './mount-point.js';

/**
 * Docker's Linux mount parser (moby volume/mounts/linux_parser.go), with its exact messages: `-v` strings
 * (ParseMountRaw), `--mount` specs (ParseMountSpec / ValidateMountConfig), `--volumes-from` and tmpfs
 * options. Pure functions, apart from the bind-source existence check of `--mount`.
 */

const RW_MODES = new Set(['rw', 'ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const LABEL_MODES = new Set(['z', 'Z']);
const PROPAGATION_MODES = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
export const DEFAULT_PROPAGATION = 'rprivate';

const errInvalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;
const errMountConfig = (type: string | undefined, msg: string) => `invalid mount config for type "${type ?? ''}": ${msg}`;

export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) counts.rw++;
    else if (LABEL_MODES.has(o)) counts.label++;
    else if (PROPAGATION_MODES.has(o)) counts.propagation++;
    else if (o === 'nocopy') counts.copy++;
    else if (CONSISTENCY_MODES.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

function readWrite(mode: string): boolean {
  return mode.split(',').every((o) => o !== 'ro');
}

function propagationOf(mode: string): string | undefined {
  return mode.split(',').find((o) => PROPAGATION_MODES.has(o));
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function validateTarget(type: string | undefined, target: string): void {
  if (path.posix.normalize(target.replaceAll('\\', '/')).replace(/\/+$/, '') === '') {
    throw invalidArgument(errMountConfig(type, "invalid specification: destination can't be '/'"));
  }
  if (!target.replaceAll('\\', '/').startsWith('/')) throw invalidArgument(errMountConfig(type, `invalid mount path: '${target}' mount path must be absolute`));
}

const clean = (p: string) => path.posix.normalize(p).replace(/(.)\/+$/, '$1');

/**
 * Docker's ValidateMountConfig for one HostConfig.Mounts entry; `checkBindSource` is the `--mount` rule
 * that a bind source must exist (unless BindOptions.CreateMountpoint).
 */
export function validateMountSpec(m: MountSpec, checkBindSource: boolean): void {
  const t = m.Type;
  if (!m.Target) throw invalidArgument(errMountConfig(t, 'field Target must not be empty'));
  validateTarget(t, m.Target);
  switch (t) {
    case 'bind': {
      if (!m.Source) throw invalidArgument(errMountConfig(t, 'field Source must not be empty'));
      const prop = m.BindOptions?.Propagation;
      if (prop && !PROPAGATION_MODES.has(prop)) throw invalidArgument(errMountConfig(t, `invalid propagation mode: ${prop}`));
      if (m.VolumeOptions) throw invalidArgument(errMountConfig(t, 'field VolumeOptions must not be specified'));
      if (!m.Source.startsWith('/')) throw invalidArgument(errMountConfig(t, `invalid mount path: '${m.Source}' mount path must be absolute`));
      if (checkBindSource && !existsSync(m.Source) && !m.BindOptions?.CreateMountpoint) {
        throw invalidArgument(errMountConfig(t, `bind source path does not exist: ${m.Source}`));
      }
      break;
    }
    case 'volume':
      if (m.BindOptions) throw invalidArgument(errMountConfig(t, 'field BindOptions must not be specified'));
      if (m.VolumeOptions?.Subpath) throw invalidArgument(errMountConfig(t, 'volume subpaths are not supported'));
      if (m.ReadOnly && !m.Source) throw invalidArgument(errMountConfig(t, 'must not set ReadOnly mode when using anonymous volumes'));
      break;
    case 'tmpfs':
      if (m.BindOptions) throw invalidArgument(errMountConfig(t, 'field BindOptions must not be specified'));
      if (m.Source) throw invalidArgument(errMountConfig(t, 'field Source must not be specified'));
      try {
        tmpfsData(m.TmpfsOptions, !!m.ReadOnly);
      } catch (err) {
        throw invalidArgument(errMountConfig(t, (err as Error).message));
      }
      break;
    default:
      throw invalidArgument(errMountConfig(t, 'mount type unknown'));
  }
}

/** A HostConfig.Mounts entry → mount point (ParseMountSpec). */
export function parseMountSpec(m: MountSpec, checkBindSource = true): MountPoint {
  validateMountSpec(m, checkBindSource);
  const type = m.Type as MountPoint['Type'];
  const mp: MountPoint = { Type: type, Source: '', Destination: clean(m.Target!), RW: !m.ReadOnly, Name: '', Driver: '', Mode: '', Propagation: '', CopyData: false, Named: false };
  if (type === 'volume') {
    mp.Name = m.Source ?? '';
    mp.Named = !!m.Source;
    mp.Driver = m.VolumeOptions?.DriverConfig?.Name || 'local';
    mp.CopyData = !m.VolumeOptions?.NoCopy;
    if (m.VolumeOptions?.Labels && Object.keys(m.VolumeOptions.Labels).length) mp.VolumeLabels = { ...m.VolumeOptions.Labels };
    const opts = m.VolumeOptions?.DriverConfig?.Options;
    if (opts && Object.keys(opts).length) mp.VolumeDriverOpts = { ...opts };
  } else if (type === 'bind') {
    mp.Source = clean(m.Source!);
    mp.Propagation = m.BindOptions?.Propagation || DEFAULT_PROPAGATION;
    if (m.BindOptions?.NonRecursive) mp.NonRecursive = true;
  } else {
    mp.Data = tmpfsData(m.TmpfsOptions, !!m.ReadOnly);
  }
  return mp;
}

/** A `-v` / HostConfig.Binds string → mount point (ParseMountRaw). The bind source is not checked: start creates it. */
export function parseBind(raw: string): MountPoint {
  const arr = splitN(raw, ':', 4);
  if (arr[0] === '') throw invalidArgument(errInvalidSpec(raw));
  const spec: MountSpec = {};
  let mode = '';
  switch (arr.length) {
    case 1:
      spec.Target = arr[0];
      break;
    case 2:
      // a destination and a mode is not a volume: /foo:rw
      if (validMountMode(arr[1]!)) throw invalidArgument(errInvalidSpec(raw));
      [spec.Source, spec.Target] = arr;
      break;
    case 3:
      [spec.Source, spec.Target, mode] = arr as [string, string, string];
      break;
    default:
      throw invalidArgument(errInvalidSpec(raw));
  }
  if (!validMountMode(mode)) throw invalidArgument(`invalid mode: ${mode}`);
  spec.Type = spec.Source?.startsWith('/') ? 'bind' : 'volume';
  spec.ReadOnly = !readWrite(mode);
  const noCopy = mode.split(',').includes('nocopy');
  if (noCopy) spec.VolumeOptions = { NoCopy: true };
  const prop = propagationOf(mode);
  if (prop) spec.BindOptions = { Propagation: prop };
  let mp: MountPoint;
  try {
    mp = parseMountSpec(spec, false);
  } catch (err) {
    throw invalidArgument(`${errInvalidSpec(raw)}: ${(err as Error).message}`);
  }
  mp.Mode = mode;
  return mp;
}

/** `--volumes-from container[:ro|rw]` → [container, mode]; propagation and copy modes are refused. */
export function parseVolumesFrom(spec: string): [string, string] {
  if (!spec) throw invalidArgument('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const id = colon < 0 ? spec : spec.slice(0, colon);
  const mode = colon < 0 ? '' : spec.slice(colon + 1);
  if (mode === '') return [id, 'rw'];
  if (!validMountMode(mode) || propagationOf(mode) || mode.split(',').includes('nocopy')) throw invalidArgument(`invalid mode: ${mode}`);
  return [id, mode];
}

/** `--volumes-from …:ro` makes every copied mount read-only. */
export function volumesFromRW(mode: string): boolean {
  return readWrite(mode);
}

/** Docker's tmpfs destination check (ValidateTmpfsMountDestination). */
export function validateTmpfsDestination(dest: string): void {
  if (clean(dest.replaceAll('\\', '/')) === '/') throw invalidArgument("invalid specification: destination can't be '/'");
  if (!dest.startsWith('/')) throw invalidArgument(`invalid mount path: '${dest}' mount path must be absolute`);
}

/** `--mount type=tmpfs` options → mount data (ConvertTmpfsOptions): ro, mode in octal, size with a g/m/k suffix. */
export function tmpfsData(opts: MountSpec['TmpfsOptions'], readOnly: boolean): string {
  const raw: string[] = [];
  if (readOnly) raw.push('ro');
  if (opts?.Mode) raw.push(`mode=${opts.Mode.toString(8)}`);
  if (opts?.SizeBytes) {
    let size = opts.SizeBytes;
    let suffix = '';
    for (const [s, div] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % div === 0) {
        size /= div;
        suffix = s;
        break;
      }
    }
    raw.push(`size=${size}${suffix}`);
  }
  for (const o of opts?.Options ?? []) {
    if (o.length < 1 || o.length > 2) throw new Error('invalid option array length');
    if (o[0] !== 'exec' && o[0] !== 'noexec') throw new Error(`invalid option: ${o[0]}`);
    raw.push(o.length === 1 ? o[0] : `${o[0]}=${o[1]}`);
  }
  return raw.join(',');
}

/** Mount flags and which collide (moby/sys/mount: the flag each sets; propagation modes all collide). */
const FLAG_KEYS: Record<string, string> = {
  ro: 'rdonly', rw: 'rdonly', suid: 'nosuid', nosuid: 'nosuid', dev: 'nodev', nodev: 'nodev', exec: 'noexec', noexec: 'noexec',
  sync: 'sync', async: 'sync', dirsync: 'dirsync', remount: 'remount', mand: 'mand', nomand: 'mand', atime: 'noatime', noatime: 'noatime',
  diratime: 'nodiratime', nodiratime: 'nodiratime', bind: 'bind', rbind: 'rbind', relatime: 'relatime', norelatime: 'relatime',
  strictatime: 'strictatime', nostrictatime: 'strictatime',
  private: 'propagation', rprivate: 'propagation', shared: 'propagation', rshared: 'propagation', slave: 'propagation', rslave: 'propagation',
  unbindable: 'propagation', runbindable: 'propagation',
};
const TMPFS_DATA = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/**
 * The options of a tmpfs mount: Docker's defaults (noexec, nosuid, nodev, rprivate) with the user's data
 * after them, later options winning (moby/sys/mount MergeTmpfsOptions).
 */
export function tmpfsMountOptions(data: string): string[] {
  const options = ['noexec', 'nosuid', 'nodev', DEFAULT_PROPAGATION, ...(data ? data.split(',') : [])];
  const flagSeen = new Set<string>();
  const dataSeen = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const o = options[i]!;
    if (o === 'defaults') continue;
    const key = FLAG_KEYS[o];
    if (key) {
      if (flagSeen.has(key)) continue;
      flagSeen.add(key);
      out.unshift(o);
      continue;
    }
    const eq = o.indexOf('=');
    const name = eq < 0 ? o : o.slice(0, eq);
    // Go's %q of the option split at "=": ["foo"], ["foo" "1"]
    const parts = eq < 0 ? [o] : [name, o.slice(eq + 1)];
    if (eq < 0 || !TMPFS_DATA.has(name)) throw invalidArgument(`invalid tmpfs option [${parts.map((x) => JSON.stringify(x)).join(' ')}]`);
    if (dataSeen.has(name)) continue;
    dataSeen.add(name);
    out.unshift(o);
  }
  return out;
}
