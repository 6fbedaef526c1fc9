import { spawn } from 'node:child_process';
import type { ExecResult } from './berthd.js';

/**
 * Debian's Python clients of the Engine API, run as child processes against a test berthd: python3-docker
 * (docker-py 5.0.3) and docker-compose 1.29.2 (which is built on it). /usr/bin/python3 by its full path:
 * a python3 earlier on PATH (pyenv…) has its own docker package, or none.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** Debian's docker-compose 1.29 (scripts/setup.sh installs it), not whichever compose PATH finds first */
export const DOCKER_COMPOSE = '/usr/bin/docker-compose';

export function runProcess(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 180_000);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input);
  });
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
