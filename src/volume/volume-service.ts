import { randomBytes } from 'node:crypto';
import { conflict, EngineError, invalidArgument, notFound } from '../errdefs/index.js';
import type { EventPublisher } from '../events/index.js';
import { KeyedLock, matchLabels, validateFilterKeys, type Filters, type Logger } from '../util/index.js';
import { validateLocalOptions, type LocalVolumeStore } from './local-store.js';
import { ANONYMOUS_LABEL, DEFAULT_DRIVER, isAnonymous, needsMount, type Volume, type VolumeRecord } from './volume.js';

export interface CreateVolumeOptions {
  /** empty or missing: an anonymous volume with a random name */
  name?: string;
  driver?: string;
  options?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  /** a container that references the volume from now on (taken under the same lock: no prune in between) */
  ref?: string;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * The volumes of this daemon: names, references, active mounts, Docker's errors and filters. Vocabulary and
 * lifecycle in volume.ts. Operations on one volume are serialised by name.
 */
export class VolumeService {
  private readonly byName = new Map<string, VolumeRecord>();
  private readonly refs = new Map<string, Set<string>>();
  private readonly active = new Map<string, Set<string>>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: LocalVolumeStore,
    private readonly events: EventPublisher,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    for (const rec of await this.store.load()) this.byName.set(rec.name, rec);
  }

  mountpoint(name: string): string {
    return this.store.mountpoint(name);
  }

  private view(rec: VolumeRecord): Volume {
    return { ...rec, mountpoint: this.store.mountpoint(rec.name) };
  }

  // ---------------------------------------------------------------- create, get, list

