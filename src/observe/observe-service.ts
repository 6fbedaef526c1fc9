import { conflict, EngineError, internal, invalidArgument, notFound } from '../errdefs/index.js';
import type { ContainerRecord, ContainerService } from '../container/index.js';
import { mergeUpdate, updateResources, validateRestartPolicy, verifyResources } from '../container/resources.js';
import type { HostConfig } from '../api/types/container.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { locateCgroup, readNetDev, readProcStat, type CgroupMetrics, type CgroupReader, type HostResources, type InterfaceStats } from '../cgroups/index.js';
import { runCommand, CommandError } from '../util/index.js';
import { parsePsOutput, psPidsArg, validatePsArgs, type TopResult } from './ps-output.js';

/**
 * Observing and changing a running container: stats samples, top, pause/unpause and update. Works on the
 * container service's records under its per-container lock (its extension surface) and on the container's
 * cgroup (cgroups/), which the runtime created at `<cgroup-parent>/<id>`.
 */
export interface StatsSample {
  /** ISO time of the reading */
  read: string;
  /** undefined when the container is not running */
  metrics?: CgroupMetrics;
  cgroupVersion?: 1 | 2;
  systemCpuUsage: number;
  onlineCpus: number;
  /** undefined for host networking or when the namespace cannot be read */
  networks?: Record<string, InterfaceStats>;
}

/** One container's stream of samples: keeps its cgroup reader while the container keeps its pid. */
export interface StatsSampler {
  sample(): Promise<StatsSample>;
}

export class ObserveService {
  constructor(
    private readonly containers: ContainerService,
    private readonly runtime: ContainerRuntime,
    private readonly host: HostResources,
    private readonly cgroupParent: string,
  ) {}

  // ---------------------------------------------------------------- stats

  /** A sampler for one container (`No such container` at once if it does not exist). */
  sampler(idOrName: string): StatsSampler {
    const id = this.containers.get(idOrName).id;
    let reader: CgroupReader | undefined;
    let readerPid = 0;
    return {
      sample: async () => {
        const rec = this.containers.get(id);
        const read = new Date().toISOString();
        const { systemCpuUsage, onlineCpus } = await readProcStat();
        if (!rec.state.Running || rec.state.Pid <= 0) return { read, systemCpuUsage, onlineCpus };
        if (!reader || readerPid !== rec.state.Pid) {
          reader = await locateCgroup({ pid: rec.state.Pid, cgroupsPath: this.cgroupsPath(rec) });
          readerPid = rec.state.Pid;
        }
        if (!reader) return { read, systemCpuUsage, onlineCpus };
        const metrics = await reader.read();
        const networks = rec.hostConfig.NetworkMode === 'host' ? undefined : await readNetDev(rec.state.Pid);
        return { read, metrics, cgroupVersion: reader.version, systemCpuUsage, onlineCpus, networks };
      },
    };
  }

  /** Physical memory: the limit Docker reports for a container without one. */
  get memTotal(): number {
    return this.host.memTotal;
  }

  private cgroupsPath(rec: ContainerRecord): string {
    return `${this.cgroupParent}/${rec.id}`;
  }

  // ---------------------------------------------------------------- top

  async top(idOrName: string, psArgs = '-ef'): Promise<TopResult> {
    const rec = this.containers.get(idOrName);
    if (!rec.state.Running) throw conflict(`container ${rec.id} is not running`);
    if (rec.state.Restarting) throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
    validatePsArgs(psArgs);
    const reader = await locateCgroup({ pid: rec.state.Pid, cgroupsPath: this.cgroupsPath(rec) });
    const pids = reader ? await reader.pids() : [];
    if (pids.length === 0 && rec.state.Pid > 0) pids.push(rec.state.Pid);
    const args = psArgs.split(' ');
    let output: string;
    try {
      output = (await runCommand('ps', [...args, psPidsArg(pids)])).stdout;
    } catch {
      // some ps options (such as f) cannot be combined with -q: retry without it, as Docker does
      try {
        output = (await runCommand('ps', args)).stdout;
      } catch (err) {
        const first = err instanceof CommandError ? err.stderr.split('\n')[0] : String(err);
        throw internal(`ps: ${first || (err as Error).message}`);
      }
    }
    try {
      return parsePsOutput(output, pids);
    } catch (err) {
      throw internal((err as Error).message);
    }
  }

  // ---------------------------------------------------------------- pause, unpause

  async pause(idOrName: string): Promise<void> {
    await this.containers.withContainer(idOrName, async (rec) => {
      if (!rec.state.Running) throw conflict(`container ${rec.id} is not running`);
      if (rec.state.Paused) throw conflict(`container ${rec.id} is already paused`);
      if (rec.state.Restarting) throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
      try {
        await this.runtime.pause(rec.id);
      } catch (err) {
        throw wrap(err, `cannot pause container ${rec.id}`);
      }
      rec.state = { ...rec.state, Paused: true, Status: 'paused' };
      await this.containers.saveRecord(rec);
      this.containers.publishEvent(rec, 'pause');
    });
  }

  async unpause(idOrName: string): Promise<void> {
    await this.containers.withContainer(idOrName, async (rec) => {
      if (!rec.state.Paused) throw conflict(`container ${rec.id} is not paused`);
      try {
        await this.runtime.resume(rec.id);
      } catch (err) {
        throw wrap(err, `cannot resume container ${rec.id}`);
      }
      rec.state = { ...rec.state, Paused: false, Status: rec.state.Running ? 'running' : rec.state.Status };
      await this.containers.saveRecord(rec);
      this.containers.publishEvent(rec, 'unpause');
    });
  }

  // ---------------------------------------------------------------- update

  /**
   * Docker's update: the given limits checked (as at create, but swap without memory is allowed), merged
   * into HostConfig, applied to a running or paused container through the runtime, and kept only if that
   * worked. A stopped container gets them at its next start.
   */
  async update(idOrName: string, body: HostConfig): Promise<{ Warnings: string[] }> {
    if (!body || typeof body !== 'object') throw invalidArgument('update config cannot be empty');
    const change: HostConfig = { ...body };
    validateRestartPolicy(change.RestartPolicy);
    const warnings = verifyResources(change, this.host, { update: true });
    await this.containers.withContainer(idOrName, async (rec) => {
      const cannot = (err: unknown) => wrap(err, `Cannot update container ${rec.id}`);
      if (rec.state.Status === 'removing' || rec.state.Dead) throw conflict(`Cannot update container ${rec.id}: container is marked for removal and cannot be "update"`);
      let next: HostConfig;
      try {
        next = mergeUpdate(rec.hostConfig, change);
      } catch (err) {
        throw cannot(err);
      }
      if (rec.state.Running && !rec.state.Restarting) {
        try {
          await this.runtime.update(rec.id, updateResources(next));
        } catch (err) {
          throw cannot(err);
        }
      }
      rec.hostConfig = next;
      await this.containers.saveRecord(rec);
      this.containers.publishEvent(rec, 'update');
    });
    return { Warnings: warnings };
  }
}

/** The error with Docker's prefix, keeping its kind (not-found stays 404, conflicts 409, the rest 500). */
function wrap(err: unknown, prefix: string): EngineError {
  if (err instanceof EngineError) {
    if (err.kind === 'NotFound') return notFound(err.message);
    return new EngineError(err.kind, `${prefix}: ${err.message}`, { cause: err });
  }
  return internal(`${prefix}: ${err instanceof Error ? err.message : String(err)}`, err);
}
