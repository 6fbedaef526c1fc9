import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiServer } from '../api/server/http-server.js';
import { Router } from '../api/server/router.js';
import { unsupportedRoutes } from '../api/routers/unsupported/routes.js';
import { systemRoutes } from '../api/routers/system/routes.js';
import { containerRoutes } from '../api/routers/container/routes.js';
import { observeRoutes } from '../api/routers/container/observe-routes.js';
import { ObserveService } from '../observe/index.js';
import { readHostResources } from '../cgroups/index.js';
import { imageRoutes } from '../api/routers/image/routes.js';
import { execRoutes } from '../api/routers/exec/routes.js';
import { archiveRoutes } from '../api/routers/container/archive-routes.js';
import { buildRoutes } from '../api/routers/build/routes.js';
import type { BuildService } from '../build/build-service.js';
import { volumeRoutes } from '../api/routers/volume/routes.js';
import { volumeJson } from '../api/routers/volume/wire.js';
import { imageSummary } from '../api/routers/image/wire.js';
import { listJson } from '../api/routers/container/wire.js';
import { LocalVolumeStore, VolumeService } from '../volume/index.js';
import { API_VERSION } from '../api/server/version.js';
import { EventBus } from '../events/index.js';
import { createImageService } from '../image/index.js';
import { createContentStore } from '../content/index.js';
import type { RegistryClient } from '../api/routers/distribution/routes.js';
import { distributionRoutes } from '../api/routers/distribution/routes.js';
import { createLayerStore, createRootfsManager } from '../snapshot/index.js';
import { createConmonRuntime } from '../runtime/index.js';
import { ContainerService, ContainerStore } from '../container/index.js';
import { parseResolvConf } from '../container/etc-files.js';
import { NetworkService } from '../network/index.js';
import { networkRoutes } from '../api/routers/network/routes.js';
import { ContainerMounts } from '../container/mounts/index.js';
import { ExecService } from '../container/exec/index.js';
import { ContainerFilesService } from '../container/archive/index.js';
import { dirSize, Logger, runCommand } from '../util/index.js';
import { effectiveHosts, type DaemonConfig } from './daemon-config.js';
import { BERTH_VERSION, GIT_COMMIT } from './build-info.js';

/**
 * The one wiring module: constructs every service once and hands them to the routers. Nothing else in
 * berth constructs services; there are no module-level singletons.
 */
