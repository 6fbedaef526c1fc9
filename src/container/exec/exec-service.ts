import { conflict, EngineError, internal, notFound } from '../../errdefs/index.js';
import type { EngineEvent } from '../../events/index.js';
import type { ExecCreateRequest } from '../../api/types/exec.js';
import { allCapabilities, exitCodeForStartError, processUser, resolveUser, type ExecProcess, type ExecRuntime, type ExecSession } from '../../runtime/index.js';
import { newId, type Logger } from '../../util/index.js';
import type { ContainerService } from '../container-service.js';
import type { ContainerRecord } from '../container-record.js';
import { decodeExecConfig, eventCommand, execEnvironment, type ExecConfig } from './exec-config.js';

/**
 * Exec instances: processes started inside a running container beside its init, each under its own
 * conmon (runtime/ExecRuntime).
 *
 * Lifecycle of an instance: create (checked against the container: running, not paused; nothing runs
 * yet; `exec_create`) → start, once (`exec_start`; the process is started attached, its output connected
 * before it runs) → running → exited (ExitCode set, then `exec_die`, then the client's stream ends, so an
 * inspect after the stream always sees the final code). A start that fails (not found, not executable, no
 * such user) leaves ExitCode 127 or 126, as Docker's does, and no `exec_die`.
 *
 * Instances live in memory only, as in dockerd. When their container dies, the ones never started are
 * dropped at once (a later start is a 404, as in Docker) and the others shortly after (so the client of an
 * exec that killed its own container can still read its exit code); when it is destroyed, all of them at once.
 */
export interface ExecServiceDeps {
  /** the container service's extension surface */
  containers: Pick<ContainerService, 'get' | 'publishEvent'>;
  runtime: ExecRuntime;
  /** the event bus: the service publishes through `containers` and listens here for die/destroy */
  events: { subscribe(onEvent: (e: EngineEvent) => void): () => void };
  logger: Logger;
  /** how long instances outlive their container's death (ms); default 5 s */
  graceMs?: number;
  /** finished instances kept per running container (oldest dropped first); default 256 */
  keepFinished?: number;
}

export type ExecState = 'created' | 'starting' | 'running' | 'exited';

/** An exec instance as inspect shows it. */
export interface ExecInstanceView {
  id: string;
  containerId: string;
  config: ExecConfig;
  state: ExecState;
  exitCode: number | null;
  pid: number;
}

/** The client side of a started exec: output goes to `onData` until the process exits or detach() is called. */
export interface ExecIo {
  onData(stream: 1 | 2, data: Buffer): void;
}

export interface ExecStream {
  writeStdin(data: Buffer): void;
  /** the client's stdin ended: close the process's stdin */
  closeStdin(): void;
  /** stops forwarding output and input; the process keeps running */
  detach(): void;
  /** resolves once the process has exited and ExitCode is final, or at detach() */
  done: Promise<void>;
}

interface ExecInstance extends ExecInstanceView {
  session?: ExecSession;
  /** a resize that came before the process ran (the docker CLI sends one right after start) */
  pendingSize?: { height: number; width: number };
  finishedAt?: number;
}

export class ExecService {
  private readonly execs = new Map<string, ExecInstance>();
  private readonly unsubscribe: () => void;
  private readonly graceMs: number;
  private readonly keepFinished: number;

