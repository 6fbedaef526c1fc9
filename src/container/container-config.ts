import type { ImageConfig } from '../oci/index.js';
import type { ContainerCreateRequest, ContainerConfig } from '../api/types/container.js';
import { invalidArgument } from '../errdefs/index.js';

/** Docker's default PATH, added when neither the image nor the container sets one. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type MergedConfig = ContainerConfig & {
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
};

/** Strings are accepted for Cmd/Entrypoint by old clients: Docker turns them into a one-element list. */
function strList(v: string[] | string | null | undefined): string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return typeof v === 'string' ? [v] : v;
}

/** Env lists merged by key, later lists winning, order of first appearance kept. */
export function mergeEnv(...lists: Array<readonly string[] | null | undefined>): string[] {
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const kv of list ?? []) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      out.set(key, kv);
    }
  }
  return [...out.values()];
}

/**
 * The container's effective config from the create request and the image, as Docker merges them:
 * Env merged by key (image first), Cmd from the image unless the request sets Cmd or an Entrypoint,
 * Entrypoint from the image unless the request sets one ([""] resets it), WorkingDir/User/StopSignal/
 * Healthcheck/ExposedPorts/Volumes/Labels from the image where the request leaves them out.
 */
export function mergeConfig(req: ContainerCreateRequest, image: ImageConfig, imageRef: string): MergedConfig {
  const ic = image.config ?? {};
  const reqCmd = strList(req.Cmd);
  const reqEntrypoint = strList(req.Entrypoint);
  let entrypoint: string[] | null;
  let cmd: string[] | null;
  if (reqEntrypoint !== undefined && reqEntrypoint !== null && reqEntrypoint.length > 0) {
    // --entrypoint "" clears the image's entrypoint
    entrypoint = reqEntrypoint.length === 1 && reqEntrypoint[0] === '' ? null : reqEntrypoint;
    cmd = reqCmd && reqCmd.length ? reqCmd : null;
  } else {
    entrypoint = ic.Entrypoint ?? null;
    cmd = reqCmd && reqCmd.length ? reqCmd : (ic.Cmd ?? null);
  }
  let env = mergeEnv(ic.Env, req.Env);
  if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH, ...env];
  for (const e of env) if (e.startsWith('=') || e === '') throw invalidArgument(`invalid environment variable: ${e}`);
  return {
    ...req,
    Hostname: req.Hostname ?? '',
    Domainname: req.Domainname ?? '',
    User: req.User || ic.User || '',
    AttachStdin: req.AttachStdin ?? false,
    AttachStdout: req.AttachStdout ?? false,
    AttachStderr: req.AttachStderr ?? false,
    ExposedPorts: { ...(ic.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) },
    Tty: req.Tty ?? false,
    OpenStdin: req.OpenStdin ?? false,
    StdinOnce: req.StdinOnce ?? false,
    Env: env,
    Cmd: cmd,
    Image: imageRef,
    Volumes: { ...(ic.Volumes ?? {}), ...(req.Volumes ?? {}) },
    WorkingDir: req.WorkingDir || ic.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: { ...(ic.Labels ?? {}), ...(req.Labels ?? {}) },
    StopSignal: req.StopSignal || ic.StopSignal || undefined,
    Healthcheck: req.Healthcheck ?? ic.Healthcheck,
  };
}

/** Path and args of the process: Entrypoint + Cmd. Docker refuses a container with neither. */
export function processArgs(config: MergedConfig): { path: string; args: string[] } {
  const all = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (all.length === 0) throw invalidArgument('No command specified');
  return { path: all[0]!, args: all.slice(1) };
}

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's container name rule. */
export function validateName(name: string): string {
  if (!NAME_RE.test(name)) throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}
