import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { conflict, EngineError, forbidden, invalidArgument, notModified } from '../errdefs/index.js';
import type { EventPublisher } from '../events/index.js';
import type { ImageService } from '../image/image-service.js';
import type { RootfsManager } from '../snapshot/rootfs-manager.js';
import type { AttachConnection, ContainerRuntime, ExecProcess, ExecRuntime } from '../runtime/container-runtime.js';
import type { SpecInput } from '../runtime/spec-input.js';
import { buildRuntimeSpec, exitCodeForStartError, readLogs, resolveUser } from '../runtime/index.js';
import { dirSize, parseTimestamp, mkdirInRoot, newId, type Logger, type Filters } from '../util/index.js';
import type { ContainerCreateRequest, HostConfig } from '../api/types/container.js';
import { familiarName, looksLikeId, normalizeName } from '../oci/index.js';
import { initialState, type ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { mergeConfig, processArgs, validateName } from './container-config.js';
import { hostsFile, resolvConf, type DnsSettings } from './etc-files.js';
import { KeyedLock } from './keyed-lock.js';
import { mountShareableShm, shareableShmDir, unmountShareableShm } from './shareable-shm.js';
import { randomName } from './names-generator.js';
import { parseSignal } from './signals.js';
import { matchesFilters } from './container-filters.js';
import { nextDelay, shouldRestart, startsWithDaemon, validatePolicy } from './restart-policy.js';
import { HealthMonitor } from './health/health-monitor.js';
import type { Health, HealthLogEntry } from './health/health-state.js';

/** Where --init's binary appears inside the container, as with Docker. */
const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';
import { adaptResources, specResources, verifyResources } from './resources.js';
import type { HostResources } from '../cgroups/index.js';
import { portRequests, type EndpointConfig, type NetworkService } from '../network/index.js';
import type { ContainerMounts } from './mounts/container-mounts.js';
import type { MountPoint } from './mounts/mount-point.js';
import type { RuntimeSpecMount } from '../runtime/container-runtime.js';

export interface ContainerServiceConfig {
  /** a static init for --init (tini-static from Debian) */
  initBinary: string;
  dns: DnsSettings;
  /** cgroup parent for containers, cgroupfs style */
  cgroupParent: string;
  runtimeName: string;
  /** what limits the host can give; without it create does not check resource limits against the host */
  hostResources?: HostResources;
  /** bridge networks; without it a container not in host mode gets a namespace with only lo */
  networks?: NetworkService;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogOptions {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  since?: number;
  until?: number;
  tail?: number;
  /** resolves when the client went away */
  cancelled?: Promise<void>;
}

/** Handlers of one attached client. Output arrives until the container exits or detach() is called. */
export interface AttachHandlers {
  onData(stream: 1 | 2, data: Buffer): void;
  onEnd(): void;
}

export interface AttachSession {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  detach(): void;
}

interface PendingAttach {
  handlers: AttachHandlers;
  stdin: Buffer[];
  stdinClosed: boolean;
  conn?: AttachConnection;
  detached: boolean;
  /** made while the container ran: it belongs to that run and ends with it, connected or not */
  forRunning: boolean;
}

/**
 * The container lifecycle: create → start → (stop | kill | exit) → remove, with Docker's semantics and
 * errors. Containers run under conmon (see runtime/), so this service can die and come back: recover()
 * re-adopts running containers and records exits that happened meanwhile.
 */
export class ContainerService {
  private readonly lock = new KeyedLock();
  private readonly exitWaiters = new Map<string, Array<(code: number) => void>>();
  private readonly removeWaiters = new Map<string, Array<() => void>>();
  private readonly attaches = new Map<string, Set<PendingAttach>>();
  private unsubscribeExit?: () => void;
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly restartDelays = new Map<string, number>();
  private readonly health: HealthMonitor;

  constructor(
    private readonly store: ContainerStore,
    private readonly images: ImageService,
    private readonly rootfs: RootfsManager,
    private readonly runtime: ContainerRuntime,
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    private readonly config: ContainerServiceConfig,
    private readonly mounts: ContainerMounts,
  ) {
    this.health = new HealthMonitor({ probe: (id, args, timeoutMs) => this.runProbe(id, args, timeoutMs), update: (id, h, prev) => this.recordHealth(id, h, prev) }, logger);
  }

  // ---------------------------------------------------------------- start-up and recovery

  /** Loads records, re-adopts running containers, records exits that happened while berthd was away. */
  async recover(): Promise<void> {
    const records = await this.store.load();
    this.unsubscribeExit = this.runtime.onExit((id, code) => void this.handleExit(id, code));
    // volume references (and active mounts of what still runs) before anything can remove or prune volumes
    for (const rec of records) this.mounts.restore(rec, false);
    for (const rec of records) {
      if (rec.state.Status === 'removing') {
        await this.removeNow(rec).catch((err) => this.logger.warn('could not finish removal', { id: rec.id, error: err }));
        continue;
      }
      if (!rec.state.Running) {
        // a shareable /dev/shm left mounted by a daemon that died before it saw the exit
        if (rec.hostConfig.IpcMode === 'shareable') unmountShareableShm(this.containerDir(rec.id));
        continue;
      }
      if (rec.state.Restarting) {
        // berthd went away while the container waited for its restart: restart it now
        this.scheduleRestart(rec, 0);
        continue;
      }
      const st = await this.runtime.state(rec.id).catch(() => null);
      if (st && (st.status === 'running' || st.status === 'paused')) {
        rec.state.Pid = st.pid;
        rec.state.Paused = st.status === 'paused';
        rec.state.Status = st.status;
        this.restoreNetworks(rec);
        this.mounts.restore(rec, true);
        const h = this.health.start({ id: rec.id, startedAt: Date.parse(rec.state.StartedAt), healthcheck: rec.config.Healthcheck }, rec.state.Health);
        if (h) rec.state.Health = h;
        await this.store.save(rec);
        this.logger.info('re-adopted running container', { id: rec.id });
      } else {
        const code = (await this.runtime.readExitCode(rec.id)) ?? 255;
        await this.handleExit(rec.id, code);
      }
    }
    await this.config.networks?.restored();
    await this.mounts.afterRestore();
    // Restart policies at daemon start (Docker: always; unless-stopped unless stopped by hand), in the background.
    for (const rec of this.store.all()) {
      if (rec.state.Running || rec.state.StartedAt.startsWith('0001')) continue;
      if (startsWithDaemon(rec.hostConfig.RestartPolicy, rec.hasBeenManuallyStopped)) {
        void this.start(rec.id).catch((err) => this.logger.warn('restart at daemon start failed', { id: rec.id, error: err }));
      }
    }
  }

  close(): void {
    this.unsubscribeExit?.();
    this.health.stopAll();
    for (const t of this.restartTimers.values()) clearTimeout(t);
  }

  // ---------------------------------------------------------------- extension surface
  // For the services beside this one (exec, archive, stats, …): they work on the same records under the
  // same per-container lock, and publish events the same way, without reaching into this class.

  /** Runs fn under the container's lifecycle lock (no start/stop/exit handling meanwhile). */
  async withContainer<T>(idOrName: string, fn: (rec: ContainerRecord) => Promise<T>): Promise<T> {
    const rec = this.store.find(idOrName);
    return this.lock.run(rec.id, () => fn(rec));
  }

  /** Persists a record changed by a caller holding the lock (withContainer). */
  async saveRecord(rec: ContainerRecord): Promise<void> {
    await this.store.save(rec);
  }

  publishEvent(rec: ContainerRecord, action: string, attributes: Record<string, string> = {}): void {
    this.publish(rec, action, attributes);
  }

  /** The container's data directory (records, logs, /etc files). */
  containerDir(id: string): string {
    return this.store.dir(id);
  }

  // ---------------------------------------------------------------- queries

  list(opts: { all: boolean; limit?: number; filters: Filters }): ContainerRecord[] {
    let recs = this.store.all().sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    const all = opts.all || (opts.limit !== undefined && opts.limit > 0) || opts.filters.size > 0;
    if (!all) recs = recs.filter((r) => r.state.Running);
    recs = recs.filter((r) => matchesFilters(r, opts.filters, (ref) => this.store.find(ref), (img) => this.imageIdFor(img)));
    if (opts.limit !== undefined && opts.limit > 0) recs = recs.slice(0, opts.limit);
    return recs;
  }

  get(idOrName: string): ContainerRecord {
    return this.store.find(idOrName);
  }

  /** The first container that uses an image, for rmi's conflict check. */
  containerUsingImage(imageId: string): { id: string; running: boolean } | undefined {
    const recs = this.store.all().filter((r) => r.image === imageId);
    const running = recs.find((r) => r.state.Running);
    const r = running ?? recs[0];
    return r ? { id: r.id, running: r.state.Running } : undefined;
  }

  private imageIdFor(ref: string): string | undefined {
    try {
      // resolve is async in the image service; filters need a sync answer, so use the cache we keep
      return this.imageIdCache.get(ref);
    } catch {
      return undefined;
    }
  }
  private readonly imageIdCache = new Map<string, string>();

  /** Fills the cache `ancestor=` filters use. */
  async prepareAncestorFilter(filters: Filters): Promise<void> {
    for (const ref of filters.get('ancestor') ?? []) {
      const img = await this.images.resolve(ref).catch(() => undefined);
      if (img) this.imageIdCache.set(ref, img.id);
    }
  }

  // ---------------------------------------------------------------- create

  async create(req: ContainerCreateRequest, requestedName?: string): Promise<{ Id: string; Warnings: string[] }> {
    if (!req || typeof req !== 'object') throw invalidArgument('config cannot be empty in order to create a container');
    if (!req.Image) throw invalidArgument('no image specified');
    const image = await this.images.resolve(req.Image).catch((err) => {
      // Docker names the image with its default tag here: "No such image: busybox:latest"
      if (err instanceof EngineError && err.kind === 'NotFound' && !looksLikeId(req.Image!)) {
        try {
          throw new EngineError('NotFound', `No such image: ${familiarName(normalizeName(req.Image!))}`);
        } catch (e) {
          if (e instanceof EngineError && e.kind === 'NotFound') throw e;
        }
      }
      throw err;
    });
    const id = newId();
    const name = requestedName ? validateName(requestedName) : this.uniqueName();
    const hostConfig = { ...(req.HostConfig ?? {}) };
    this.validateHostConfig(hostConfig);
    const networks = this.endpointsAtCreate(hostConfig, req.NetworkingConfig?.EndpointsConfig, req.MacAddress);
    const warnings = this.config.hostResources ? verifyResources(hostConfig, this.config.hostResources) : [];
    adaptResources(hostConfig);
    const config = mergeConfig(req, image.config, req.Image);
    const { path: procPath, args } = processArgs(config);
    const mountPlan = this.mounts.plan(hostConfig, config.Volumes, (ref) => this.store.find(ref));
    if (!config.Hostname) config.Hostname = id.slice(0, 12);
    this.store.reserveName(name, id);
    const dir = this.store.dir(id);
    const rec: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      image: image.id,
      path: procPath,
      args,
      config,
      hostConfig: { NetworkMode: 'bridge', ...hostConfig },
      state: initialState(),
      restartCount: 0,
      hasBeenManuallyStopped: false,
      logPath: path.join(dir, 'ctr.log'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
      hostnamePath: path.join(dir, 'hostname'),
      hostsPath: path.join(dir, 'hosts'),
      runtime: this.config.runtimeName,
      networks,
    };
    let mountPoints: MountPoint[] = [];
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o710 });
      await this.rootfs.create(id, await this.images.layerDirs(image.id));
      mountPoints = await this.mounts.register(id, mountPlan);
      if (mountPoints.length) rec.mountPoints = mountPoints;
      if (this.mounts.needsCopyUp(mountPoints)) {
        // Docker fills empty volumes from the image at create
        const root = await this.rootfs.mount(id);
        try {
          await this.mounts.copyUp(root, mountPoints);
        } finally {
          await this.rootfs.unmount(id).catch(() => undefined);
        }
      }
      await this.store.save(rec);
    } catch (err) {
      this.store.releaseName(name, id);
      await this.mounts.release(id, mountPoints, true).catch(() => undefined);
      await this.rootfs.remove(id).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
    this.publish(rec, 'create');
    return { Id: id, Warnings: warnings };
  }

  private uniqueName(): string {
    for (let i = 0; i < 50; i++) {
      const n = `/${randomName(i > 10 ? 1 : 0)}`;
      if (!this.store.hasName(n)) return n;
    }
    return `/${newId().slice(0, 12)}`;
  }

  private validateHostConfig(hc: ContainerCreateRequest['HostConfig'] & object): void {
    const rp = hc.RestartPolicy;
    const bad = validatePolicy(rp);
    if (bad) throw invalidArgument(bad);
    if (hc.AutoRemove && rp?.Name && rp.Name !== 'no') {
      throw invalidArgument('can\'t create \'AutoRemove\' container with restart policy');
    }
    const mode = hc.NetworkMode ?? 'default';
    // An unknown network is refused at start, not here: the docker CLI answers a 404 from create by
    // pulling the image and trying again, which would hide the network's name behind a pull error.
    if (!['default', 'bridge', 'none', 'host', ''].includes(mode) && !mode.startsWith('container:') && !this.config.networks) {
      throw new EngineError('NotFound', `network ${mode} not found`);
    }
    if (mode.startsWith('container:')) {
      // Docker: a container sharing another's namespace cannot have its own network settings
      if (hc.PortBindings && Object.keys(hc.PortBindings).length) throw invalidArgument('conflicting options: port publishing and the container type network mode');
      if (hc.Dns?.length || hc.ExtraHosts?.length) throw invalidArgument('conflicting options: dns and the network mode');
      this.store.find(mode.slice('container:'.length));
    }
    portRequests(hc.PortBindings, undefined, false);
  }

  /**
   * The networks a new container is attached to, by network name, with what it asks of each (aliases,
   * --ip, --mac-address). Docker's checks: --ip and aliases only on user-defined networks.
   */
  private endpointsAtCreate(hc: HostConfig, asked: Record<string, unknown> | undefined, mac: string | undefined): Record<string, EndpointConfig> {
    const mode = !hc.NetworkMode || hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
    if (mode.startsWith('container:')) return {};
    const nets = this.config.networks;
    const known = nets ? (() => {
      try {
        return nets.find(mode);
      } catch {
        return undefined;
      }
    })() : undefined;
    const name = known?.Name ?? mode;
    // the docker CLI keys the endpoint by what --network said ("default" when nothing)
    const cfg = { ...((asked?.[hc.NetworkMode ?? ''] ?? asked?.[mode] ?? asked?.[name] ?? {}) as EndpointConfig) };
    if (mac && !cfg.MacAddress) cfg.MacAddress = mac;
    if (name === 'host' || name === 'none') return { [name]: {} };
    if (!known) return { [name]: cfg };
    if (!nets!.isUserDefined(name)) {
      if (cfg.IPAMConfig?.IPv4Address) throw invalidArgument('user specified IP address is supported on user defined networks only');
      if (cfg.Aliases?.length) throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
    }
    return { [name]: { ...cfg, NetworkID: known.Id } };
  }

  // ---------------------------------------------------------------- start

  async start(idOrName: string): Promise<void> {
    const rec = this.store.find(idOrName);
    await this.lock.run(rec.id, async () => {
      if (rec.state.Running) throw notModified();
      if (rec.state.Status === 'removing' || rec.state.Dead) throw conflict(`cannot start container ${rec.id}: container is marked for removal`);
      await this.startLocked(rec);
    }).catch(async (err) => {
      // Docker removes an --rm container whose start failed; `docker run --rm` waits for that.
      if (rec.hostConfig.AutoRemove) await this.remove(rec.id, { force: true, volumes: true }).catch(() => undefined);
      throw err;
    });
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    const root = await this.rootfs.mount(rec.id);
    try {
      const cwd = rec.config.WorkingDir || '/';
      await mkdirInRoot(root, cwd);
      const hc = rec.hostConfig;
      const user = await resolveUser(root, rec.config.User ?? '', groupAdd(hc));
      const hostNetwork = hc.NetworkMode === 'host';
      const network = this.networkNamespace(rec);
      // Docker: a container in another's network namespace takes its hostname and its /etc/hosts, resolv.conf
      // and hostname files (daemon initializeNetworking)
      const netOwner = 'path' in network ? this.store.find(String(hc.NetworkMode).slice('container:'.length)) : undefined;
      if (netOwner) {
        rec.config.Hostname = netOwner.config.Hostname;
        rec.config.Domainname = netOwner.config.Domainname;
      }
      const hostname = hostNetwork || hc.UTSMode === 'host' ? (await fs.readFile('/etc/hostname', 'utf8').catch(() => 'localhost')).trim() : rec.config.Hostname!;
      const shared = this.sharedNamespaces(rec);
      if (hc.IpcMode === 'shareable') shared.shmSource = await mountShareableShm(this.containerDir(rec.id), hc.ShmSize || DEFAULT_SHM_SIZE);
      const allocation = await this.allocateNetworks(rec);
      const endpoints = Object.values(allocation?.networks ?? {});
      const resolver = this.config.networks?.resolverFor(endpoints.map((e) => e.NetworkID));
      // Regenerated at every start, so no fsync: a crash can only lose a file the next start rewrites.
      await fs.writeFile(rec.hostnamePath, hostname + '\n');
      await fs.writeFile(rec.hostsPath, hostNetwork ? await fs.readFile('/etc/hosts', 'utf8') : hostsFile(hostname, endpoints[0]?.IPAddress, [...(hc.ExtraHosts ?? []), ...this.linkHosts(rec)]));
      await this.writeResolvConf(rec, hostNetwork, resolver);
      const userMounts = await this.mounts.setup(rec);
      const spec = buildRuntimeSpec({ ...this.specInput(rec, root, cwd, user, hostname, hostNetwork, network, userMounts, netOwner), ...shared });
      let pid: number;
      try {
        ({ pid } = await this.runtime.create({
          id: rec.id,
          spec,
          logPath: rec.logPath,
          terminal: !!rec.config.Tty,
          openStdin: !!rec.config.OpenStdin,
          stdinOnce: !!rec.config.StdinOnce,
        }));
      } catch (err) {
        throw this.startError(err, rec.path);
      }
      if (allocation) {
        try {
          await this.config.networks!.plumb(rec.id, pid);
        } catch (err) {
          await this.runtime.delete(rec.id, { force: true }).catch(() => undefined);
          throw err;
        }
        for (const [name, ep] of Object.entries(allocation.networks)) rec.networks = { ...rec.networks, [name]: { ...rec.networks?.[name], ...ep } };
        rec.ports = allocation.ports;
      }
      await this.connectPendingAttaches(rec.id);
      try {
        await this.runtime.start(rec.id);
      } catch (err) {
        await this.runtime.delete(rec.id, { force: true }).catch(() => undefined);
        throw this.startError(err, rec.path);
      }
      rec.state = {
        ...rec.state,
        Status: 'running',
        Running: true,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: pid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
      };
      const health = this.health.start({ id: rec.id, startedAt: Date.now(), healthcheck: rec.config.Healthcheck });
      if (health) rec.state.Health = health;
      else delete rec.state.Health;
      rec.hasBeenManuallyStopped = false;
      await this.store.save(rec);
      this.publish(rec, 'start');
    } catch (err) {
      const e = err as EngineError & { exitCode?: number };
      rec.state.Error = e.message;
      if (rec.state.Restarting) rec.state = { ...rec.state, Status: 'exited', Running: false, Restarting: false };
      if (e.exitCode !== undefined) rec.state.ExitCode = e.exitCode;
      await this.config.networks?.release(rec.id).catch((er) => this.logger.warn('network release failed', { id: rec.id, error: er }));
      this.clearEndpoints(rec);
      await this.store.save(rec).catch(() => undefined);
      await this.mounts.teardown(rec);
      unmountShareableShm(this.containerDir(rec.id));
      await this.rootfs.unmount(rec.id).catch(() => undefined);
      this.endAttaches(rec.id, true);
      throw err;
    }
  }

  // ---------------------------------------------------------------- networks

  /** The namespace the runtime gives the container: the host's, a fresh one, or another container's. */
  private networkNamespace(rec: ContainerRecord): SpecInput['network'] {
    const mode = rec.hostConfig.NetworkMode ?? 'default';
    if (mode === 'host') return { mode: 'host' };
    if (!mode.startsWith('container:')) return { mode: 'private' };
    const target = this.store.find(mode.slice('container:'.length));
    if (!target.state.Running || target.state.Restarting || !target.state.Pid) throw conflict(`cannot join network of a non running container: ${target.id}`);
    return { path: `/proc/${target.state.Pid}/ns/net` };
  }

  /**
   * --pid, --ipc and --uts: the host's, another running container's, or the container's own, with dockerd's
   * checks and wording (daemon/container_operations_unix.go). An IPC donor must be `shareable`; its
   * /dev/shm is bound in, as dockerd binds the donor's shm mount.
   */
  private sharedNamespaces(rec: ContainerRecord): Pick<SpecInput, 'pid' | 'ipc' | 'uts' | 'shmSource'> {
    const hc = rec.hostConfig;
    const out: Pick<SpecInput, 'pid' | 'ipc' | 'uts' | 'shmSource'> = {};
    const running = (id: string, wrap: string): ContainerRecord => {
      let target: ContainerRecord;
      try {
        target = this.store.find(id);
      } catch (err) {
        const e = err as EngineError;
        throw new EngineError(e.kind ?? 'NotFound', `${wrap}: ${e.message}`);
      }
      if (!target.state.Running || !target.state.Pid) throw conflict(`container ${target.id} is not running`);
      if (target.state.Restarting) throw conflict(`Container ${target.id} is restarting, wait until the container is running`);
      return target;
    };
    const pidMode = String(hc.PidMode ?? '');
    if (pidMode === 'host') out.pid = { mode: 'host' };
    else if (pidMode.startsWith('container:')) {
      const id = pidMode.slice('container:'.length);
      out.pid = { path: `/proc/${running(id, `cannot join PID of a non running container: ${id}`).state.Pid}/ns/pid` };
    }
    const ipcMode = String(hc.IpcMode ?? '');
    if (ipcMode === 'host') {
      out.ipc = { mode: 'host' };
      out.shmSource = '/dev/shm';
    } else if (ipcMode === 'none') out.ipc = { mode: 'none' };
    else if (ipcMode.startsWith('container:')) {
      const id = ipcMode.slice('container:'.length);
      const donor = running(id, `can't join IPC of container ${id}`);
      if (donor.hostConfig.IpcMode !== 'shareable') throw new EngineError('Internal', `can't join IPC of container ${id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
      out.ipc = { path: `/proc/${donor.state.Pid}/ns/ipc` };
      out.shmSource = shareableShmDir(this.containerDir(donor.id));
    }
    if (hc.UTSMode === 'host') out.uts = 'host';
    return out;
  }

  /** Addresses and host ports for a start (before the runtime makes the namespace); none for host/none/container modes. */
  private async allocateNetworks(rec: ContainerRecord) {
    const nets = this.config.networks;
    const endpoints = rec.networks ?? (rec.hostConfig.NetworkMode === 'host' || rec.hostConfig.NetworkMode === 'none' ? {} : undefined);
    if (!nets || !endpoints || (rec.hostConfig.NetworkMode ?? '').startsWith('container:')) return undefined;
    const asked: Record<string, EndpointConfig> = {};
    for (const [name, ep] of Object.entries(endpoints)) {
      asked[name] = { IPAMConfig: ep.IPAMConfig, Links: ep.Links, Aliases: ep.Aliases, MacAddress: ep.IPAddress ? undefined : ep.MacAddress, NetworkID: ep.NetworkID, DriverOpts: ep.DriverOpts };
      // a MAC given by the user is kept across starts; one derived from the address is not
      if (ep.IPAddress && ep.MacAddress && (rec.config.MacAddress === ep.MacAddress)) asked[name]!.MacAddress = ep.MacAddress;
    }
    const hc = rec.hostConfig;
    return nets.allocate({ id: rec.id, name: rec.name.slice(1), endpoints: asked, ports: portRequests(hc.PortBindings, rec.config.ExposedPorts, !!hc.PublishAllPorts), dns: hc.Dns?.length ? hc.Dns : undefined });
  }

  /** --link on the default bridge: /etc/hosts lines "ip alias id name" for the running linked containers. */
  private linkHosts(rec: ContainerRecord): string[] {
    const out: string[] = [];
    for (const link of (rec.hostConfig.Links as string[] | undefined) ?? []) {
      const [target, alias] = link.split(':');
      let other: ContainerRecord;
      try {
        other = this.store.find(target!.replace(/^\//, ''));
      } catch {
        continue;
      }
      const ip = other.networks?.bridge?.IPAddress;
      const name = alias ? alias.split('/').pop()! : other.name.slice(1);
      if (ip) out.push(`${[name, other.id.slice(0, 12), other.name.slice(1)].filter((v, i, a) => a.indexOf(v) === i).join(' ')}:${ip}`);
    }
    return out;
  }

  /** At exit: what was allocated goes, what was asked stays. */
  private clearEndpoints(rec: ContainerRecord): void {
    if (rec.networks) {
      for (const [name, ep] of Object.entries(rec.networks)) {
        rec.networks[name] = { IPAMConfig: ep.IPAMConfig, Links: ep.Links, Aliases: ep.Aliases, NetworkID: ep.NetworkID, DriverOpts: ep.DriverOpts, ...(rec.config.MacAddress ? { MacAddress: rec.config.MacAddress } : {}) };
      }
    }
    rec.ports = [];
  }

  private restoreNetworks(rec: ContainerRecord): void {
    if (!this.config.networks || !rec.networks) return;
    const live = Object.fromEntries(Object.entries(rec.networks).filter(([, ep]) => ep.IPAddress && ep.EndpointID)) as never;
    this.config.networks.restore({ id: rec.id, name: rec.name.slice(1), pid: rec.state.Pid, networks: live, ports: rec.ports ?? [], dns: rec.hostConfig.Dns?.length ? rec.hostConfig.Dns : undefined });
  }

  /** network connect: recorded for a container that is not running; at once for a running one. */
  async connectNetwork(idOrName: string, network: string, cfg: EndpointConfig): Promise<void> {
    const nets = this.config.networks;
    if (!nets) throw new EngineError('NotFound', `network ${network} not found`);
    const net = nets.find(network);
    const rec = this.store.find(idOrName);
    await this.lock.run(rec.id, async () => {
      const mode = rec.hostConfig.NetworkMode ?? 'default';
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:') || net.Driver !== 'bridge') {
        throw forbidden(`container cannot be disconnected from host network or connected to host network`);
      }
      if (rec.networks?.[net.Name]) throw forbidden(`endpoint with name ${rec.name.slice(1)} already exists in network ${net.Name}`);
      if (!nets.isUserDefined(net.Name) && (cfg.IPAMConfig?.IPv4Address || cfg.Aliases?.length)) {
        throw invalidArgument(cfg.Aliases?.length ? 'network-scoped alias is supported only for containers in user defined networks' : 'user specified IP address is supported on user defined networks only');
      }
      const asked: EndpointConfig = { IPAMConfig: cfg.IPAMConfig ?? null, Links: cfg.Links ?? null, Aliases: cfg.Aliases ?? null, NetworkID: net.Id, DriverOpts: cfg.DriverOpts ?? null, ...(cfg.MacAddress ? { MacAddress: cfg.MacAddress } : {}) };
      if (rec.state.Running && rec.state.Pid && !rec.state.Restarting) {
        const ep = await nets.connect({ id: rec.id, name: rec.name.slice(1), pid: rec.state.Pid }, net.Id, asked);
        rec.networks = { ...rec.networks, [net.Name]: { ...asked, ...ep } };
        await this.rewriteHosts(rec);
        // as Docker: joining a user-defined network switches the container to the embedded resolver
        const before = Object.entries(rec.networks).filter(([n, e]) => n !== net.Name && e.IPAddress).map(([, e]) => e.NetworkID!);
        if (!nets.resolverFor(before)) await this.writeResolvConf(rec, false, nets.resolverFor([net.Id]));
      } else {
        rec.networks = { ...rec.networks, [net.Name]: asked };
      }
      await this.store.save(rec);
    });
  }

  /** network disconnect: the interface goes at once on a running container. */
  async disconnectNetwork(idOrName: string, network: string, force: boolean): Promise<void> {
    const nets = this.config.networks;
    if (!nets) throw new EngineError('NotFound', `network ${network} not found`);
    const net = nets.find(network);
    let rec: ContainerRecord;
    try {
      rec = this.store.find(idOrName);
    } catch (err) {
      // Docker: --force removes a stale endpoint of a container that is gone
      if (force) return;
      throw err;
    }
    await this.lock.run(rec.id, async () => {
      if (net.Driver !== 'bridge') throw forbidden('container cannot be disconnected from host network or connected to host network');
      if (!rec.networks?.[net.Name]) throw forbidden(`container ${rec.id} is not connected to network ${net.Name}`);
      if (rec.state.Running) await nets.disconnect(rec.id, net.Id);
      const { [net.Name]: _gone, ...rest } = rec.networks;
      rec.networks = rest;
      await this.store.save(rec);
    });
    nets.publishDisconnect(net.Id, rec.id);
  }

  /** resolv.conf: on a user-defined network the embedded resolver (on the gateway) answers and forwards the rest. */
  private async writeResolvConf(rec: ContainerRecord, hostNetwork: boolean, resolver: string | undefined): Promise<void> {
    const hc = rec.hostConfig;
    // written in place (no rename): a running container's bind mount sees the same inode
    await fs.writeFile(
      rec.resolvConfPath,
      await resolvConf(
        {
          servers: resolver ? [resolver] : hc.Dns?.length ? hc.Dns : this.config.dns.servers,
          search: hc.DnsSearch?.length ? hc.DnsSearch : this.config.dns.search,
          options: hc.DnsOptions?.length ? hc.DnsOptions : resolver ? ['ndots:0', ...this.config.dns.options] : this.config.dns.options,
        },
        '/etc/resolv.conf',
        hostNetwork,
      ),
    );
  }

  private async rewriteHosts(rec: ContainerRecord): Promise<void> {
    const first = Object.values(rec.networks ?? {}).find((e) => e.IPAddress);
    const hostname = (await fs.readFile(rec.hostnamePath, 'utf8').catch(() => rec.config.Hostname ?? '')).trim();
    // written in place: the container's bind mount sees the same inode
    await fs.writeFile(rec.hostsPath, hostsFile(hostname, first?.IPAddress, [...(rec.hostConfig.ExtraHosts ?? []), ...this.linkHosts(rec)]));
  }

  /** What the runtime spec of this container is made from; the same for start and for exec probes. */
  private specInput(
    rec: ContainerRecord,
    root: string,
    cwd: string,
    user: { uid: number; gid: number; additionalGids: number[] },
    hostname: string,
    hostNetwork: boolean,
    network?: SpecInput['network'],
    userMounts: RuntimeSpecMount[] = [],
    /** whose /etc/hosts, resolv.conf and hostname files to bind: another container's in its network namespace */
    etcFrom: ContainerRecord = rec,
  ): SpecInput {
    const hc = rec.hostConfig;
    // a user mount on /etc/hosts (…) replaces berth's own, as Docker's TrySetNetworkMount
    const taken = new Set(userMounts.map((m) => m.destination));
    const etcMount = (dest: string, src: string) => (taken.has(dest) ? [] : [{ destination: dest, type: 'bind', source: src, options: ['rbind', 'rprivate'] }]);
    return {
      id: rec.id,
      rootfs: root,
      readonlyRootfs: !!hc.ReadonlyRootfs,
      args: rec.hostConfig.Init ? [INIT_PATH_IN_CONTAINER, '--', rec.path, ...rec.args] : [rec.path, ...rec.args],
      env: hostNetwork ? rec.config.Env : [...rec.config.Env.filter((e) => !e.startsWith('HOSTNAME=')), `HOSTNAME=${hostname}`].sort(envOrder(rec.config.Env)),
      cwd,
      user,
      hostname,
      domainname: rec.config.Domainname,
      terminal: !!rec.config.Tty,
      consoleSize: consoleSize(hc.ConsoleSize),
      mounts: [
        ...etcMount('/etc/resolv.conf', etcFrom.resolvConfPath),
        ...etcMount('/etc/hostname', etcFrom.hostnamePath),
        ...etcMount('/etc/hosts', etcFrom.hostsPath),
        // --init: Docker bind-mounts its init (tini) read-only at /sbin/docker-init
        ...(hc.Init ? [{ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: this.config.initBinary, options: ['rbind', 'ro', 'rprivate'] }] : []),
        ...userMounts,
      ],
      rootfsPropagation: rootfsPropagation(userMounts),
      network: network ?? (hostNetwork ? { mode: 'host' } : { mode: 'private' }),
      privileged: !!hc.Privileged,
      capAdd: hc.CapAdd ?? [],
      capDrop: hc.CapDrop ?? [],
      seccomp: seccompFrom(hc.SecurityOpt ?? []),
      noNewPrivileges: (hc.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
      cgroupsPath: `${this.config.cgroupParent}/${rec.id}`,
      ulimits: hc.Ulimits ?? [],
      shmSize: hc.ShmSize || undefined,
      resources: specResources(hc),
      sysctls: hc.Sysctls ?? undefined,
      devices: (hc.Devices ?? []).map((d) => ({ pathOnHost: d.PathOnHost, pathInContainer: d.PathInContainer, cgroupPermissions: d.CgroupPermissions })),
      oomScoreAdj: hc.OomScoreAdj || undefined,
    };
  }

  /**
   * The process of a running container as its runtime spec has it (env, user, caps, seccomp…), for
   * processes started beside it: health probes, exec.
   */
  async processSpec(idOrName: string): Promise<ExecProcess> {
    const rec = this.store.find(idOrName);
    const root = await this.rootfs.mount(rec.id);
    const user = await resolveUser(root, rec.config.User ?? '', groupAdd(rec.hostConfig));
    const hostNetwork = rec.hostConfig.NetworkMode === 'host';
    const hostname = (await fs.readFile(rec.hostnamePath, 'utf8').catch(() => rec.config.Hostname ?? '')).trim();
    const spec = buildRuntimeSpec(this.specInput(rec, root, rec.config.WorkingDir || '/', user, hostname, hostNetwork));
    return spec.process as ExecProcess;
  }

  /** Docker's translation of runtime start failures: not found → 127, permission denied → 126, both 400. */
  private startError(err: unknown, command: string): EngineError {
    const msg = err instanceof Error ? err.message : String(err);
    const exitCode = exitCodeForStartError(err, command) ?? 128;
    const kind: EngineError['kind'] = err instanceof EngineError ? err.kind : 'Internal';
    const e = new EngineError(kind, `failed to create task for container: ${msg}: unknown`) as EngineError & { exitCode: number };
    e.exitCode = exitCode;
    return e;
  }

  // ---------------------------------------------------------------- exit

  private async handleExit(id: string, exitCode: number): Promise<void> {
    let rec: ContainerRecord;
    try {
      rec = this.store.find(id);
    } catch {
      await this.runtime.delete(id, { force: true }).catch(() => undefined);
      return;
    }
    if (rec.id !== id) return;
    this.health.stop(id);
    let restartIn: number | undefined;
    await this.lock.run(id, async () => {
      if (!rec.state.Running || rec.state.Restarting) return;
      const ranFor = Date.now() - Date.parse(rec.state.StartedAt);
      // conmon marks an OOM kill in the bundle, which runtime.delete removes: ask first
      const oomKilled = await this.runtime.oomKilled(id).catch(() => false);
      rec.state = { ...rec.state, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: oomKilled, Pid: 0, ExitCode: exitCode, FinishedAt: new Date().toISOString() };
      const policy = rec.hostConfig.RestartPolicy;
      if (!rec.hostConfig.AutoRemove && shouldRestart(policy, { exitCode, manuallyStopped: rec.hasBeenManuallyStopped, restartCount: rec.restartCount })) {
        restartIn = nextDelay(this.restartDelays.get(id), ranFor);
        this.restartDelays.set(id, restartIn);
        // Docker's state while waiting to restart: Running and Restarting, no pid
        rec.state = { ...rec.state, Status: 'restarting', Running: true, Restarting: true };
      }
      this.clearEndpoints(rec);
      // independent of each other, so concurrently: this is on the path of every `docker run --rm`
      await Promise.all([
        this.config.networks?.release(id).catch((err) => this.logger.warn('network release failed', { id, error: err })),
        this.runtime.delete(id, { force: true }).catch((err) => this.logger.warn('runtime delete failed', { id, error: err })),
        this.rootfs.unmount(id).catch((err) => this.logger.warn('unmount failed', { id, error: err })),
        this.mounts.teardown(rec),
        this.store.save(rec),
      ]);
      unmountShareableShm(this.containerDir(rec.id));
      if (oomKilled) this.publish(rec, 'oom');
      this.publish(rec, 'die', { exitCode: String(exitCode) });
    });
    this.endAttaches(id);
    for (const w of this.exitWaiters.get(id) ?? []) w(exitCode);
    this.exitWaiters.delete(id);
    if (restartIn !== undefined) this.scheduleRestart(rec, restartIn);
    else if (rec.hostConfig.AutoRemove) {
      // --rm removes the container's anonymous volumes too (Docker: RemoveVolume on auto-remove)
      await this.remove(id, { force: true, volumes: true }).catch((err) => this.logger.warn('auto-remove failed', { id, error: err }));
    }
  }

  private scheduleRestart(rec: ContainerRecord, delayMs: number): void {
    const timer = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      void this.lock
        .run(rec.id, async () => {
          if (!rec.state.Restarting || !this.store.all().includes(rec)) return; // cancelled or removed meanwhile
          rec.restartCount++;
          await this.startLocked(rec);
        })
        .catch((err) => this.logger.warn('restart failed', { id: rec.id, error: err }));
    }, delayMs);
    timer.unref();
    this.restartTimers.set(rec.id, timer);
  }

  /** Stops a pending restart (docker stop/kill/rm of a restarting container). True if there was one. */
  private async cancelRestart(rec: ContainerRecord): Promise<boolean> {
    return this.lock.run(rec.id, async () => {
      if (!rec.state.Restarting) return false;
      const t = this.restartTimers.get(rec.id);
      if (t) clearTimeout(t);
      this.restartTimers.delete(rec.id);
      rec.state = { ...rec.state, Status: 'exited', Running: false, Restarting: false };
      rec.hasBeenManuallyStopped = true;
      await this.store.save(rec);
      return true;
    });
  }

  /** Resolves with the exit code of the next exit. */
  private nextExit(id: string): Promise<number> {
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(id) ?? [];
      list.push(resolve);
      this.exitWaiters.set(id, list);
    });
  }

  /**
   * Docker's wait: registers at once (so a wait sent before start sees the exit), resolves with the exit
   * code. `removed` resolves when the container is gone.
   */
  wait(idOrName: string, condition: WaitCondition = 'not-running'): Promise<{ StatusCode: number; Error: null | { Message: string } }> {
    const rec = this.store.find(idOrName);
    const result = (code: number) => ({ StatusCode: code, Error: null });
    if (condition === 'removed') {
      return new Promise((resolve) => {
        const list = this.removeWaiters.get(rec.id) ?? [];
        list.push(() => resolve(result(rec.state.ExitCode)));
        this.removeWaiters.set(rec.id, list);
      });
    }
    if (condition === 'not-running' && !rec.state.Running) return Promise.resolve(result(rec.state.ExitCode));
    return this.nextExit(rec.id).then(result);
  }

  // ---------------------------------------------------------------- stop, kill, restart

  async stop(idOrName: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.store.find(idOrName);
    if (await this.cancelRestart(rec)) {
      this.publish(rec, 'stop');
      return;
    }
    if (!rec.state.Running) throw notModified();
    rec.hasBeenManuallyStopped = true;
    const signal = parseSignal(opts.signal ?? rec.config.StopSignal ?? 'SIGTERM');
    const timeout = opts.timeout ?? rec.config.StopTimeout ?? 10;
    const exited = this.nextExit(rec.id);
    await this.signal(rec, signal);
    if (timeout >= 0) {
      const timedOut = await Promise.race([exited.then(() => false), sleep(timeout * 1000).then(() => true)]);
      if (timedOut && rec.state.Running) {
        this.logger.info('container did not exit in time, killing', { id: rec.id, timeout });
        await this.signal(rec, 9);
      }
    }
    await Promise.race([exited, sleep(30_000)]);
    this.publish(rec, 'stop');
  }

  async kill(idOrName: string, sig?: string): Promise<void> {
    const rec = this.store.find(idOrName);
    const signal = parseSignal(sig ?? 'SIGKILL');
    if (await this.cancelRestart(rec)) return;
    if (!rec.state.Running) throw conflict(`Cannot kill container: ${idOrName}: Container ${rec.id} is not running`);
    if (signal === 9 || signal === 15) rec.hasBeenManuallyStopped = true;
    const exited = signal === 9 ? this.nextExit(rec.id) : undefined;
    await this.signal(rec, signal);
    // Docker waits for a SIGKILLed container to be gone before answering.
    if (exited) await Promise.race([exited, sleep(10_000)]);
  }

  private async signal(rec: ContainerRecord, signal: number): Promise<void> {
    try {
      await this.runtime.kill(rec.id, signal);
      // Docker resumes a paused container after SIGKILL, its StopSignal, or any signal when it has none, so the signal arrives
      const stopSignal = rec.config.StopSignal;
      if (rec.state.Paused && (signal === 9 || !stopSignal || parseSignal(stopSignal) === signal)) await this.resumeForSignal(rec);
      this.publish(rec, 'kill', { signal: String(signal) });
    } catch (err) {
      const st = await this.runtime.state(rec.id).catch(() => null);
      if (!st || st.status === 'stopped') return; // it exited meanwhile
      throw err;
    }
  }

  private async resumeForSignal(rec: ContainerRecord): Promise<void> {
    try {
      await this.runtime.resume(rec.id);
    } catch (err) {
      this.logger.warn('cannot unpause container', { id: rec.id, error: err });
      return;
    }
    // under the container's lock, as every other change of the record (signal() is never called holding it)
    await this.lock.run(rec.id, async () => {
      if (!rec.state.Paused) return; // the exit was handled meanwhile
      rec.state = { ...rec.state, Paused: false, Status: rec.state.Running ? 'running' : rec.state.Status };
      await this.store.save(rec).catch(() => undefined);
    });
    this.publish(rec, 'unpause');
  }

  async restart(idOrName: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.store.find(idOrName);
    await this.cancelRestart(rec);
    if (rec.state.Running) await this.stop(rec.id, opts).catch((err) => {
      if (!(err instanceof EngineError && err.kind === 'NotModified')) throw err;
    });
    await this.start(rec.id).catch((err) => {
      if (!(err instanceof EngineError && err.kind === 'NotModified')) throw err;
    });
    this.publish(rec, 'restart');
  }

  // ---------------------------------------------------------------- remove, rename, prune

  async remove(idOrName: string, opts: { force: boolean; volumes?: boolean }): Promise<void> {
    const rec = this.store.find(idOrName);
    if (rec.state.Restarting && opts.force) await this.cancelRestart(rec);
    if (rec.state.Restarting) {
      throw conflict(`cannot remove container "${rec.name}": container is restarting: stop the container before removing or force remove`);
    }
    if (rec.state.Running) {
      if (!opts.force) {
        throw conflict(`cannot remove container "${rec.name}": container is running: stop the container before removing or force remove`);
      }
      const exited = this.nextExit(rec.id);
      await this.signal(rec, 9).catch(() => undefined);
      await Promise.race([exited, sleep(10_000)]);
    }
    await this.lock.run(rec.id, async () => {
      if (rec.state.Status === 'removing' && !this.store.all().includes(rec)) return;
      rec.state.Status = 'removing';
      await this.store.save(rec);
      await this.removeNow(rec, !!opts.volumes);
    });
  }

  private async removeNow(rec: ContainerRecord, removeVolumes = false): Promise<void> {
    unmountShareableShm(this.containerDir(rec.id));
    await Promise.all([this.runtime.delete(rec.id, { force: true }).catch(() => undefined), this.rootfs.remove(rec.id)]);
    await this.store.delete(rec);
    await this.mounts.release(rec.id, rec.mountPoints ?? [], removeVolumes).catch((err) => this.logger.warn('releasing volumes failed', { id: rec.id, error: err }));
    this.publish(rec, 'destroy');
    // an attach still waiting for a start that will never come ends now (dockerd closes its streams)
    this.endAttaches(rec.id, true);
    this.attaches.delete(rec.id);
    for (const w of this.removeWaiters.get(rec.id) ?? []) w();
    this.removeWaiters.delete(rec.id);
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const rec = this.store.find(idOrName);
    if (!newName) throw invalidArgument('Neither old nor new names may be empty');
    const name = validateName(newName);
    if (name === rec.name) throw invalidArgument('Renaming a container with the same name as its current name');
    await this.lock.run(rec.id, async () => {
      this.store.reserveName(name, rec.id);
      const old = rec.name;
      rec.name = name;
      try {
        await this.store.save(rec);
      } catch (err) {
        rec.name = old;
        this.store.releaseName(name, rec.id);
        throw err;
      }
      this.store.releaseName(old, rec.id);
      this.publish(rec, 'rename', { oldName: old });
    });
  }

  async prune(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let space = 0;
    const until = filters.get('until')?.[0];
    const untilMs = until ? parseTimestamp(until) : undefined;
    for (const rec of this.store.all()) {
      if (rec.state.Running || rec.state.Status === 'removing') continue;
      if (untilMs !== undefined && Date.parse(rec.created) >= untilMs) continue;
      if (!matchesFilters(rec, new Map([...filters].filter(([k]) => k === 'label' || k === 'label!')), () => rec, () => undefined)) continue;
      space += await dirSize(this.rootfs.upperDir(rec.id)).catch(() => 0);
      await this.remove(rec.id, { force: false }).then(() => deleted.push(rec.id)).catch((err) => this.logger.warn('prune: remove failed', { id: rec.id, error: err }));
    }
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }

  // ---------------------------------------------------------------- logs and attach

  logs(idOrName: string, opts: LogOptions): AsyncIterable<{ stream: 'stdout' | 'stderr'; time: string; data: Buffer }> {
    const rec = this.store.find(idOrName);
    const stop = opts.follow
      ? Promise.race([rec.state.Running ? this.nextExit(rec.id).then(() => undefined) : Promise.resolve(), opts.cancelled ?? new Promise<void>(() => undefined)])
      : undefined;
    return readLogs(rec.logPath, { follow: opts.follow, since: opts.since, until: opts.until, tail: opts.tail, stdout: opts.stdout, stderr: opts.stderr, stopFollowing: stop });
  }

  /**
   * Attaches a client to the container's stdio. On a running container this connects at once; on one that
   * is not running it connects when the container next starts, as dockerd's attach does: docker run
   * attaches before it starts the container, and dockerpty (docker-compose run without the docker CLI)
   * attaches after a start, and starts the container again when it finds that the command has already
   * exited. Such an attach waits for that next start and is not ended by an exit that came before it.
   */
  async attach(idOrName: string, handlers: AttachHandlers): Promise<AttachSession> {
    const rec = this.store.find(idOrName);
    const running = rec.state.Running && !rec.state.Restarting;
    const pending: PendingAttach = { handlers, stdin: [], stdinClosed: false, detached: false, forRunning: running };
    const set = this.attaches.get(rec.id) ?? new Set();
    set.add(pending);
    this.attaches.set(rec.id, set);
    if (running) {
      // the process may have exited a moment ago, its exit not handled yet: that exit ends this attach
      await this.connect(rec.id, pending).catch((err) => this.logger.debug('attach to an exiting container', { id: rec.id, error: err }));
    }
    this.publish(rec, 'attach');
    return {
      writeStdin: (data) => {
        if (pending.conn) pending.conn.writeStdin(data);
        else pending.stdin.push(data);
      },
      closeStdin: () => {
        pending.stdinClosed = true;
        pending.conn?.closeStdin();
      },
      detach: () => {
        pending.detached = true;
        pending.conn?.close();
        set.delete(pending);
      },
    };
  }

  /**
   * Waits (up to 5 s) until a record that says running describes a live process: the record says running
   * until berthd has handled the exit, and an attach made in between would belong to a run whose output is
   * already written. The attach route waits here before it answers, so the client's next inspect agrees
   * with what the attach is waiting for (dockerpty starts the container again when inspect says exited).
   */
  async exitSettled(idOrName: string): Promise<void> {
    const rec = this.store.find(idOrName);
    if (!rec.state.Running || rec.state.Restarting || processAlive(rec.state.Pid)) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.nextExit(rec.id), new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
  }

  private async connect(id: string, p: PendingAttach): Promise<void> {
    if (p.conn || p.detached) return;
    const conn = await this.runtime.attach(id);
    p.conn = conn;
    conn.onData((s, d) => p.handlers.onData(s, d));
    conn.onClose(() => {
      this.attaches.get(id)?.delete(p);
      p.handlers.onEnd();
    });
    for (const d of p.stdin) conn.writeStdin(d);
    p.stdin = [];
    if (p.stdinClosed) conn.closeStdin();
  }

  private async connectPendingAttaches(id: string): Promise<void> {
    for (const p of this.attaches.get(id) ?? []) {
      await this.connect(id, p).catch((err) => this.logger.warn('attach failed', { id, error: err }));
    }
  }

  /**
   * Ends the attaches that are not connected to a process: at an exit, those made during the run that
   * ended (the ones made after it wait for the next start); when a start fails or the container goes, all.
   */
  private endAttaches(id: string, all = false): void {
    const set = this.attaches.get(id);
    if (!set) return;
    for (const p of [...set]) {
      if (p.conn || !(all || p.forRunning)) continue;
      set.delete(p);
      p.handlers.onEnd();
    }
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const rec = this.store.find(idOrName);
    if (!rec.state.Running) throw conflict(`Container ${rec.id} is not running`);
    await this.runtime.resize(rec.id, height, width);
  }

  // ---------------------------------------------------------------- health checks

  /** One health probe: the command run beside the container's process, as Docker's exec-based probes. */
  private async runProbe(id: string, args: string[], timeoutMs: number): Promise<HealthLogEntry> {
    const start = new Date();
    const exec = (this.runtime as ContainerRuntime & Partial<ExecRuntime>).exec;
    const entry = (ExitCode: number, Output: string): HealthLogEntry => ({ Start: start.toISOString(), End: new Date().toISOString(), ExitCode, Output });
    if (!exec) return entry(-1, `the ${this.runtime.name} runtime cannot run health checks`);
    const base = await this.processSpec(id);
    let session;
    try {
      session = await exec.call(this.runtime, { id, execId: `health-${newId().slice(0, 16)}`, process: { ...base, args, terminal: false }, terminal: false, openStdin: false });
    } catch (err) {
      return entry(-1, (err as Error).message);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    session.attach.onData((_s, d) => {
      if (size < 8192) chunks.push(d);
      size += d.length;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const code = await Promise.race([session.exited, timedOut]);
    clearTimeout(timer);
    if (code === 'timeout') {
      try {
        process.kill(session.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      return entry(-1, `Health check exceeded timeout (${formatSeconds(timeoutMs)})`);
    }
    return entry(code, Buffer.concat(chunks).toString());
  }

  private async recordHealth(id: string, health: Health, previous: Health): Promise<void> {
    const rec = this.store.find(id);
    await this.lock.run(id, async () => {
      if (!rec.state.Running) return;
      rec.state.Health = health;
      await this.store.save(rec);
    });
    if (health.Status !== previous.Status) this.publish(rec, `health_status: ${health.Status}`);
  }

  // ---------------------------------------------------------------- events

  private publish(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const image = rec.config.Image ?? rec.image;
    this.events.publish('container', action, rec.id, {
      ...rec.config.Labels,
      image: looksLikeId(image) ? image : safeFamiliar(image),
      name: rec.name.slice(1),
      ...extra,
    });
  }
}

/**
 * The root's propagation a bind with shared or slave propagation needs (Docker: shared for (r)shared, rslave
 * for (r)slave); undefined leaves runc's default.
 */
function rootfsPropagation(mounts: RuntimeSpecMount[]): string | undefined {
  const props = mounts.flatMap((m) => m.options ?? []);
  if (props.some((o) => o === 'shared' || o === 'rshared')) return 'shared';
  if (props.some((o) => o === 'slave' || o === 'rslave')) return 'rslave';
  return undefined;
}

function safeFamiliar(ref: string): string {
  try {
    return familiarName(ref);
  } catch {
    return ref;
  }
}

/** Docker's HostConfig.ConsoleSize is [height, width]; [0, 0] means unset. */
function consoleSize(v: unknown): { height: number; width: number } | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [height, width] = v.map(Number);
  return height! > 0 && width! > 0 ? { height: height!, width: width! } : undefined;
}

function seccompFrom(opts: string[]): 'default' | 'unconfined' | Record<string, unknown> {
  for (const o of opts) {
    const m = /^seccomp[=:](.*)$/.exec(o);
    if (!m) continue;
    if (m[1] === 'unconfined') return 'unconfined';
    try {
      return JSON.parse(m[1]!) as Record<string, unknown>;
    } catch {
      throw invalidArgument(`opening seccomp profile (${m[1]}) failed`);
    }
  }
  return 'default';
}

/** Keeps PATH first and the rest in their original order, HOSTNAME after PATH as Docker shows it. */
function envOrder(original: string[]): (a: string, b: string) => number {
  const rank = (e: string) => (e.startsWith('PATH=') ? -2 : e.startsWith('HOSTNAME=') ? -1 : original.indexOf(e));
  return (a, b) => rank(a) - rank(b);
}

/** Go's time.Duration printing for whole and fractional seconds: 30s, 1.5s, 300ms. */
function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Whether pid is a live process (not gone, not a zombie), from /proc/<pid>/stat. */
function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Docker's /dev/shm size when --shm-size is not given. */
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** --group-add, as the record keeps it. */
function groupAdd(hc: HostConfig): string[] {
  return Array.isArray(hc.GroupAdd) ? hc.GroupAdd.map(String) : [];
}
