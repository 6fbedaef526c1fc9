import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EngineError, invalidArgument, isKind } from '../../errdefs/index.js';
import type { EventPublisher } from '../../events/index.js';
import type { ContainerConfig, HostConfig } from '../../api/types/container.js';
import type { RuntimeSpecMount } from '../../runtime/container-runtime.js';
import { resolveInRoot, runCommand, type Logger } from '../../util/index.js';
import type { VolumeService } from '../../volume/index.js';
import type { MountPoint } from './mount-point.js';
import { DEFAULT_PROPAGATION, parseBind, parseMountSpec, parseVolumesFrom, tmpfsMountOptions, validateTmpfsDestination, volumesFromRW } from './mount-parser.js';

/** What mounts need of another container (--volumes-from). */
export interface MountSourceContainer {
  id: string;
  mountPoints?: MountPoint[];
}

/** The part of a container record the mounts work on. */
export interface MountedContainer {
  id: string;
  mountPoints?: MountPoint[];
  hostConfig: Pick<HostConfig, 'Tmpfs'>;
}

/**
 * A container's mounts over its life, as moby's daemon/volumes*.go: `plan` checks and resolves every mount
 * source at create without side effects; `register` then creates or references the volumes, `copyUp` fills
 * empty volumes from the image; `setup` makes the runtime-spec mounts at each start (bind sources created,
 * volume devices mounted) and `teardown` undoes the device mounts at exit; `release` drops the references at
 * removal (and removes anonymous volumes for `rm -v` and `--rm`); `restore` rebuilds references and active
 * mounts when berthd starts.
 */
export class ContainerMounts {
  constructor(
    private readonly volumes: VolumeService,
    private readonly events: EventPublisher,
    private readonly logger: Logger,
  ) {}

  /**
   * The container's mount points, in Docker's order of precedence: --volumes-from, then Binds, then Mounts,
   * then the image's and request's Volumes for destinations nothing else covers (anonymous volumes, Name "").
   * Throws Docker's InvalidArgument/NotFound errors before anything is created.
   */
  plan(hc: HostConfig, configVolumes: ContainerConfig['Volumes'], findContainer: (ref: string) => MountSourceContainer): MountPoint[] {
    const byDest = new Map<string, MountPoint>();
    const dup = (dest: string) => invalidArgument(`Duplicate mount point: ${dest}`);
    const tmpfs = Object.keys(hc.Tmpfs ?? {});
    const tmpfsDests = new Set<string>();
    for (const t of tmpfs) {
      validateTmpfsDestination(t);
      tmpfsMountOptions(hc.Tmpfs![t] ?? '');
      tmpfsDests.add(path.posix.normalize(t).replace(/(.)\/+$/, '$1'));
    }

    for (const spec of hc.VolumesFrom ?? []) {
      const [ref, mode] = parseVolumesFrom(spec);
      const from = findContainer(ref);
      for (const m of from.mountPoints ?? []) {
        byDest.set(m.Destination, { ...m, RW: m.RW && volumesFromRW(mode), CopyData: false });
      }
    }

    const fromBinds = new Set<string>();
    for (const raw of hc.Binds ?? []) {
      const mp = parseBind(raw);
      if (fromBinds.has(mp.Destination) || tmpfsDests.has(mp.Destination)) throw dup(mp.Destination);
      fromBinds.add(mp.Destination);
      // Docker shows "z" as the mode of a local volume given without one
      if (mp.Type === 'volume' && mp.Mode === '') mp.Mode = 'z';
      byDest.set(mp.Destination, mp);
    }

    const fromMounts = new Set<string>();
    for (const spec of hc.Mounts ?? []) {
      const mp = parseMountSpec(spec, true);
      if (fromBinds.has(mp.Destination) || fromMounts.has(mp.Destination) || tmpfsDests.has(mp.Destination)) throw dup(mp.Destination);
      fromMounts.add(mp.Destination);
      if (mp.Type === 'bind' && !spec.BindOptions?.CreateMountpoint) mp.SkipMountpointCreation = true;
      if (mp.Type === 'volume') {
        if (mp.Driver !== 'local') throw new EngineError('NotFound', `create ${mp.Name}: error looking up volume plugin ${mp.Driver}: plugin "${mp.Driver}" not found`);
        mp.Mode = 'z';
      }
      byDest.set(mp.Destination, mp);
    }

    for (const spec of Object.keys(configVolumes ?? {})) {
      if (!spec.startsWith('/')) {
        throw invalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${spec}' mount path must be absolute`);
      }
      const dest = path.posix.normalize(spec).replace(/(.)\/+$/, '$1');
      if (dest === '/') throw invalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid specification: destination can't be '/'`);
      if (byDest.has(dest) || tmpfsDests.has(dest)) continue;
      byDest.set(dest, { Type: 'volume', Source: '', Destination: dest, RW: true, Name: '', Driver: 'local', Mode: '', Propagation: '', CopyData: true, Named: false });
    }
    return [...byDest.values()];
  }

  /** Creates (or finds) every volume of the plan with the container's reference; on failure releases what it took. */
  async register(containerId: string, plan: MountPoint[]): Promise<MountPoint[]> {
    const done: MountPoint[] = [];
    try {
      for (const mp of plan) {
        if (mp.Type !== 'volume') {
          done.push(mp);
          continue;
        }
        // an existing volume is returned as it is, with the reference added under its lock
        const v = await this.volumes.create({ name: mp.Name || undefined, ref: containerId, labels: mp.VolumeLabels ?? null, options: mp.VolumeDriverOpts ?? null });
        const registered: MountPoint = { ...mp, Name: v.name, Source: v.mountpoint, Driver: v.driver };
        delete registered.VolumeLabels;
        delete registered.VolumeDriverOpts;
        done.push(registered);
      }
    } catch (err) {
      await this.release(containerId, done, true);
      throw err;
    }
    return done;
  }