export interface RunningDaemon {
  close(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, logger: Logger): Promise<RunningDaemon> {
  await fs.mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await fs.mkdir(config.execRoot, { recursive: true, mode: 0o711 });
  await claimPidfile(config.pidfile);

  const events = new EventBus();
  const content = createContentStore({ dataRoot: config.dataRoot });
  const layers = createLayerStore({ dataRoot: config.dataRoot });
  const images = await createImageService({ dataRoot: config.dataRoot, events, logger: logger.child({ module: 'image' }), content, layers });
  // The registry client and the builder are loaded on first use: an idle daemon does not carry their code.
  const registryClient = lazy(async () => {
    const { RegistryService } = await import('../registry/client/index.js');
    return new RegistryService({ images, content, layers, dataRoot: config.dataRoot, logger: logger.child({ module: 'registry' }), insecureRegistries: config.insecureRegistries, registryCertsDir: config.registryCertsDir, events });
  });
  const registry: RegistryClient = {
    login: async (...a) => (await registryClient()).login(...a),
    inspect: async (...a) => (await registryClient()).inspect(...a),
    push: async (...a) => (await registryClient()).push(...a),
    // what a pull writes before its image record exists is kept from `image prune` until it ends
    pull: (...a) => images.holdContent(async () => (await registryClient()).pull(...a)),
  };
  const rootfs = await createRootfsManager({ dataRoot: config.dataRoot, driver: config.storageDriver });
  const runtime = createConmonRuntime({ execRoot: config.execRoot, runtime: config.runtime, logger: logger.child({ module: 'runtime' }) });
  const hostResources = await readHostResources();
  const hostNameServers = parseResolvConf(await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '')).servers;
  const networks = new NetworkService({
    dataRoot: config.dataRoot,
    bridgeName: config.bridge,
    bip: config.bip,
    pools: config.defaultAddressPools,
    chainPrefix: `BERTH-${config.bridge}`,
    // the embedded resolver asks only these: the daemon's --dns, else the host's resolv.conf
    dnsUpstreams: () => (config.dns.length ? config.dns : hostNameServers),
    events,
    logger: logger.child({ module: 'network' }),
  });
  await networks.init();
  const volumes = new VolumeService(new LocalVolumeStore(path.join(config.dataRoot, 'volumes'), logger.child({ module: 'volume' })), events, logger.child({ module: 'volume' }));
  await volumes.load();
  const store = new ContainerStore(path.join(config.dataRoot, 'containers'), logger.child({ module: 'container' }));
  const containers = new ContainerService(store, images, rootfs, runtime, events, logger.child({ module: 'container' }), {
    dns: { servers: config.dns, search: config.dnsSearch, options: config.dnsOptions },
    cgroupParent: config.cgroupParent,
    runtimeName: config.runtime,
    initBinary: config.initPath ?? (await firstExisting(['/usr/bin/tini-static', '/usr/bin/catatonit', '/usr/bin/docker-init'])) ?? '/usr/bin/tini-static',
    hostResources,
    networks,
  }, new ContainerMounts(volumes, events, logger.child({ module: 'mounts' })));
  await containers.recover();
  // content and layers a failed pull (or a crash) left more than a day ago, which no later pull reused
  void images.sweepLeftovers(24 * 3600_000).catch((err: unknown) => logger.warn('sweeping unreferenced content failed', { error: err }));
  const observe = new ObserveService(containers, runtime, hostResources, config.cgroupParent);
  const execs = new ExecService({ containers, runtime, events, logger: logger.child({ module: 'exec' }) });
  const classicBuilder = lazy(async () => {
    const { ClassicBuilder } = await import('../build/index.js');
    return new ClassicBuilder({ images, containers, rootfs, dataRoot: config.dataRoot, logger: logger.child({ module: 'build' }), pull: (ref, o) => registry.pull(ref, o) });
  });
  const builder: BuildService = {
    build: async (...a) => (await classicBuilder()).build(...a),
    prune: async (opts) => (await classicBuilder()).prune(opts),
  };
  const files = new ContainerFilesService({ containers, rootfs, images, runtime, logger: logger.child({ module: 'files' }) });

  const runtimeVersion = await runCommand(config.runtime, ['--version']).then((r) => /version ([^\s]+)/.exec(r.stdout)?.[1] ?? 'unknown').catch(() => 'unknown');
  const startedAt = new Date().toISOString();