  constructor(private readonly deps: ExecServiceDeps) {
    this.graceMs = deps.graceMs ?? 5000;
    this.keepFinished = deps.keepFinished ?? 256;
    this.unsubscribe = deps.events.subscribe((e) => {
      if (e.Type !== 'container') return;
      if (e.Action === 'die') this.containerDied(e.Actor.ID);
      else if (e.Action === 'destroy') this.dropAll(e.Actor.ID);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  // ---------------------------------------------------------------- create, inspect

  create(idOrName: string, req: ExecCreateRequest | undefined): { Id: string } {
    const rec = this.deps.containers.get(idOrName);
    checkRunnable(rec, idOrName);
    const config = decodeExecConfig(req);
    const inst: ExecInstance = { id: newId(), containerId: rec.id, config, state: 'created', exitCode: null, pid: 0 };
    this.execs.set(inst.id, inst);
    this.deps.containers.publishEvent(rec, `exec_create: ${eventCommand(config.cmd)}`, { execID: inst.id });
    return { Id: inst.id };
  }

  inspect(execId: string): ExecInstanceView {
    const { session: _s, pendingSize: _p, finishedAt: _f, ...view } = this.find(execId);
    return { ...view, config: { ...view.config } };
  }

  /** Docker's ExecIDs of a container: instances created or running (moby's container.ExecCommands); null when none. */
  execIdsOf(containerId: string): string[] | null {
    const ids = [...this.execs.values()].filter((e) => e.containerId === containerId && e.state !== 'exited').map((e) => e.id);
    return ids.length > 0 ? ids : null;
  }

  private find(execId: string): ExecInstance {
    const inst = this.execs.get(execId);
    if (!inst) throw notFound(`No such exec instance: ${execId}`);
    return inst;
  }

  // ---------------------------------------------------------------- start

  /**
   * Starts the process. Detached, `io` is left out and stdin stays closed. Rejects with Docker's errors:
   * 404 unknown instance, 409 started before / container not running or paused; a process that cannot
   * run rejects with the runtime's message (ExitCode 126/127 is set first).
   */
  async start(execId: string, opts: { detach: boolean; consoleSize?: { height: number; width: number } }, io?: ExecIo): Promise<ExecStream> {
    const inst = this.find(execId);
    // moby's wording, both Conflict
    if (inst.exitCode !== null) throw conflict(`Error: Exec command ${inst.id} has already run`);
    if (inst.state !== 'created') throw conflict(`Error: Exec command ${inst.id} is already running`);
    inst.state = 'starting';
    const { config } = inst;
    const attached = !opts.detach && io !== undefined;
    let session: ExecSession;
    let initialSize: { height: number; width: number } | undefined;
    try {
      const rec = this.deps.containers.get(inst.containerId);
      checkRunnable(rec, rec.id);
      // the latest size wins: a resize sent before the start, then the start's, then the create's
      initialSize = inst.pendingSize ?? opts.consoleSize ?? config.consoleSize;
      const process = await this.processFor(rec, config, initialSize);
      this.deps.containers.publishEvent(rec, `exec_start: ${eventCommand(config.cmd)}`, { execID: inst.id });
      session = await this.deps.runtime.exec({ id: rec.id, execId: inst.id, process, terminal: config.tty, openStdin: attached && config.attachStdin });
    } catch (err) {
      inst.state = 'exited';
      inst.finishedAt = Date.now();
      // Docker: 126 for a process that could not be started, 127 when its command was not found
      inst.exitCode = exitCodeForStartError(err, config.cmd[0]) ?? 126;
      throw startError(err);
    }
    inst.session = session;
    inst.pid = session.pid;
    inst.state = 'running';
    // a resize that came while the process was being started
    if (inst.pendingSize && inst.pendingSize !== initialSize && config.tty) session.resize(inst.pendingSize.height, inst.pendingSize.width).catch(() => undefined);
    const finished = session.exited
      .catch((err: unknown) => {
        this.deps.logger.warn('exec: no exit code', { execId: inst.id, error: err });
        return -1;
      })
      .then((code) => this.finish(inst, code));

    const conn = session.attach;
    if (!attached) {
      conn.close();
      return { writeStdin: () => undefined, closeStdin: () => undefined, detach: () => undefined, done: finished };
    }
    let detached = false;
    let markDetached!: () => void;
    const detachedP = new Promise<void>((r) => (markDetached = r));
    conn.onData((stream, data) => {
      if (detached) return;
      if ((stream === 1 && config.attachStdout) || (stream === 2 && config.attachStderr)) io.onData(stream, data);
    });
    const closed = new Promise<void>((r) => conn.onClose(r));
    return {
      writeStdin: (d) => {
        if (!detached && config.attachStdin) conn.writeStdin(d);
      },
      closeStdin: () => {
        if (!detached) conn.closeStdin();
      },
      detach: () => {
        if (detached) return;
        detached = true;
        conn.close();
        markDetached();
      },
      done: Promise.race([Promise.all([closed, finished]).then(() => undefined), detachedP]),
    };
  }

  /** The exec's OCI process: the container's own (caps, rlimits, no-new-privileges …) with the exec's args, env, user, cwd. */
  private async processFor(rec: ContainerRecord, config: ExecConfig, size: { height: number; width: number } | undefined): Promise<ExecProcess> {
    const base = await this.deps.runtime.containerProcess(rec.id);
    // The container's root as its init sees it: layout-independent, and never mounts anything.
    // Docker's exec user gets the container's --group-add too
    const groupAdd = Array.isArray(rec.hostConfig.GroupAdd) ? rec.hostConfig.GroupAdd.map(String) : [];
    const user = await resolveUser(`/proc/${rec.state.Pid}/root`, config.user || rec.config.User || '', groupAdd);
    const hostNetwork = rec.hostConfig.NetworkMode === 'host';
    const { consoleSize: _containerSize, ...rest } = base;
    const process: ExecProcess = {
      ...rest,
      args: [...config.cmd],
      env: execEnvironment({ containerEnv: rec.config.Env, hostname: hostNetwork ? undefined : rec.config.Hostname, tty: config.tty, execEnv: config.env }),
      cwd: config.workingDir || rec.config.WorkingDir || '/',
      user: processUser(user),
      terminal: config.tty,
    };
    if (config.tty && size) process.consoleSize = size;
    if (config.privileged) {
      // moby: all capabilities (here: all the daemon has, as for --privileged containers)
      const all = allCapabilities();
      process.capabilities = { bounding: all, effective: all, permitted: all, inheritable: [] };
    }
    return process;
  }

  private finish(inst: ExecInstance, code: number): void {
    inst.exitCode = code;
    inst.state = 'exited';
    inst.session = undefined;
    inst.finishedAt = Date.now();
    try {
      const rec = this.deps.containers.get(inst.containerId);
      this.deps.containers.publishEvent(rec, 'exec_die', { execID: inst.id, exitCode: String(code) });
    } catch {
      // the container is gone; nobody to tell
    }
    this.trimFinished(inst.containerId);
  }

  // ---------------------------------------------------------------- resize

  /** Resizes the exec's TTY; before the process runs, the size is kept for its start (moby waits for the start instead). */
  async resize(execId: string, height: number, width: number): Promise<void> {
    const inst = this.find(execId);
    if (!inst.config.tty) return;
    if (inst.state === 'created' || inst.state === 'starting') {
      inst.pendingSize = { height, width };
      return;
    }
    if (inst.state === 'running' && inst.session) {
      await inst.session.resize(height, width).catch((err: unknown) => {
        // it exited meanwhile: nothing left to resize
        if (!(err instanceof EngineError && err.kind === 'Conflict')) throw err;
      });
    }
  }

  // ---------------------------------------------------------------- cleanup

  private containerDied(containerId: string): void {
    const later: string[] = [];
    for (const inst of this.execs.values()) {
      if (inst.containerId !== containerId) continue;
      if (inst.state === 'created') this.execs.delete(inst.id);
      else later.push(inst.id);
    }
    if (later.length === 0) return;
    setTimeout(() => {
      for (const id of later) {
        const inst = this.execs.get(id);
        if (inst && inst.state === 'exited') this.execs.delete(id);
        else if (inst) this.deps.logger.warn('exec still running after its container died', { execId: id, containerId });
      }
    }, this.graceMs).unref();
  }

  private dropAll(containerId: string): void {
    for (const inst of this.execs.values()) if (inst.containerId === containerId) this.execs.delete(inst.id);
  }

  private trimFinished(containerId: string): void {
    const finished = [...this.execs.values()].filter((e) => e.containerId === containerId && e.state === 'exited');
    if (finished.length <= this.keepFinished) return;
    finished.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (const e of finished.slice(0, finished.length - this.keepFinished)) this.execs.delete(e.id);
  }
}

/** moby's getActiveContainer: running, not paused, not restarting. */
function checkRunnable(rec: ContainerRecord, nameAsGiven: string): void {
  if (!rec.state.Running) throw conflict(`Container ${rec.id} is not running`);
  if (rec.state.Paused) throw conflict(`Container ${nameAsGiven} is paused, unpause the container before exec`);
  if (rec.state.Restarting) throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
}

/** Docker's runtime errors end with containerd's gRPC code (`…: unknown`); berth's own keep their wording. */
function startError(err: unknown): EngineError {
  if (!(err instanceof EngineError)) return internal(err instanceof Error ? err.message : String(err), err);
  if (/^OCI runtime exec failed: /.test(err.message) && !/: unknown$/.test(err.message)) return new EngineError(err.kind, `${err.message}: unknown`, { cause: err });
  return err;
}
