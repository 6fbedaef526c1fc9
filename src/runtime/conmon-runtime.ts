import { spawn } from 'node:child_process';
import { promises as fs, constants as fsc, openSync, closeSync, existsSync, accessSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { conflict, EngineError, internal, invalidArgument, notFound } from '../errdefs/index.js';
import { atomicWriteFile, CommandError, Logger, runCommand } from '../util/index.js';
import type { AttachConnection, ContainerRuntime, CreateOptions, ExecOptions, ExecProcess, ExecRuntime, ExecSession, RuntimeState, RuntimeStatus } from './container-runtime.js';
import { connectSeqpacket } from './seqpacket.js';
import { reviveRlimits, serializeOciJson, serializeRuntimeSpec } from './spec-builder.js';

/**
 * ContainerRuntime over conmon + runc (or crun). See container-runtime.ts for the layout and lifecycle.
 *
 * conmon is spawned detached in its own session; it double-forks, so the process that stays is not our
 * child and survives berthd. It runs `<runtime> --root <root> create --bundle … <id>`, reports the
 * container's pid (or the runtime's error) on the sync pipe (fd 3, `_OCI_SYNCPIPE`), then keeps the
 * container's stdio: the k8s-file log, the attach socket (`<socket-dir>/<id>` is a symlink to the bundle,
 * which holds `attach`, `ctl` and `winsz`) and, when the container exits, `<exit-dir>/<id>`.
 * Everything else (start, kill, state, delete, pause, resume) is the runtime binary with the same --root.
 */
export interface ConmonRuntimeOptions {
  execRoot: string;
  runtime?: 'runc' | 'crun';
  logger?: Logger;
  /** default: found on PATH */
  conmonPath?: string;
  /** default: found on PATH */
  runtimePath?: string;
  /** how long create may take before it is abandoned (ms); default 60 s */
  createTimeoutMs?: number;
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/libexec/podman', '/usr/lib/podman'];

function findBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      accessSync(p, fsc.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw internal(`${name} not found on PATH`);
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

function checkId(id: string): void {
  // No dots: conmon writes the exit file as <id>.XXXXXX then renames it; the watcher skips names with dots.
  if (!ID_RE.test(id)) throw invalidArgument(`invalid container id: ${JSON.stringify(id)}`);
}

/** The message of the runtime's error: runc's logfmt `msg="…"`, crun's JSON/plain text. */
export function runtimeErrorMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const msgs: string[] = [];
  for (const line of lines) {
    if (line.startsWith('{')) {
      try {
        const j = JSON.parse(line) as { msg?: unknown; level?: unknown };
        if (typeof j.msg === 'string' && (j.level === undefined || j.level === 'error' || j.level === 'fatal')) msgs.push(j.msg);
        continue;
      } catch {
        // not JSON
      }
    }
    const m = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) {
      if (!/level=(warning|info|debug)/.test(line)) msgs.push(JSON.parse(`"${m[1]}"`) as string);
      continue;
    }
    msgs.push(line.replace(/^(crun|runc): /, ''));
  }
  return msgs.join('; ') || stderr.trim();
}

/**
 * Docker's reading of a start failure (moby translateContainerdStartErr): the command not found → 127,
 * not executable → 126, a mount onto the wrong file type → 127. With `command`, "not found" counts only
 * when the message names it, as in Docker.
 */
export function exitCodeForStartError(err: unknown, command?: string): number | undefined {
  const m = err instanceof Error ? err.message : String(err);
  if ((command === undefined || m.includes(command)) && /executable file not found|no such file or directory|not found in \$PATH/i.test(m)) return 127;
  if (/permission denied/i.test(m)) return 126;
  if (/not a directory/i.test(m)) return 127;
  return undefined;
}

/** A runtime failure as Docker reports it: the container's own fault (bad command, bad mount) is InvalidArgument. */
function runtimeFailure(what: 'create' | 'start' | 'exec', message: string, command?: string): EngineError {
  const text = `OCI runtime ${what} failed: ${message}`;
  return exitCodeForStartError(text, command) !== undefined ? invalidArgument(text) : internal(text);
}

const isMissing = (s: string): boolean => /does not exist|no such file or directory|not found/i.test(s);

async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createConmonRuntime(opts: ConmonRuntimeOptions): ContainerRuntime & ExecRuntime {
  return new ConmonRuntime(opts);
}

type SyncMessage = { data: number; message?: string };

/** Reads conmon's newline-delimited `{"data": n, "message"?: s}` messages from one of its pipes. */
class SyncReader {
  private buf = '';
  private readonly queue: SyncMessage[] = [];
  private waiter: ((m: SyncMessage | undefined) => void) | undefined;
  private ended = false;

  constructor(private readonly stream: NodeJS.ReadableStream & { destroy(): void }) {
    stream.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        try {
          const m = JSON.parse(line) as { data?: unknown; message?: unknown };
          if (typeof m.data === 'number') this.push({ data: m.data, message: typeof m.message === 'string' ? m.message : undefined });
        } catch {
          // not a sync message
        }
      }
    });
    stream.on('error', () => undefined);
    stream.on('end', () => {
      this.ended = true;
      this.flushWaiter();
    });
    stream.on('close', () => {
      this.ended = true;
      this.flushWaiter();
    });
  }

  private push(m: SyncMessage): void {
    this.queue.push(m);
    this.flushWaiter();
  }

  private flushWaiter(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.queue.length > 0) {
      this.waiter = undefined;
      w(this.queue.shift());
    } else if (this.ended) {
      this.waiter = undefined;
      w(undefined);
    }
  }

  /** The next message; undefined once conmon closed the pipe without one. */
  next(timeoutMs: number, what: string): Promise<SyncMessage | undefined> {
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.waiter = undefined;
        reject(internal(`conmon did not report ${what} within ${timeoutMs} ms`));
      }, timeoutMs) : undefined;
      this.waiter = (m) => {
        if (timer) clearTimeout(timer);
        resolve(m);
      };
      this.flushWaiter();
    });
  }

  close(): void {
    this.stream.destroy();
  }
}

