import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, EngineError, invalidArgument, notFound } from '../../errdefs/index.js';
import type { ImageCommitter, ImageService } from '../../image/index.js';
import { applyChanges } from '../../image/import-changes.js';
import type { ImageRunConfig } from '../../oci/index.js';
import { familiarName, normalizeName } from '../../oci/index.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { resolveUser } from '../../runtime/index.js';
import { layerDiffTar } from '../../snapshot/layer-diff.js';
import type { RootfsManager } from '../../snapshot/rootfs-manager.js';
import type { Logger } from '../../util/index.js';
import type { ContainerConfig } from '../../api/types/container.js';
import type { ContainerRecord } from '../container-record.js';
import type { ContainerService } from '../container-service.js';
import type { MountPoint } from '../mounts/index.js';
import { tarOfSpot } from './archive-reader.js';
import { type Change, containerChanges, isRuntimePlaceholder } from './changes.js';
import { extractInRoot } from './extract.js';
import { goFileMode, type PathStat } from './path-stat.js';
import { isNotFound, RootedFs, type Spot } from './rooted-fs.js';

export interface FilesServiceDeps {
  containers: ContainerService;
  rootfs: RootfsManager;
  images: ImageService & ImageCommitter;
  runtime: Pick<ContainerRuntime, 'pause' | 'resume'>;
  logger: Logger;
}

export interface CommitRequest {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** pause a running container while its changes are read (Docker's default: true) */
  pause: boolean;
  changes: string[];
  /** config overrides from the request body, merged over the container's config as Docker does */
  config?: ContainerConfig;
}

/**
 * A container's files from outside: cp (the archive API: stat, get, put), export, diff and commit.
 * Works on running, created and stopped containers: the rootfs is mounted for the operation when the
 * container is not running, and unmounted after. Every operation runs under the container's lifecycle
 * lock (ContainerService.withContainer), so the container cannot start, be removed or have its exit
 * handled (and its rootfs unmounted) meanwhile; streamed answers hold the lock until they are sent.
 * Paths inside the container are resolved by rooted-fs.ts, never as host paths.
 */
export class ContainerFilesService {
  constructor(private readonly d: FilesServiceDeps) {}

  /**
   * `cpPath`: a path cp works on. Inside one of the container's mounts, a running container's live root is
   * used (liveRoot); a container that is not running has no mounts, so the path is looked up in the
   * volume's or bind's source directory instead (mountedSource). `fn` gets the path to use in `rfs`.
   */
  private async withRoot<T>(idOrName: string, fn: (rec: ContainerRecord, rfs: RootedFs, root: string, inRfs: string) => Promise<T>, cpPath?: string): Promise<T> {
    return this.d.containers.withContainer(idOrName, async (rec) => {
      if (rec.state.Status === 'removing') throw conflict(`container ${rec.id} is marked for removal`);
      const root = await this.d.rootfs.mount(rec.id);
      try {
        let view = (cpPath !== undefined && (await liveRoot(rec, root, cpPath))) || root;
        let inRfs = cpPath ?? '/';
        const viaSource = view === root && cpPath !== undefined ? await mountedSource(rec, cpPath) : undefined;
        if (viaSource) [view, inRfs] = [viaSource.source, viaSource.rest];
        const rfs = await RootedFs.open(view);
        try {
          return await fn(rec, rfs, root, inRfs);
        } finally {
          await rfs.close();
        }
      } finally {
        // We hold the lifecycle lock, so Running cannot have changed meanwhile.
        if (!rec.state.Running) await this.d.rootfs.unmount(rec.id).catch((err) => this.d.logger.warn('unmount after file operation failed', { id: rec.id, error: err }));
      }
    });
  }

  /** Docker's ResolvePath + StatPath: parents followed, the last element only with a trailing "/" or "/.". */
  private async statSpot(rfs: RootedFs, idOrName: string, p: string, inRfs = p): Promise<{ spot: Spot; stat: PathStat }> {
    const abs = absPath(inRfs);
    let spot: Spot;
    try {
      spot = await rfs.resolve(abs, { followLast: followsLast(abs) });
    } catch (err) {
      if (isNotFound(err)) throw fileNotFound(p, idOrName);
      throw err;
    }
    if (!spot.stat) {
      await rfs.release(spot);
      throw fileNotFound(p, idOrName);
    }
    let linkTarget = '';
    if (spot.stat.isSymbolicLink()) {
      const t = await rfs.resolve(abs, { followLast: true }).catch(() => undefined);
      linkTarget = t?.path ?? '';
      await rfs.release(t);
    }
    const st = spot.stat;
    return { spot, stat: { name: baseName(absPath(p)), size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget } };
  }