  /** Creates a volume, or returns the existing one of that name (Docker does not fail on a second create). */
  async create(opts: CreateVolumeOptions): Promise<Volume> {
    const anonymous = !opts.name;
    const name = opts.name || randomBytes(32).toString('hex');
    // moby wraps every create failure as OpErr{Op: "create", Name}
    const fail = (err: EngineError) => new EngineError(err.kind, `create ${name}: ${err.message}`);
    if (name.length === 1) throw fail(invalidArgument('volume name is too short, names should be at least two alphanumeric characters'));
    if (!NAME_RE.test(name)) {
      throw fail(invalidArgument(`"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`));
    }
    const driver = opts.driver || DEFAULT_DRIVER;
    if (driver !== DEFAULT_DRIVER) throw fail(notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`));
    return this.lock.run(name, async () => {
      const existing = this.byName.get(name);
      if (existing) {
        if (opts.ref) this.addRef(name, opts.ref);
        return this.view(existing);
      }
      const options = opts.options && Object.keys(opts.options).length ? { ...opts.options } : opts.options ? {} : null;
      try {
        validateLocalOptions(options);
      } catch (err) {
        throw err instanceof EngineError ? fail(err) : err;
      }
      const labels = anonymous ? { ...(opts.labels ?? {}), [ANONYMOUS_LABEL]: '' } : opts.labels ? { ...opts.labels } : null;
      const rec: VolumeRecord = { name, driver: DEFAULT_DRIVER, labels, options, createdAt: rfc3339(new Date()) };
      await this.store.create(rec);
      this.byName.set(name, rec);
      if (opts.ref) this.addRef(name, opts.ref);
      this.events.publish('volume', 'create', name, { driver: rec.driver });
      return this.view(rec);
    });
  }

  /** NotFound with Docker's wording: `get <name>: no such volume`. */
  get(name: string): Volume {
    const rec = this.byName.get(name);
    if (!rec) throw notFound(`get ${name}: no such volume`);
    return this.view(rec);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** GET /volumes: filters dangling, name, label, driver (moby volume/service/convert.go). */
  list(filters: Filters): Volume[] {
    validateFilterKeys(filters, ['dangling', 'name', 'label', 'driver']);
    const dangling = danglingFilter(filters);
    const names = filters.get('name') ?? [];
    const drivers = filters.get('driver') ?? [];
    const labels = filters.get('label');
    return [...this.byName.values()]
      .filter((v) => dangling === undefined || this.isReferenced(v.name) !== dangling)
      .filter((v) => names.length === 0 || names.some((n) => nameMatches(n, v.name)))
      .filter((v) => drivers.length === 0 || drivers.includes(v.driver))
      .filter((v) => matchLabels(v.labels ?? {}, labels))
      .map((v) => this.view(v));
  }

  /** Volumes with their size and reference count, for GET /system/df. */
  async usage(): Promise<Array<Volume & { size: number; refCount: number }>> {
    const out: Array<Volume & { size: number; refCount: number }> = [];
    for (const rec of this.byName.values()) {
      out.push({ ...this.view(rec), size: await this.store.size(rec.name).catch(() => -1), refCount: this.refs.get(rec.name)?.size ?? 0 });
    }
    return out;
  }

  // ---------------------------------------------------------------- remove, prune

  /**
   * DELETE /volumes/{name}. A referenced volume is refused (409), also with force: in moby, force only
   * turns "no such volume" into success.
   */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.lock.run(name, async () => {
      const rec = this.byName.get(name);
      if (!rec) {
        if (opts.force) return;
        throw notFound(`get ${name}: no such volume`);
      }
      const refs = this.refs.get(name);
      if (refs && refs.size > 0) throw conflict(`remove ${name}: volume is in use - [${[...refs].join(', ')}]`);
      await this.store.remove(rec);
      this.byName.delete(name);
      this.refs.delete(name);
      this.active.delete(name);
      this.events.publish('volume', 'destroy', name, { driver: rec.driver });
    });
  }

  /**
   * POST /volumes/prune: unreferenced anonymous volumes, or all unreferenced ones with all=true (the router
   * adds all=true for API < 1.42, as Docker). Filters: label, label!, all.
   */
  async prune(filters: Filters): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    validateFilterKeys(filters, ['label', 'label!', 'all']);
    const allValues = filters.get('all') ?? [];
    if (allValues.length > 1) throw invalidArgument(`invalid filter 'all=[${allValues.join(' ')}]'`);
    const allRaw = allValues[0];
    let all = false;
    if (allRaw !== undefined) {
      if (/^(true|1)$/i.test(allRaw)) all = true;
      else if (!/^(false|0)$/i.test(allRaw)) throw invalidArgument(`invalid filter 'all=${allRaw}'`);
    }
    const withLabels = filters.get('label');
    const withoutLabels = filters.get('label!') ?? [];
    let deleted: string[] | null = null;
    let space = 0;
    for (const rec of [...this.byName.values()]) {
      if (this.isReferenced(rec.name)) continue;
      if (!all && !isAnonymous(rec)) continue;
      if (!matchLabels(rec.labels ?? {}, withLabels)) continue;
      if (withoutLabels.length && withoutLabels.some((l) => matchLabels(rec.labels ?? {}, [l]))) continue;
      const size = await this.store.size(rec.name).catch(() => 0);
      try {
        await this.remove(rec.name);
      } catch (err) {
        this.logger.warn('prune: cannot remove volume', { name: rec.name, error: err });
        continue;
      }
      (deleted ??= []).push(rec.name);
      space += size;
    }
    this.events.publish('volume', 'prune', '', { reclaimed: String(space) });
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  // ---------------------------------------------------------------- references

  /** A container names the volume in its mount points (at create, and again for every record at start). */
  async reference(name: string, containerId: string): Promise<Volume> {
    return this.lock.run(name, async () => {
      const rec = this.byName.get(name);
      if (!rec) throw notFound(`get ${name}: no such volume`);
      this.addRef(name, containerId);
      return this.view(rec);
    });
  }

  /** Re-registers a reference from a container record at start, when the volume may be gone (logged, not fatal). */
  restoreReference(name: string, containerId: string): void {
    if (this.byName.has(name)) this.addRef(name, containerId);
    else this.logger.warn('container references a volume that does not exist', { name, container: containerId });
  }

  async release(name: string, containerId: string): Promise<void> {
    await this.lock.run(name, async () => {
      this.refs.get(name)?.delete(containerId);
    });
  }

  isReferenced(name: string): boolean {
    return (this.refs.get(name)?.size ?? 0) > 0;
  }

  private addRef(name: string, ref: string): void {
    let set = this.refs.get(name);
    if (!set) this.refs.set(name, (set = new Set()));
    set.add(ref);
  }

  // ---------------------------------------------------------------- mounts

  /**
   * A starting container mounts the volume: its device is mounted when it is the first (local driver
   * options), and the host path to bind into the container is returned.
   */
  async mount(name: string, containerId: string): Promise<string> {
    return this.lock.run(name, async () => {
      const rec = this.byName.get(name);
      if (!rec) throw notFound(`get ${name}: no such volume`);
      let set = this.active.get(name);
      if (!set) this.active.set(name, (set = new Set()));
      if (needsMount(rec) && (set.size === 0 || !(await this.store.isMounted(rec)))) await this.store.mount(rec);
      set.add(containerId);
      return this.store.mountpoint(name);
    });
  }

  /** The container stopped: the last one out unmounts the volume's device. Idempotent: false when it had no mount. */
  async unmount(name: string, containerId: string): Promise<boolean> {
    return this.lock.run(name, async () => {
      const set = this.active.get(name);
      if (!set?.delete(containerId)) return false;
      const rec = this.byName.get(name);
      if (rec && needsMount(rec) && set.size === 0) {
        await this.store.unmount(rec).catch((err) => this.logger.warn('cannot unmount volume', { name, error: err }));
      }
      return true;
    });
  }

  /** A running container re-adopted at daemon start still has the volume mounted. */
  restoreMount(name: string, containerId: string): void {
    let set = this.active.get(name);
    if (!set) this.active.set(name, (set = new Set()));
    set.add(containerId);
  }

  /** After recovery: device mounts no running container uses any more (their containers exited while berthd was away). */
  async unmountIdle(): Promise<void> {
    for (const rec of this.byName.values()) {
      if (!needsMount(rec) || (this.active.get(rec.name)?.size ?? 0) > 0) continue;
      await this.lock.run(rec.name, async () => {
        if ((this.active.get(rec.name)?.size ?? 0) === 0 && (await this.store.isMounted(rec))) await this.store.unmount(rec);
      }).catch((err) => this.logger.warn('cannot unmount idle volume', { name: rec.name, error: err }));
    }
  }

  /**
   * Docker's copy-up: runs fill(path) on an empty volume that no running container has mounted (so no
   * container process can race the copy), with the volume's device mounted for the time it runs.
   * Returns false when it did not run.
   */
  async populate(name: string, fill: (dataDir: string) => Promise<void>): Promise<boolean> {
    return this.lock.run(name, async () => {
      const rec = this.byName.get(name);
      if (!rec || (this.active.get(name)?.size ?? 0) > 0) return false;
      const mounted = needsMount(rec);
      if (mounted) await this.store.mount(rec);
      try {
        if (!(await this.store.isEmpty(name))) return false;
        await fill(this.store.mountpoint(name));
        return true;
      } finally {
        if (mounted) await this.store.unmount(rec).catch((err) => this.logger.warn('cannot unmount volume after copy-up', { name, error: err }));
      }
    });
  }
}

/** moby: dangling=true|1 → unreferenced, false|0 → referenced, anything else is an invalid filter. */
function danglingFilter(filters: Filters): boolean | undefined {
  const values = filters.get('dangling');
  if (!values || values.length === 0) return undefined;
  if (values.some((v) => v === 'true' || v === '1')) return true;
  if (values.some((v) => v === 'false' || v === '0')) return false;
  throw invalidArgument(`invalid filter 'dangling=[${values.join(' ')}]'`);
}

/** Docker's filters.Match: the value is a regular expression matched anywhere in the name. */
function nameMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return name.includes(pattern);
  }
}

/** Go's time.RFC3339 in local time: 2024-05-01T10:00:00+02:00, or …Z in UTC. */
export function rfc3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000);
  const base = local.toISOString().slice(0, 19);
  return off === 0 ? `${base}Z` : `${base}${off > 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}