class ConmonRuntime implements ContainerRuntime, ExecRuntime {
  readonly name: string;
  private readonly execRoot: string;
  private readonly log: Logger;
  private readonly runtimeRoot: string;
  private readonly exitDir: string;
  private readonly socketDir: string;
  private readonly createTimeoutMs: number;
  private conmonPathCache: string | undefined;
  private runtimePathCache: string | undefined;
  private prepared: Promise<string> | undefined;

  constructor(private readonly opts: ConmonRuntimeOptions) {
    this.name = opts.runtime ?? 'runc';
    this.execRoot = path.resolve(opts.execRoot);
    this.log = (opts.logger ?? new Logger('warn')).child({ module: 'runtime', runtime: this.name });
    this.runtimeRoot = path.join(this.execRoot, 'runtime', this.name);
    this.exitDir = path.join(this.execRoot, 'exits');
    this.socketDir = path.join(this.execRoot, 'socket');
    this.createTimeoutMs = opts.createTimeoutMs ?? 60_000;
  }

  private bundle(id: string): string {
    return path.join(this.execRoot, 'containers', id);
  }

  private get conmonPath(): string {
    this.conmonPathCache ??= this.opts.conmonPath ?? findBinary('conmon');
    return this.conmonPathCache;
  }

  private get runtimePath(): string {
    this.runtimePathCache ??= this.opts.runtimePath ?? findBinary(this.name);
    return this.runtimePathCache;
  }

