import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeFirewall } from '../../src/network/index.js';

/**
 * A real berthd for integration tests: private socket, data root, exec root and cgroup parent under a temp
 * dir, loopback DNS so no lookup leaves the machine. stop() removes every container it made, unmounts what
 * is left and deletes the dirs — also when the test failed.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Berthd {
  socket: string;
  dockerHost: string;
  dataRoot: string;
  execRoot: string;
  base: string;
  /** the daemon process (replaced by restart()) */
  proc: ChildProcess;
  /** kill -9 of the daemon, leaving containers running */
  kill9(): Promise<void>;
  /** start the daemon again on the same roots */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** the first two octets of the daemon's private 10.N.0.0/16 ("10.N"): bridge 10.N.0.1/24, new networks 10.N.x.0/24 */
  net: string;
  /** the default bridge's device */
  bridge: string;
  /** daemon's stderr so far, for failure messages */
  log(): string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const BERTHD_BIN = path.join(REPO_ROOT, 'bin/berthd');

/** The node flags bin/berthd's `#!/usr/bin/env -S node <flags>` line gives the daemon: tests run it as installed. */
export const BERTHD_NODE_FLAGS = readFileSync(BERTHD_BIN, 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(3);

export async function startBerthd(extraArgs: string[] = []): Promise<Berthd> {
  const base = await fs.mkdtemp('/tmp/berth-it-');
  const dataRoot = path.join(base, 'data');
  const execRoot = path.join(base, 'exec');
  const socket = path.join(execRoot, 'berthd.sock');
  const cgroupParent = `/berth-test-${path.basename(base).slice(-6)}`;
  let logText = '';
  // its own bridge device, subnets and iptables chains, so daemons side by side (other worktrees too) never meet
  const net = await freeTestSubnet();
  const bridge = `bt-${path.basename(base).slice(-6)}`;
  const args = [
    ...BERTHD_NODE_FLAGS,
    // BERTHD_NODE_ARGS: node flags for the daemon, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a bench
    ...(process.env.BERTHD_NODE_ARGS ?? '').split(' ').filter(Boolean),
    BERTHD_BIN,
    '--data-root', dataRoot,
    '--exec-root', execRoot,
    '--pidfile', path.join(base, 'berthd.pid'),
    '-H', `unix://${socket}`,
    '--dns', '127.0.0.1',
    '--cgroup-parent', cgroupParent,
    '--log-level', 'debug',
    '--bridge', bridge,
    '--bip', `10.${net}.0.1/24`,
    '--default-address-pool', `base=10.${net}.0.0/16,size=24`,
    ...extraArgs,
  ];
  const launch = async (): Promise<ChildProcess> => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => {
      logText += d.toString();
      if (logText.length > 200_000) logText = logText.slice(-100_000);
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`berthd exited with ${proc.exitCode}:\n${logText}`);
      if (await ping(socket)) return proc;
      await sleep(50);
    }
    proc.kill('SIGKILL');
    throw new Error(`berthd did not answer on ${socket}:\n${logText}`);
  };
  const d: Berthd = {
    socket,
    dockerHost: `unix://${socket}`,
    dataRoot,
    execRoot,
    base,
    net: `10.${net}`,
    bridge,
    proc: await launch(),
    async kill9() {
      const exited = new Promise((r) => d.proc.once('exit', r));
      d.proc.kill('SIGKILL');
      await exited;
    },
    async restart() {
      d.proc = await launch();
    },
    async stop() {
      try {
        if (d.proc.exitCode === null && (await ping(socket))) {
          const list = JSON.parse((await request(socket, 'GET', '/containers/json?all=1')).body) as Array<{ Id: string }>;
          for (const c of list) await request(socket, 'DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
        }
      } finally {
        if (d.proc.exitCode === null) {
          const exited = new Promise((r) => d.proc.once('exit', r));
          d.proc.kill('SIGTERM');
          await Promise.race([exited, sleep(5000)]);
          if (d.proc.exitCode === null) d.proc.kill('SIGKILL');
        }
        await cleanupNetworks(dataRoot, args[args.lastIndexOf('--bridge') + 1]!);
        await cleanupLeftovers(base, execRoot, cgroupParent);
      }
    },
    log: () => logText,
  };
  return d;
}

