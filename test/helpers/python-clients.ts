import { type ExecResult, runProcess as runCommandToEnd } from './berthd.js';

/**
 * Debian's Python clients of the Engine API, run as child processes against a test berthd: python3-docker
 * (docker-py 5.0.3) and docker-compose 1.29.2 (which is built on it). /usr/bin/python3 by its full path:
 * a python3 earlier on PATH (pyenv…) has its own docker package, or none.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** Debian's docker-compose 1.29 (scripts/setup.sh installs it), not whichever compose PATH finds first */
export const DOCKER_COMPOSE = '/usr/bin/docker-compose';

/** Python clients run long (compose builds, pulls): 180 s unless told otherwise. */
export function runProcess(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return runCommandToEnd(file, args, { ...opts, timeoutMs: opts.timeoutMs ?? 180_000 });
}

/** What every script starts with: a client on DOCKER_HOST, and `report(**kw)` printing one JSON line. */
const PRELUDE = `
import docker, io, json, os, socket, sys, tarfile, tempfile, time
client = docker.DockerClient(base_url=os.environ['DOCKER_HOST'], timeout=120)
api = client.api
def report(**kw):
    print('REPORT ' + json.dumps(kw, default=repr), flush=True)
`;

/**
 * Runs a docker-py script (PRELUDE + body) and returns what it reported (its `report(...)` calls merged).
 * A script that fails fails the test with its traceback.
 */
export async function runDockerPy<T = Record<string, unknown>>(dockerHost: string, body: string, env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await runProcess(SYSTEM_PYTHON, ['-c', PRELUDE + body], { env: { ...process.env, ...env, DOCKER_HOST: dockerHost, PYTHONUNBUFFERED: '1' } });
  if (r.code !== 0) throw new Error(`python3 exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const out: Record<string, unknown> = {};
  for (const line of r.stdout.split('\n')) if (line.startsWith('REPORT ')) Object.assign(out, JSON.parse(line.slice(7)) as Record<string, unknown>);
  return out as T;
}