  /** Creates the exec-root dirs; for crun on a cgroup v1/v2 hybrid host, writes the create wrapper. Returns the path conmon runs. */
  private prepare(): Promise<string> {
    this.prepared ??= (async () => {
      for (const d of [this.runtimeRoot, this.exitDir, this.socketDir, path.join(this.execRoot, 'containers')]) await fs.mkdir(d, { recursive: true, mode: 0o711 });
      await this.sweepExecSessions().catch((err) => this.log.warn('exec session sweep failed', { error: err }));
      if (this.name !== 'crun' || !existsSync('/sys/fs/cgroup/unified')) return this.runtimePath;
      // crun 1.8 refuses hybrid cgroups (hugetlb on cgroup2); hide the v2 mount in a private mount namespace for create only.
      const wrapper = path.join(this.execRoot, 'crun-create');
      const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
      const script = `#!/bin/sh\n# written by berthd: crun create without the cgroup2 mount of a hybrid host\nexec unshare --mount --propagation slave sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' ${q(this.runtimePath)} "$@"\n`;
      await atomicWriteFile(wrapper, script, 0o755);
      return wrapper;
    })();
    this.prepared.catch(() => {
      this.prepared = undefined;
    });
    return this.prepared;
  }

  private async runtime(args: string[]): Promise<string> {
    const { stdout } = await runCommand(this.runtimePath, [`--root=${this.runtimeRoot}`, ...args], { timeoutMs: 60_000 });
    return stdout;
  }

  async create(o: CreateOptions): Promise<{ pid: number }> {
    checkId(o.id);
    const conmonRuntime = await this.prepare();
    const bundle = this.bundle(o.id);
    if ((await this.state(o.id)) !== null) throw conflict(`container ${o.id} already exists in the runtime`);
    await fs.rm(bundle, { recursive: true, force: true });
    await fs.rm(path.join(this.exitDir, o.id), { force: true });
    await fs.mkdir(bundle, { recursive: true, mode: 0o700 });
    await fs.mkdir(path.dirname(o.logPath), { recursive: true });
    // conmon's -t and the spec's process.terminal must agree, or the runtime waits on a console socket that never comes
    const spec = { ...o.spec, process: { ...o.spec.process, terminal: o.terminal } };
    await atomicWriteFile(path.join(bundle, 'config.json'), serializeRuntimeSpec(spec), 0o600);

    const args = [
      '--api-version', '1',
      '-c', o.id, '-u', o.id, '-n', o.id,
      '-r', conmonRuntime,
      '-b', bundle,
      '-p', path.join(bundle, 'pidfile'),
      '-P', path.join(bundle, 'conmon.pid'),
      '-l', `k8s-file:${o.logPath}`,
      '--exit-dir', this.exitDir,
      '--socket-dir-path', this.socketDir,
      '--log-level', 'warning',
      '--runtime-arg', `--root=${this.runtimeRoot}`,
    ];
    if (o.openStdin) {
      args.push('-i');
      if (!o.stdinOnce) args.push('--leave-stdin-open');
    }
    if (o.terminal) args.push('-t');

    const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: '3' };
    for (const k of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET', '_OCI_STARTPIPE', '_OCI_ATTACHPIPE']) delete env[k];
    const errFile = path.join(bundle, 'conmon.err');
    let result: { data: number; message?: string } | undefined;
    try {
      result = await this.spawnConmon(args, bundle, env, errFile);
    } catch (err) {
      await this.delete(o.id, { force: true }).catch(() => undefined);
      throw err;
    }
    if (result && result.data > 0) return { pid: result.data };

    // Failed: collect what the runtime and conmon said, then leave nothing behind.
    const conmonErr = await fs.readFile(errFile, 'utf8').catch(() => '');
    const message = result?.message ? runtimeErrorMessage(result.message) : conmonErr.trim() || 'conmon exited without reporting the container';
    this.log.warn('container create failed', { id: o.id, error: message });
    await this.delete(o.id, { force: true }).catch((err) => this.log.warn('cleanup after failed create', { id: o.id, error: err }));
    throw runtimeFailure('create', message, o.spec.process.args[0]);
  }