/** A 10.N.0.0/16 no route of the host is in (so none of its bridges either). */
async function freeTestSubnet(): Promise<number> {
  const routes = await fs.readFile('/proc/net/route', 'utf8').catch(() => '');
  const used = new Set<number>();
  for (const line of routes.split('\n').slice(1)) {
    const dest = line.trim().split(/\s+/)[1];
    if (dest && dest.length === 8) {
      const b = Buffer.from(dest, 'hex');
      if (b[0] === 10) used.add(b[1]!);
    }
  }
  for (let i = 0; i < 100; i++) {
    const n = 100 + Math.floor(Math.random() * 100);
    if (!used.has(n)) return n;
  }
  throw new Error('no free 10.N.0.0/16 for a test daemon');
}

/** The daemon's bridges (its network records) and iptables chains; veths went with the containers' namespaces. */
async function cleanupNetworks(dataRoot: string, defaultBridge: string): Promise<void> {
  const dir = path.join(dataRoot, 'networks');
  const bridges = new Set([defaultBridge]);
  for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
    const rec = JSON.parse(await fs.readFile(path.join(dir, f), 'utf8').catch(() => '{}')) as { bridge?: string };
    if (rec.bridge) bridges.add(rec.bridge);
  }
  await removeFirewall(`BERTH-${defaultBridge}`).catch(() => undefined);
  for (const b of bridges) await runProcess('ip', ['link', 'del', b]).catch(() => undefined);
}

/** Kills conmon/containers of this daemon, unmounts under base, removes its cgroups and dirs. */
async function cleanupLeftovers(base: string, execRoot: string, cgroupParent: string): Promise<void> {
  const runtimeRoot = path.join(execRoot, 'runtime', 'runc');
  const ids = await fs.readdir(runtimeRoot).catch(() => [] as string[]);
  for (const id of ids) await runProcess('runc', ['--root', runtimeRoot, 'delete', '--force', id]).catch(() => undefined);
  for (const pid of await fs.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('conmon') && cmd.includes(execRoot)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  const mounts = (await fs.readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(base + '/'));
  for (const m of mounts.sort().reverse()) await runProcess('umount', ['-l', m]).catch(() => undefined);
  for (const ctrl of await fs.readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    const dir = path.join('/sys/fs/cgroup', ctrl, cgroupParent);
    const subs = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const s of subs) if (s.isDirectory()) await fs.rmdir(path.join(dir, s.name)).catch(() => undefined);
    await fs.rmdir(dir).catch(() => undefined);
  }
  await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
}

export function request(socket: string, method: string, urlPath: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ping(socket: string): Promise<boolean> {
  try {
    const r = await request(socket, 'GET', '/_ping');
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Runs a command to its end: its exit code and output; killed (and rejected) after `timeoutMs` (60 s). */
export function runProcess(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // a command that stops reading early (a refused upload) must not fail the test with EPIPE
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input);
  });
}

/** Runs bin/berth with DOCKER_HOST set (and `env` added to the environment). */
export function runBerth(dockerHost: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  // bin/berth directly (its shebang ends node's own options), so that `--env-file` reaches berth, not node 20
  return runProcess(path.join(REPO_ROOT, 'bin/berth'), args, { ...opts, env: { ...process.env, ...opts.env, DOCKER_HOST: dockerHost } });
}

/** Runs the real docker CLI (28.x on PATH) against berthd, with a private client config (unless `env` names one). */
export async function runDocker(dockerHost: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  const config = path.join(path.dirname(dockerHost.replace(/^unix:\/\//, '')), '..', 'docker-config');
  await fs.mkdir(config, { recursive: true });
  return runProcess('docker', args, { ...opts, env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false', DOCKER_BUILDKIT: '0', ...opts.env } });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until fn returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Builds busybox:latest on the daemon from Debian's busybox-static, with berth's own bootstrap command. */
export async function bootstrapBusybox(d: Berthd): Promise<void> {
  const r = await runBerth(d.dockerHost, ['image', 'bootstrap', 'busybox']);
  if (r.code !== 0) throw new Error(`bootstrap failed (${r.code}): ${r.stderr}${r.stdout}`);
}