  /** HEAD /containers/{id}/archive */
  statPath(idOrName: string, p: string): Promise<PathStat> {
    return this.withRoot(idOrName, async (_rec, rfs, _root, inRfs) => {
      const { spot, stat } = await this.statSpot(rfs, idOrName, p, inRfs);
      await rfs.release(spot);
      return stat;
    }, p);
  }

  /**
   * GET /containers/{id}/archive: the tar of a path, its entries named after the last element asked for
   * ("." for `dir/.`, so the directory's contents come without it). `send` streams it out; the rootfs
   * stays mounted and locked until it has finished.
   */
  archive(idOrName: string, p: string, send: (stat: PathStat, tar: Readable) => Promise<void>): Promise<void> {
    return this.withRoot(idOrName, async (rec, rfs, _root, inRfs) => {
      const { spot, stat } = await this.statSpot(rfs, idOrName, p, inRfs);
      try {
        const rootName = stat.name === '/' ? '.' : stat.name;
        await send(stat, tarOfSpot(rfs, spot, { rootName }));
      } finally {
        await rfs.release(spot);
      }
      this.d.containers.publishEvent(rec, 'archive-path');
    }, p);
  }

  /** PUT /containers/{id}/archive: extracts a tar into an existing directory (symlinks to one followed). */
  extract(idOrName: string, p: string, body: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
    return this.withRoot(idOrName, async (rec, rfs, root, inRfs) => {
      const abs = absPath(p);
      let spot: Spot;
      try {
        spot = await rfs.resolve(absPath(inRfs), { followLast: true });
      } catch (err) {
        if (isNotFound(err)) throw fileNotFound(p, idOrName);
        throw err;
      }
      try {
        if (!spot.stat) throw fileNotFound(p, idOrName);
        if (!spot.stat.isDirectory()) throw invalidArgument('extraction point is not a directory');
        // Docker lets cp write into a volume of a container with a read-only root
        if (rec.hostConfig.ReadonlyRootfs && !inMount(rec, abs)) throw invalidArgument('container rootfs is marked read-only');
        if (mountAt(rec, abs)?.RW === false) throw invalidArgument('mounted volume is marked read-only');
      } finally {
        await rfs.release(spot);
      }
      // Docker: with copyUIDGID everything belongs to the container's user (looked up in the container's
      // own /etc/passwd here; moby looks it up on the host, moby#34142); otherwise the tar's owners stay.
      const owner = opts.copyUIDGID && rec.config.User ? await resolveUser(root, rec.config.User) : undefined;
      await extractInRoot(rfs, body, { dest: spot.path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, owner: owner && { uid: owner.uid, gid: owner.gid } });
      this.d.containers.publishEvent(rec, 'extract-to-dir');
    }, p);
  }

  /** GET /containers/{id}/export: the merged filesystem as a tar. */
  export(idOrName: string, send: (tar: Readable) => Promise<void>): Promise<void> {
    return this.withRoot(idOrName, async (rec, rfs) => {
      const spot = await rfs.resolve('/');
      await send(tarOfSpot(rfs, spot, {}));
      this.d.containers.publishEvent(rec, 'export');
    });
  }

  /** GET /containers/{id}/changes */
  changes(idOrName: string): Promise<Change[]> {
    return this.d.containers.withContainer(idOrName, async (rec) => {
      const lowerDirs = await this.d.images.layerDirs(rec.image).catch(() => [] as string[]);
      return containerChanges(this.d.rootfs.upperDir(rec.id), lowerDirs);
    });
  }

