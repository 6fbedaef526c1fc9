/**
 * An OCI runtime (runc, or crun) driven through conmon, one conmon per container, never a child of berthd.
 *
 * Layout under the exec root: <exec-root>/containers/<id>/ is the bundle (config.json, pidfile, conmon.pid,
 * attach socket, ctl/winsz fifos); <exec-root>/exits/<id> is conmon's exit file; <exec-root>/runtime/<name>
 * is the runtime's --root (never the runtime's default root). Container logs live under the data root
 * (passed in as logPath) so they survive a reboot.
 *
 * Lifecycle: create (conmon spawned detached, runtime `create`, resolves once conmon reports the pid
 * through its sync pipe) → start → [kill]* → exit (conmon writes the exit file; onExit fires) → delete.
 * After a daemon restart: state() and readExitCode() recover what happened while it was away.
 */
export interface RuntimeSpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** The OCI runtime-spec config.json, as loosely typed as the spec is large. */
export interface RuntimeSpec {
  ociVersion: string;
  process: Record<string, unknown> & { args: string[]; env: string[]; cwd: string; terminal?: boolean };
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: RuntimeSpecMount[];
  linux: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CreateOptions {
  id: string;
  spec: RuntimeSpec;
  /** k8s-file log written by conmon */
  logPath: string;
  terminal: boolean;
  openStdin: boolean;
  /** close stdin after the first attach detaches (docker run -i without -d) */
  stdinOnce: boolean;
}

export type RuntimeStatus = 'created' | 'running' | 'stopped' | 'paused';

export interface RuntimeState {
  status: RuntimeStatus;
  pid: number;
}

/** A connection to conmon's attach socket: container output in, stdin out. */
export interface AttachConnection {
  /** stream 1 stdout, 2 stderr (with a TTY everything is stdout) */
  onData(cb: (stream: 1 | 2, data: Buffer) => void): void;
  /** called once when conmon closes the socket (container exited) or close() was called */
  onClose(cb: () => void): void;
  writeStdin(data: Buffer): void;
  /** half-close: conmon closes the container's stdin (unless it was started with --leave-stdin-open) */
  closeStdin(): void;
  close(): void;
}

export interface ContainerRuntime {
  readonly name: string;
  /** Writes the bundle and starts conmon; resolves with the container init's pid once the runtime created it. */
  create(opts: CreateOptions): Promise<{ pid: number }>;
  start(id: string): Promise<void>;
  /** signal: a name ("TERM", "SIGKILL") or number */
  kill(id: string, signal: string | number): Promise<void>;
  /** null when the runtime does not know the container */
  state(id: string): Promise<RuntimeState | null>;
  /** Removes the runtime's state and the bundle dir; force kills first. Missing containers are not an error. */
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  /** The code conmon wrote into the exit file, or null if there is none (yet). */
  readExitCode(id: string): Promise<number | null>;
  /** Calls back for every exit file conmon writes (fs.watch on the exit dir). Returns an unsubscribe. */
  onExit(cb: (id: string, exitCode: number) => void): () => void;
  /** Opens conmon's attach socket. Connect before start() to lose no output. */
  attach(id: string): Promise<AttachConnection>;
  /** Sets the TTY size through conmon's winsz fifo. */
  resize(id: string, height: number, width: number): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /**
   * Changes the cgroup limits of a running or paused container (`<runtime> update --resources`):
   * `resources` is an OCI LinuxResources object; fields left out stay as they are.
   */
  update(id: string, resources: Record<string, unknown>): Promise<void>;
  /** Whether the kernel's OOM killer acted in the container (conmon's `<bundle>/oom`); ask before delete(). */
  oomKilled(id: string): Promise<boolean>;
}

/** An OCI process object (runtime-spec `process`) for an exec session. */
export type ExecProcess = Record<string, unknown> & { args: string[]; env: string[]; cwd: string; terminal?: boolean };

export interface ExecOptions {
  /** the container */
  id: string;
  /** the exec session's own id ([A-Za-z0-9_-]) */
  execId: string;
  /**
   * the whole process: env already merged with the container's (runtimes replace, not add), user, caps …;
   * with a TTY set `consoleSize: {height, width}` for the initial size (the process starts at once)
   */
  process: ExecProcess;
  terminal: boolean;
  openStdin: boolean;
}

/** A process started in a running container by `exec`, under its own conmon. */
export interface ExecSession {
  /** pid of the exec'd process (host pid namespace) */
  pid: number;
  /** connected before the process started, so no output is lost; closes when the process has exited */
  attach: AttachConnection;
  /** resolves with the exit code once the process has exited (and its session files are gone) */
  exited: Promise<number>;
  resize(height: number, width: number): Promise<void>;
}

/** Runtimes that can exec (the conmon runtime can); kept apart so that other ContainerRuntime implementations need not. */
export interface ExecRuntime {
  /**
   * The `process` of the running container's own spec (config.json): the base of an exec's process, as
   * moby takes it, so that capabilities, no-new-privileges, rlimits and the like are the container's.
   */
  containerProcess(id: string): Promise<ExecProcess>;
  /** Starts the process attached; a failure to start (e.g. executable not found) rejects with Docker's wording. */
  exec(opts: ExecOptions): Promise<ExecSession>;
}