  const router = new Router();
  unsupportedRoutes(router);
  systemRoutes(router, {
    events,
    versionInfo: () => ({ Version: BERTH_VERSION, GitCommit: GIT_COMMIT, GoVersion: `node${process.versions.node}`, KernelVersion: os.release(), BuildTime: startedAt, runtimeVersion }),
    df: async (types) => {
      const want = (t: string) => types.length === 0 || types.includes(t);
      const out: Record<string, unknown> = {};
      if (want('image')) {
        const imgs = await images.list();
        out.LayersSize = imgs.reduce((n, i) => n + i.size, 0);
        out.Images = imgs.map((i) => imageSummary(i, store.all().filter((c) => c.image === i.id).length));
      }
      if (want('container')) {
        out.Containers = await Promise.all(store.all().map(async (c) => ({ ...listJson(c), SizeRw: await dirSize(rootfs.upperDir(c.id)), SizeRootFs: 0 })));
      }
      if (want('volume')) out.Volumes = (await volumes.usage()).map((v) => volumeJson(v, v));
      if (want('build-cache')) out.BuildCache = [];
      return out;
    },
    info: async () => {
      const all = store.all();
      const imgs = await images.list();
      return {
        ID: await daemonId(config.dataRoot),
        Containers: all.length,
        ContainersRunning: all.filter((c) => c.state.Running && !c.state.Paused).length,
        ContainersPaused: all.filter((c) => c.state.Paused).length,
        ContainersStopped: all.filter((c) => !c.state.Running).length,
        Images: imgs.length,
        Driver: rootfs.driver === 'overlay' ? 'overlay2' : 'vfs',
        DriverStatus: [['Backing Filesystem', 'extfs'], ['berth snapshotter', rootfs.driver]],
        Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['k8s-file'] },
        DefaultAddressPools: config.defaultAddressPools.map((p) => ({ Base: p.base, Size: p.size })),
        MemoryLimit: true,
        SwapLimit: hostResources.swapLimit,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        IPv4Forwarding: true,
        Debug: config.logLevel === 'debug',
        NFd: await fs.readdir('/proc/self/fd').then((f) => f.length).catch(() => 0),
        OomKillDisable: true,
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: 'json-file',
        CgroupDriver: 'cgroupfs',
        CgroupVersion: (await fs.stat('/sys/fs/cgroup/cgroup.controllers').then(() => '2').catch(() => '1')),
        NEventsListener: 0,
        KernelVersion: os.release(),
        OperatingSystem: await osName(),
        OSVersion: '',
        OSType: 'linux',
        Architecture: os.machine(),
        IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: {
          IndexConfigs: Object.fromEntries(config.insecureRegistries.filter((r) => !r.includes('/')).map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }])),
          InsecureRegistryCIDRs: ['127.0.0.0/8', ...config.insecureRegistries.filter((r) => r.includes('/'))],
          Mirrors: [],
        },
        NCPU: os.cpus().length,
        MemTotal: os.totalmem(),
        DockerRootDir: config.dataRoot,
        Name: os.hostname(),
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: BERTH_VERSION,
        Runtimes: { [config.runtime]: { path: config.runtime } },
        DefaultRuntime: config.runtime,
        LiveRestoreEnabled: true,
        Isolation: '',
        InitBinary: 'docker-init',
        ContainerdCommit: { ID: '' },
        RuncCommit: { ID: runtimeVersion },
        InitCommit: { ID: '' },
        Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        SecurityOptions: ['name=seccomp,profile=builtin'],
        Warnings: [],
        ApiVersion: API_VERSION,
      };
    },
  });
  volumeRoutes(router, { volumes });
  containerRoutes(router, { containers, upperDir: (id) => rootfs.upperDir(id), sizeRw: (id) => dirSize(rootfs.upperDir(id)), execIds: (id) => execs.execIdsOf(id) });
  observeRoutes(router, { containers, observe });
  execRoutes(router, { execs });
  archiveRoutes(router, { files });
  buildRoutes(router, { builder });
  distributionRoutes(router, { registry });
  networkRoutes(router, { networks, containers });
  imageRoutes(router, {
    images,
    registry,
    containerUsing: (id) => containers.containerUsingImage(id),
    containerCount: (id) => store.all().filter((c) => c.image === id).length,
  });

  const server = new ApiServer(router, logger.child({ module: 'api' }));
  for (const host of effectiveHosts(config)) {
    // As dockerd: TLS applies to tcp:// listeners only; the unix socket is guarded by its file mode.
    const tls = config.tls?.cert && host.startsWith('tcp://')
      ? { key: await fs.readFile(config.tls.key), cert: await fs.readFile(config.tls.cert), ca: config.tls.ca ? await fs.readFile(config.tls.ca) : undefined, verifyClients: config.tls.verify }
      : undefined;
    await server.listen({ url: host, tls });
    logger.info('API listen on ' + host);
  }
  events.publish('daemon', 'start', await daemonId(config.dataRoot), { name: os.hostname() });
  logger.info('berthd started', { version: BERTH_VERSION, runtime: config.runtime, dataRoot: config.dataRoot, execRoot: config.execRoot });

  return {
    async close() {
      // Live restore: containers keep running under conmon; only the API goes away.
      execs.close();
      containers.close();
      networks.close();
      await server.close();
      await fs.rm(config.pidfile, { force: true });
    },
  };
}

/** A value made on first call, once. */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

/** Refuses to start when another live berthd holds the pidfile; a stale one is replaced. */
async function claimPidfile(pidfile: string): Promise<void> {
  await fs.mkdir(path.dirname(pidfile), { recursive: true });
  const old = Number((await fs.readFile(pidfile, 'utf8').catch(() => '')).trim());
  if (old && old !== process.pid) {
    let alive = false;
    try {
      process.kill(old, 0);
      const cmd = await fs.readFile(`/proc/${old}/cmdline`, 'utf8').catch(() => '');
      alive = cmd.includes('berthd');
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`pid file found, ensure berthd is not running or delete ${pidfile} (pid ${old} is running)`);
  }
  await fs.writeFile(pidfile, String(process.pid));
}

async function daemonId(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, 'engine-id');
  let id = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (!id) {
    id = crypto.randomUUID();
    await fs.writeFile(file, id);
  }
  return id;
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const p of paths) if (await fs.access(p).then(() => true, () => false)) return p;
  return undefined;
}

async function osName(): Promise<string> {
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
}

