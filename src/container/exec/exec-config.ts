import { invalidArgument } from '../../errdefs/index.js';
import type { ExecCreateRequest } from '../../api/types/exec.js';

/** What an exec instance was created with, decoded from Docker's ExecConfig. */
export interface ExecConfig {
  /** [entrypoint, ...arguments] */
  cmd: string[];
  /** the exec's own variables (merged with the container's at start) */
  env: string[];
  /** '' = the container's user */
  user: string;
  /** '' = the container's working dir */
  workingDir: string;
  tty: boolean;
  privileged: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  consoleSize?: { height: number; width: number };
}

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function decodeExecConfig(req: ExecCreateRequest | undefined): ExecConfig {
  const r = req ?? {};
  // Docker's strslice: a string Cmd is a one-element list
  const cmd = typeof r.Cmd === 'string' ? [r.Cmd] : Array.isArray(r.Cmd) ? r.Cmd.map(String) : [];
  if (cmd.length === 0) throw invalidArgument('No exec command specified');
  return {
    cmd,
    env: Array.isArray(r.Env) ? r.Env.map(String) : [],
    user: r.User ?? '',
    workingDir: r.WorkingDir ?? '',
    tty: !!r.Tty,
    privileged: !!r.Privileged,
    attachStdin: !!r.AttachStdin,
    attachStdout: !!r.AttachStdout,
    attachStderr: !!r.AttachStderr,
    detachKeys: r.DetachKeys ?? '',
    consoleSize: decodeConsoleSize(r.ConsoleSize),
  };
}

/** Docker's ConsoleSize is [height, width]; [0, 0] or null is unset. */
export function decodeConsoleSize(v: unknown): { height: number; width: number } | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && (n as number) >= 0)) throw invalidArgument('ConsoleSize must be [height, width] of non-negative integers');
  const [height, width] = v as [number, number];
  return height > 0 && width > 0 ? { height, width } : undefined;
}

/**
 * moby's ReplaceOrAppendEnvValues: an override `K=v` replaces `K` in place or is appended; a bare `K`
 * (no `=`) unsets it. Unlike moby, a key appended by one override is replaced (not duplicated) by a later one.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out: Array<string | undefined> = [...defaults];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(envKey(e!), i));
  for (const o of overrides) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const at = index.get(key);
    if (eq < 0) {
      if (at !== undefined) out[at] = undefined;
      index.delete(key);
    } else if (at !== undefined) {
      out[at] = o;
    } else {
      index.set(key, out.length);
      out.push(o);
    }
  }
  return out.filter((e): e is string => e !== undefined);
}

function envKey(e: string): string {
  const eq = e.indexOf('=');
  return eq < 0 ? e : e.slice(0, eq);
}

/**
 * The environment of an exec, as moby builds it (CreateDaemonEnvironment, then the exec's own Env):
 * PATH, HOSTNAME, TERM=xterm with a TTY, overridden by the container's Env, overridden by the exec's.
 */
export function execEnvironment(o: { containerEnv: readonly string[]; hostname?: string; tty: boolean; execEnv: readonly string[] }): string[] {
  const base = [DEFAULT_PATH_ENV];
  if (o.hostname) base.push(`HOSTNAME=${o.hostname}`);
  if (o.tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(replaceOrAppendEnv(base, o.containerEnv), o.execEnv);
}

/** The text of exec_create/exec_start events: moby's `Entrypoint + " " + strings.Join(Args, " ")` (so `true ` keeps its space). */
export function eventCommand(cmd: readonly string[]): string {
  return `${cmd[0] ?? ''} ${cmd.slice(1).join(' ')}`;
}