  /**
   * Docker's copy-up: the image's content at each volume's destination goes into the volume if the volume
   * is empty (not for nocopy, --volumes-from or binds). `root` is the container's mounted root filesystem,
   * which no process is running in yet.
   */
  async copyUp(root: string, mps: MountPoint[]): Promise<void> {
    for (const mp of mps) {
      if (mp.Type !== 'volume' || !mp.CopyData || !mp.Name) continue;
      const src = await resolveInRoot(root, mp.Destination);
      const st = await fs.stat(src).catch(() => undefined);
      // an empty directory too: its mode and owner become the volume's (Docker copies the directory itself)
      if (!st?.isDirectory()) continue;
      await this.volumes.populate(mp.Name, async (data) => {
        // cp -a never follows the symlinks it copies; the root has no running process that could swap them
        await runCommand('cp', ['-a', '--', `${src}/.`, `${data}/`]);
      });
    }
  }

  needsCopyUp(mps: MountPoint[]): boolean {
    return mps.some((m) => m.Type === 'volume' && m.CopyData && m.Name);
  }

  /**
   * The runtime-spec mounts for a start, parents before children (Docker sorts by depth): `-v` bind sources
   * that are missing are created, volume devices mounted, tmpfs options merged with Docker's defaults.
   */
  async setup(c: MountedContainer): Promise<RuntimeSpecMount[]> {
    const out: Array<RuntimeSpecMount & { depth: number }> = [];
    const depth = (d: string) => d.split('/').length;
    try {
      for (const mp of c.mountPoints ?? []) {
        if (mp.Type === 'tmpfs') {
          out.push({ destination: mp.Destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(mp.Data ?? ''), depth: depth(mp.Destination) });
          continue;
        }
        let source = mp.Source;
        if (mp.Type === 'bind') {
          if (mp.SkipMountpointCreation) {
            if (!(await exists(source))) throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
          } else {
            await fs.mkdir(source, { recursive: true, mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
              if (err.code !== 'EEXIST' && err.code !== 'ENOTDIR') throw invalidArgument(`error while creating mount source path '${source}': ${err.message}`);
            });
          }
        } else {
          source = await this.volumes.mount(mp.Name, c.id);
          this.events.publish('volume', 'mount', mp.Name, {
            container: c.id,
            destination: mp.Destination,
            driver: mp.Driver,
            propagation: mp.Propagation,
            'read/write': String(mp.RW),
          });
        }
        const options = [mp.NonRecursive ? 'bind' : 'rbind'];
        if (!mp.RW) options.push('ro');
        options.push(mp.Propagation || DEFAULT_PROPAGATION);
        out.push({ destination: mp.Destination, type: 'bind', source, options, depth: depth(mp.Destination) });
      }
      for (const [dest, data] of Object.entries(c.hostConfig.Tmpfs ?? {})) {
        const d = path.posix.normalize(dest).replace(/(.)\/+$/, '$1');
        out.push({ destination: d, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(data ?? ''), depth: depth(d) });
      }
    } catch (err) {
      await this.teardown(c);
      throw err;
    }
    // stable sort: equal depths keep their order
    return out.sort((a, b) => a.depth - b.depth).map(({ depth: _d, ...m }) => m);
  }

  /** The container stopped (or failed to start): volume devices are unmounted when it was their last user. */
  async teardown(c: MountedContainer): Promise<void> {
    for (const mp of c.mountPoints ?? []) {
      if (mp.Type !== 'volume' || !mp.Name) continue;
      const was = await this.volumes.unmount(mp.Name, c.id).catch((err) => {
        this.logger.warn('volume unmount failed', { id: c.id, volume: mp.Name, error: err });
        return false;
      });
      if (was) this.events.publish('volume', 'unmount', mp.Name, { container: c.id, driver: mp.Driver });
    }
  }

  /** The container is gone: its references go, and with removeAnonymous (rm -v, --rm) its anonymous volumes. */
  async release(containerId: string, mps: MountPoint[], removeAnonymous: boolean): Promise<void> {
    for (const mp of mps) {
      if (mp.Type !== 'volume' || !mp.Name) continue;
      await this.volumes.release(mp.Name, containerId);
      if (!removeAnonymous || mp.Named) continue;
      // still used by another container (--volumes-from): not an error, as in Docker
      await this.volumes.remove(mp.Name).catch((err) => {
        if (!isKind(err, 'Conflict') && !isKind(err, 'NotFound')) this.logger.warn('cannot remove anonymous volume', { id: containerId, volume: mp.Name, error: err });
      });
    }
  }

  /** At daemon start, from a container record: its references, and its active mounts if it runs. */
  restore(c: MountedContainer, running: boolean): void {
    for (const mp of c.mountPoints ?? []) {
      if (mp.Type !== 'volume' || !mp.Name) continue;
      this.volumes.restoreReference(mp.Name, c.id);
      if (running) this.volumes.restoreMount(mp.Name, c.id);
    }
  }

  /** After every record is restored: unmount volume devices whose containers exited while berthd was away. */
  async afterRestore(): Promise<void> {
    await this.volumes.unmountIdle();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

/** inspect's and the list's Mounts entry (moby types.MountPoint; Name and Driver left out when empty). */
export function mountPointJson(mp: MountPoint): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: mp.Type };
  if (mp.Name) out.Name = mp.Name;
  out.Source = mp.Source;
  out.Destination = mp.Destination;
  if (mp.Driver) out.Driver = mp.Driver;
  out.Mode = mp.Mode;
  out.RW = mp.RW;
  out.Propagation = mp.Propagation;
  return out;
}