  /** POST /commit: the container's upper dir becomes a layer on its image. */
  commit(q: CommitRequest): Promise<{ Id: string }> {
    const reference = q.repo ? (q.tag ? `${q.repo}:${q.tag}` : q.repo) : undefined;
    // --change instructions go onto the request's config first, then the container's config fills the
    // gaps (moby's BuildFromConfig, then merge()).
    const config = applyChanges(toRunConfig(q.config ?? {}), q.changes);
    return this.d.containers.withContainer(q.container, async (rec) => {
      if (rec.state.Dead) throw conflict(`You cannot commit container ${rec.id} which is Dead`);
      if (rec.state.Status === 'removing') throw conflict(`You cannot commit container ${rec.id} which is being removed`);
      const pause = q.pause && rec.state.Running && !rec.state.Paused;
      if (pause) {
        await this.d.runtime.pause(rec.id);
        this.d.containers.publishEvent(rec, 'pause');
      }
      const upper = this.d.rootfs.upperDir(rec.id);
      const lowerDirs = await this.d.images.layerDirs(rec.image).catch(() => [] as string[]);
      let image;
      try {
        image = await this.d.images.commit({
          parent: rec.image,
          diff: layerDiffTar(upper, { skip: (rel, st) => isRuntimePlaceholder(upper, lowerDirs, rel, st) }),
          config: mergeRunConfig(config, rec.config),
          reference,
          comment: q.comment,
          author: q.author,
          containerId: rec.id,
          createdBy: (rec.config.Cmd ?? []).join(' '),
        });
      } finally {
        if (pause) {
          await this.d.runtime.resume(rec.id);
          this.d.containers.publishEvent(rec, 'unpause');
        }
      }
      this.d.containers.publishEvent(rec, 'commit', {
        comment: q.comment ?? '',
        imageID: image.id,
        imageRef: reference ? safeFamiliar(reference) : '',
      });
      return { Id: image.id };
    });
  }
}

/** Docker's absPath: the path made absolute, its trailing "/" or "/." kept. */
export function absPath(p: string): string {
  const clean = path.posix.normalize('/' + p);
  if ((p.endsWith('/.') || p === '.') && clean !== '/') return clean.replace(/\/?$/, '/.');
  if (p.endsWith('/') && !clean.endsWith('/')) return clean + '/';
  return clean;
}

function followsLast(abs: string): boolean {
  return abs.endsWith('/') || abs.endsWith('/.');
}

/** Whether a container path lies in one of the container's mounts (volumes, binds, tmpfs). */
function inMount(rec: ContainerRecord, p: string): boolean {
  const abs = path.posix.normalize(absPath(p));
  const dests = [...(rec.mountPoints ?? []).map((m) => m.Destination), ...Object.keys(rec.hostConfig.Tmpfs ?? {})];
  return dests.some((d) => abs === d || abs.startsWith(d.endsWith('/') ? d : `${d}/`));
}

/** The volume or bind mount (not tmpfs) a container path lies in: the innermost one. */
function mountAt(rec: ContainerRecord, p: string): MountPoint | undefined {
  const abs = path.posix.normalize(absPath(p));
  let best: MountPoint | undefined;
  for (const m of rec.mountPoints ?? []) {
    if (m.Type === 'tmpfs') continue;
    const d = m.Destination;
    if ((abs === d || abs.startsWith(d.endsWith('/') ? d : `${d}/`)) && (!best || d.length > best.Destination.length)) best = m;
  }
  return best;
}

/**
 * For cp of a path inside a volume or bind of a container that is not running (nothing is mounted then):
 * the mount's source directory and the path in it, the trailing "/" or "/." kept (for a bound file: its
 * host directory and its name). Undefined when the path is in no such mount, or its source is missing.
 */
async function mountedSource(rec: ContainerRecord, p: string): Promise<{ source: string; rest: string } | undefined> {
  const m = mountAt(rec, p);
  if (!m?.Source) return undefined;
  const st = await fs.stat(m.Source).catch(() => undefined);
  const abs = absPath(p);
  // a bound file (`-v /host/f:/etc/f`): the file itself, in its host directory
  if (st?.isFile() && path.posix.normalize(abs) === m.Destination) return { source: path.dirname(m.Source), rest: `/${path.basename(m.Source)}` };
  if (!st?.isDirectory()) return undefined;
  const rest = m.Destination === '/' ? abs : abs.slice(m.Destination.length);
  return { source: m.Source, rest: rest.startsWith('/') ? rest : `/${rest}` };
}

/**
 * For cp of a path inside a running container's mounts: the container's root as its processes see it,
 * /proc/<pid>/root, so that cp reaches into the mount as Docker's does; undefined otherwise (export, diff
 * and every other path keep the host-side root filesystem). Only when that root is the container's own
 * root filesystem (same device and inode: the pid was not reused).
 */
async function liveRoot(rec: ContainerRecord, root: string, cpPath: string): Promise<string | undefined> {
  if (!rec.state.Running || rec.state.Restarting || rec.state.Pid <= 0) return undefined;
  if (!inMount(rec, cpPath)) return undefined;
  const live = `/proc/${rec.state.Pid}/root`;
  const [a, b] = await Promise.all([fs.stat(live).catch(() => undefined), fs.stat(root).catch(() => undefined)]);
  return a && b && a.dev === b.dev && a.ino === b.ino ? live : undefined;
}

/** Go's filepath.Base: trailing slashes dropped, "/" for the root. */
function baseName(abs: string): string {
  const trimmed = abs.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function fileNotFound(p: string, container: string): EngineError {
  return notFound(`Could not find the file ${p} in container ${container}`);
}

function safeFamiliar(ref: string): string {
  try {
    return familiarName(normalizeName(ref));
  } catch {
    return ref;
  }
}

function toRunConfig(c: ContainerConfig): ImageRunConfig {
  const list = (v: string[] | string | null | undefined) => (typeof v === 'string' ? [v] : v);
  const out: ImageRunConfig = {};
  if (c.User) out.User = c.User;
  if (c.ExposedPorts) out.ExposedPorts = c.ExposedPorts;
  if (c.Env) out.Env = c.Env;
  if (c.Entrypoint !== undefined) out.Entrypoint = list(c.Entrypoint);
  if (c.Cmd !== undefined) out.Cmd = list(c.Cmd);
  if (c.Volumes) out.Volumes = c.Volumes;
  if (c.WorkingDir) out.WorkingDir = c.WorkingDir;
  if (c.Labels) out.Labels = c.Labels;
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.OnBuild) out.OnBuild = c.OnBuild;
  if (c.Shell) out.Shell = c.Shell;
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck as ImageRunConfig['Healthcheck'];
  if (c.ArgsEscaped) out.ArgsEscaped = c.ArgsEscaped;
  return out;
}

/** moby's daemon/commit.go merge(): the user's config, its gaps filled from the container's. */
export function mergeRunConfig(user: ImageRunConfig, containerConfig: ContainerConfig | undefined): ImageRunConfig {
  if (!containerConfig) return user;
  const base = toRunConfig(containerConfig);
  const out: ImageRunConfig = { ...user };
  if (!out.User && base.User) out.User = base.User;
  if (!out.ExposedPorts || Object.keys(out.ExposedPorts).length === 0) {
    if (base.ExposedPorts) out.ExposedPorts = base.ExposedPorts;
  } else out.ExposedPorts = { ...base.ExposedPorts, ...out.ExposedPorts };
  if (!out.Env || out.Env.length === 0) {
    if (base.Env) out.Env = base.Env;
  } else {
    const keys = new Set(out.Env.map((e) => e.split('=')[0]));
    out.Env = [...out.Env, ...(base.Env ?? []).filter((e) => !keys.has(e.split('=')[0]))];
  }
  out.Labels = { ...(base.Labels ?? {}), ...(out.Labels ?? {}) };
  if (!out.Entrypoint || out.Entrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = base.Cmd ?? null;
    if (out.Entrypoint === undefined || out.Entrypoint === null) out.Entrypoint = base.Entrypoint ?? null;
  }
  if (!out.Healthcheck && base.Healthcheck) out.Healthcheck = base.Healthcheck;
  if (!out.WorkingDir && base.WorkingDir) out.WorkingDir = base.WorkingDir;
  if (!out.Volumes || Object.keys(out.Volumes).length === 0) {
    if (base.Volumes) out.Volumes = base.Volumes;
  } else out.Volumes = { ...out.Volumes, ...base.Volumes };
  if (!out.StopSignal && base.StopSignal) out.StopSignal = base.StopSignal;
  if (!out.OnBuild && base.OnBuild) out.OnBuild = base.OnBuild;
  if (!out.Shell && base.Shell) out.Shell = base.Shell;
  return out;
}