  /** Spawns conmon detached and waits for its sync-pipe report: {data: pid} or {data: -1, message}; undefined if it said nothing. */
  private async spawnConmon(args: string[], bundle: string, env: NodeJS.ProcessEnv, errFile: string): Promise<{ data: number; message?: string } | undefined> {
    const errFd = openSync(errFile, 'w', 0o600);
    let child;
    try {
      child = spawn(this.conmonPath, args, { cwd: bundle, detached: true, stdio: ['ignore', 'ignore', errFd, 'pipe'], env });
    } finally {
      closeSync(errFd);
    }
    this.log.debug('conmon spawned', { args: args.join(' ') });
    try {
      return await new Promise<{ data: number; message?: string } | undefined>((resolve, reject) => {
        const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
        let buf = '';
        const timer = setTimeout(() => {
          pipe.destroy();
          reject(internal(`conmon did not report the container within ${this.createTimeoutMs} ms`));
        }, this.createTimeoutMs);
        const done = (v: { data: number; message?: string } | undefined): void => {
          clearTimeout(timer);
          pipe.destroy();
          resolve(v);
        };
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(internal(`cannot run conmon: ${err.message}`, err));
        });
        pipe.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              const msg = JSON.parse(line) as { data?: unknown; message?: unknown };
              if (typeof msg.data === 'number') return done({ data: msg.data, message: typeof msg.message === 'string' ? msg.message : undefined });
            } catch {
              // not a sync message
            }
          }
        });
        pipe.on('error', () => undefined);
        pipe.on('end', () => done(undefined));
      });
    } finally {
      child.unref();
    }
  }

  async containerProcess(id: string): Promise<ExecProcess> {
    checkId(id);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.bundle(id), 'config.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw conflict(`Container ${id} is not running`);
      throw err;
    }
    const spec = JSON.parse(text) as { process?: ExecProcess };
    if (!spec.process) throw internal(`container ${id} has no process in its config.json`);
    reviveRlimits(spec.process.rlimits);
    return spec.process;
  }

  /**
   * conmon's exec protocol: it waits for a byte on the start pipe, sets up the attach socket in the
   * session dir and says so on the attach pipe; we connect, send a second byte, and it runs
   * `<runtime> exec -d --process …`; the sync pipe then brings the pid and, at the end, the exit code.
   */
  async exec(o: ExecOptions): Promise<ExecSession> {
    checkId(o.id);
    checkId(o.execId);
    await this.prepare();
    const st = await this.execState(o.id);
    if (!st) throw notFound(`No such container: ${o.id}`);
    if (st.status === 'paused') throw conflict(`Container ${o.id} is paused, unpause the container before exec`);
    if (st.status !== 'running') throw conflict(`Container ${o.id} is not running`);
    const dir = path.join(this.execRoot, 'exec', o.execId);
    if (await pathExists(dir)) throw conflict(`exec session ${o.execId} already exists`);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const cleanup = async (): Promise<void> => {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(path.join(this.socketDir, o.execId), { force: true });
    };
    try {
      // a fresh session dir that no crash needs to find intact: no fsync (it cost ~5 ms per exec)
      await fs.writeFile(path.join(dir, 'process.json'), serializeOciJson({ ...o.process, terminal: o.terminal }), { mode: 0o600 });
      const args = [
        '--api-version', '1',
        '-c', o.id, '-u', o.execId, '-n', o.id,
        '-r', this.runtimePath,
        '-b', dir,
        '-p', path.join(dir, 'pid'),
        '-P', path.join(dir, 'conmon.pid'),
        '-l', `k8s-file:${path.join(dir, 'exec.log')}`,
        '--exit-dir', dir,
        '--socket-dir-path', this.socketDir,
        '--log-level', 'warning',
        '-e', '--exec-process-spec', path.join(dir, 'process.json'), '--exec-attach',
        '--runtime-arg', `--root=${this.runtimeRoot}`,
      ];
      if (o.openStdin) args.push('-i');
      if (o.terminal) args.push('-t');
      const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' };
      for (const k of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET']) delete env[k];
      const errFd = openSync(path.join(dir, 'conmon.err'), 'w', 0o600);
      let child;
      try {
        child = spawn(this.conmonPath, args, { cwd: dir, detached: true, stdio: ['ignore', 'ignore', errFd, 'pipe', 'pipe', 'pipe'], env });
      } finally {
        closeSync(errFd);
      }
      child.on('error', (err) => this.log.warn('cannot run conmon for exec', { id: o.id, error: err }));
      child.unref();
      type Pipe = NodeJS.ReadWriteStream & { destroy(): void; unref?(): void };
      const stdio = child.stdio as unknown as Pipe[];
      const [syncPipe, startPipe, attachPipe] = [stdio[3], stdio[4], stdio[5]] as [Pipe, Pipe, Pipe];
      const sync = new SyncReader(syncPipe);
      const attached = new SyncReader(attachPipe);
      let conn: AttachConnection | undefined;
      try {
        startPipe.write('0');
        const ready = await attached.next(this.createTimeoutMs, 'the exec attach socket');
        if (!ready) throw internal(`conmon exited before exec: ${(await fs.readFile(path.join(dir, 'conmon.err'), 'utf8').catch(() => '')).trim()}`);
        conn = connectSeqpacket(dir, 'attach');
        startPipe.write('1');
        const started = await sync.next(this.createTimeoutMs, 'the exec pid');
        if (!started || started.data <= 0) {
          const msg = started?.message ? runtimeErrorMessage(started.message) : 'conmon exited without starting the process';
          conn.close();
          throw runtimeFailure('exec', msg, o.process.args[0]);
        }
        attached.close();
        startPipe.destroy();
        const exited = sync.next(0, 'the exec exit code').then(async (m) => {
          sync.close();
          let code = m?.data;
          if (code === undefined) code = Number.parseInt(await fs.readFile(path.join(dir, o.id), 'utf8').catch(() => ''), 10);
          await cleanup().catch(() => undefined);
          return Number.isFinite(code) ? (code as number) : -1;
        });
        return { pid: started.data, attach: conn, exited, resize: (h, w) => this.writeCtl(path.join(dir, 'ctl'), h, w, () => conflict(`exec session ${o.execId} is not running`)) };
      } catch (err) {
        sync.close();
        attached.close();
        startPipe.destroy();
        conn?.close();
        throw err;
      }
    } catch (err) {
      await cleanup().catch(() => undefined);
      throw err;
    }
  }

  /**
   * The state exec needs, without spawning the runtime (`runc state` costs ~10 ms, a seventh of an exec):
   * runc's own state.json names the init's pid and start time and the freezer cgroup, which is all that
   * `runc state` reads to tell running, paused and stopped apart. crun keeps another format: asked instead.
   */
  private async execState(id: string): Promise<RuntimeState | null> {
    if (this.name !== 'runc') return this.state(id);
    let st: { init_process_pid?: number; init_process_start?: number | string; cgroup_paths?: Record<string, string> };
    try {
      st = JSON.parse(await fs.readFile(path.join(this.runtimeRoot, id, 'state.json'), 'utf8')) as typeof st;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return this.state(id);
    }
    const pid = st.init_process_pid ?? 0;
    const stat = pid > 0 ? await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '') : '';
    // after the command's closing parenthesis: field 3 (state) first, field 22 (starttime) 20th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!stat || fields[0] === 'Z' || fields[0] === 'X' || fields[19] !== String(st.init_process_start)) return { status: 'stopped', pid: 0 };
    const cg = st.cgroup_paths ?? {};
    const freezeFile = cg.freezer ? path.join(cg.freezer, 'freezer.state') : cg[''] ? path.join(cg[''], 'cgroup.freeze') : undefined;
    const frozen = freezeFile ? (await fs.readFile(freezeFile, 'utf8').catch(() => '')).trim() : '';
    return { status: frozen === 'FROZEN' || frozen === 'FREEZING' || frozen === '1' ? 'paused' : 'running', pid };
  }

  async start(id: string): Promise<void> {
    checkId(id);
    await this.runtimeOp(id, ['start', id]);
  }

  async kill(id: string, signal: string | number): Promise<void> {
    checkId(id);
    let sig = typeof signal === 'number' ? String(signal) : signal.trim().toUpperCase();
    if (sig.startsWith('SIG')) sig = sig.slice(3);
    if (!/^(\d+|[A-Z0-9+-]+)$/.test(sig) || sig === '') throw invalidArgument(`Invalid signal: ${signal}`);
    await this.runtimeOp(id, ['kill', id, sig]);
  }

  async pause(id: string): Promise<void> {
    checkId(id);
    await this.runtimeOp(id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    checkId(id);
    await this.runtimeOp(id, ['resume', id]);
  }

  async update(id: string, resources: Record<string, unknown>): Promise<void> {
    checkId(id);
    const file = path.join(this.bundle(id), 'resources-update.json');
    await atomicWriteFile(file, JSON.stringify(resources), 0o600);
    try {
      await this.runtimeOp(id, ['update', `--resources=${file}`, id]);
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  async oomKilled(id: string): Promise<boolean> {
    checkId(id);
    // conmon creates `oom` in its working directory (the bundle) when the cgroup's OOM event fires
    return pathExists(path.join(this.bundle(id), 'oom'));
  }

  /** Runs a runtime command, turning its errors into Docker's kinds and wording. */
  private async runtimeOp(id: string, args: string[]): Promise<void> {
    try {
      await this.runtime(args);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const msg = runtimeErrorMessage(err.stderr || err.stdout);
      if (isMissing(msg) && !/executable file/i.test(msg)) throw notFound(`No such container: ${id}`);
      if (/not running|is stopped|container is not|cannot (kill|pause|resume)|not paused|already paused|no such process/i.test(msg)) throw conflict(`Container ${id}: ${msg}`);
      if (args[0] === 'start') throw runtimeFailure('start', msg);
      throw internal(`${this.name} ${args[0]} failed: ${msg}`, err);
    }
  }

  async state(id: string): Promise<RuntimeState | null> {
    checkId(id);
    // runc and crun keep one directory per container under --root: without it the runtime cannot know
    // the container, and asking would cost a process spawn (~8 ms) on every create and delete.
    if (!(await pathExists(path.join(this.runtimeRoot, id)))) return null;
    let out: string;
    try {
      out = await this.runtime(['state', id]);
    } catch (err) {
      if (err instanceof CommandError && isMissing(err.stderr + err.stdout)) return null;
      throw err;
    }
    const j = JSON.parse(out) as { status?: string; pid?: number };
    const map: Record<string, RuntimeStatus> = { creating: 'created', created: 'created', running: 'running', paused: 'paused', pausing: 'running', stopped: 'stopped' };
    const status = map[j.status ?? ''] ?? 'stopped';
    return { status, pid: status === 'stopped' ? 0 : j.pid ?? 0 };
  }

  async delete(id: string, o: { force?: boolean } = {}): Promise<void> {
    checkId(id);
    const bundle = this.bundle(id);
    try {
      if (await pathExists(path.join(this.runtimeRoot, id))) await this.runtime(o.force ? ['delete', '--force', id] : ['delete', id]);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const msg = runtimeErrorMessage(err.stderr || err.stdout);
      if (!isMissing(msg)) {
        if (/not stopped|running|paused/i.test(msg)) throw conflict(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
        throw internal(`${this.name} delete failed: ${msg}`, err);
      }
    }
    // conmon writes the exit file once the init is gone; wait for it so that no stale file outlives us.
    const conmonPid = Number.parseInt(await fs.readFile(path.join(bundle, 'conmon.pid'), 'utf8').catch(() => ''), 10);
    if (conmonPid > 0) {
      for (let i = 0; i < 100 && alive(conmonPid) && (await this.isOurConmon(conmonPid, id)); i++) await sleep(50);
      if (alive(conmonPid) && (await this.isOurConmon(conmonPid, id))) {
        this.log.warn('conmon still running after delete; killing it', { id, pid: conmonPid });
        try {
          process.kill(conmonPid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await fs.rm(bundle, { recursive: true, force: true });
    await fs.rm(path.join(this.exitDir, id), { force: true });
    await fs.rm(path.join(this.socketDir, id), { force: true });
  }

  /**
   * Exec sessions whose conmon is gone (berthd died while they ran; their records lived in its memory)
   * leave their session dirs behind: remove them, once, on first use after start.
   */
  private async sweepExecSessions(): Promise<void> {
    const root = path.join(this.execRoot, 'exec');
    for (const execId of await fs.readdir(root).catch(() => [] as string[])) {
      const dir = path.join(root, execId);
      const pid = Number.parseInt(await fs.readFile(path.join(dir, 'conmon.pid'), 'utf8').catch(() => ''), 10);
      const cmdline = pid > 0 ? await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
      if (cmdline.startsWith('conmon') && cmdline.split('\0').includes(dir)) continue; // still running
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(path.join(this.socketDir, execId), { force: true });
    }
  }

  /** Guards against pid reuse: the process must be conmon with our container id. */
  private async isOurConmon(pid: number, id: string): Promise<boolean> {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    return path.basename(argv[0] ?? '') === 'conmon' && argv.includes(id) && argv.includes(this.exitDir);
  }

  async readExitCode(id: string): Promise<number | null> {
    checkId(id);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.exitDir, id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const code = Number.parseInt(text.trim(), 10);
    return Number.isFinite(code) ? code : null;
  }

  onExit(cb: (id: string, exitCode: number) => void): () => void {
    const seen = new Map<string, string>();
    let watcher: FSWatcher | undefined;
    let stopped = false;
    const check = async (name: string): Promise<void> => {
      if (stopped || !ID_RE.test(name)) return;
      const file = path.join(this.exitDir, name);
      const st = await fs.stat(file).catch(() => undefined);
      if (!st || !st.isFile()) return;
      const identity = `${st.ino}:${st.mtimeMs}:${st.size}`;
      if (seen.get(name) === identity) return;
      const code = await this.readExitCode(name).catch(() => null);
      if (code === null || stopped || seen.get(name) === identity) return;
      seen.set(name, identity);
      try {
        cb(name, code);
      } catch (err) {
        this.log.error('onExit callback failed', { id: name, error: err });
      }
    };
    const scan = async (): Promise<void> => {
      const names = await fs.readdir(this.exitDir).catch(() => [] as string[]);
      for (const n of names) await check(n);
    };
    void (async () => {
      await fs.mkdir(this.exitDir, { recursive: true });
      if (stopped) return;
      watcher = watch(this.exitDir, { persistent: false }, (_event, filename) => {
        if (filename) void check(filename.toString());
        else void scan();
      });
      watcher.on('error', (err) => this.log.error('exit dir watch failed', { error: err }));
      // files written before the watch started (e.g. while berthd was down)
      await scan();
    })().catch((err) => this.log.error('cannot watch the exit dir', { error: err }));
    return () => {
      stopped = true;
      watcher?.close();
    };
  }

  async attach(id: string): Promise<AttachConnection> {
    checkId(id);
    const bundle = this.bundle(id);
    if (!(await pathExists(bundle))) throw notFound(`No such container: ${id}`);
    try {
      return connectSeqpacket(bundle, 'attach');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED') throw conflict(`container ${id} is not running`);
      throw internal(`cannot attach to container ${id}: ${(err as Error).message}`, err);
    }
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    checkId(id);
    await this.writeCtl(path.join(this.bundle(id), 'ctl'), height, width, () => notFound(`No such container: ${id}`));
  }

  /** Sends a resize to conmon's ctl fifo; `gone` is the error when the fifo does not exist. */
  private async writeCtl(ctl: string, height: number, width: number, gone: () => EngineError): Promise<void> {
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) throw invalidArgument(`invalid terminal size ${height}x${width}`);
    let fh;
    try {
      // O_NONBLOCK: fails with ENXIO instead of hanging when no conmon reads the fifo
      fh = await fs.open(ctl, fsc.O_WRONLY | fsc.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw gone();
      if (code === 'ENXIO') throw conflict(`${path.basename(path.dirname(ctl))} is not running`);
      throw err;
    }
    try {
      // conmon's ctl message: "<type> <height> <width>\n", type 1 = window resize (it forwards to winsz)
      await fh.write(`1 ${Math.min(height, 1000)} ${Math.min(width, 1000)}\n`);
    } finally {
      await fh.close();
    }
  }
}
