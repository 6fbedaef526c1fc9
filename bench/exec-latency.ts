/**
 * Benchmark: `docker exec ctr true` (the same docker CLI) against berthd, and against Debian's dockerd side
 * by side when one runs (../shared/bench/start-reference-dockerd starts it; pass --with-dockerd to have
 * this script start it), and berthd with crun as the runtime unless --runc-only. Prints medians and the ratio; with --phases also where berthd's time goes
 * (create, start until the stream ends, inspect), measured on the wire. Figures only: no assertions.
 *
 *   node dist/bench/exec-latency.js [--runs 30] [--with-dockerd] [--phases] [--runc-only]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { bootstrapBusybox, REPO_ROOT, startBerthd } from '../test/helpers/berthd.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('--runs', 30);
const REF_SOCK = '/run/docker-ref.sock';

function docker(host: string, argv: string[]): string {
  const r = spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function timeExecs(host: string, ctr: string): number {
  docker(host, ['exec', ctr, 'true']); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    docker(host, ['exec', ctr, 'true']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** The docker CLI's own cost: `docker version` against the same daemon (one round trip, no exec). */
function timeCli(host: string): number {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = process.hrtime.bigint();
    docker(host, ['version', '--format', '{{.Server.Version}}']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function call(socket: string, method: string, p: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: p, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** Median of each API step of one exec, straight on the socket (no CLI). */
async function phases(socket: string, ctr: string): Promise<Record<string, number>> {
  const steps: Record<string, number[]> = { create: [], 'start (until the stream ends)': [], inspect: [] };
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const { Id } = JSON.parse(await call(socket, 'POST', `/containers/${ctr}/exec`, { Cmd: ['true'], AttachStdout: true, AttachStderr: true })) as { Id: string };
    steps.create!.push(performance.now() - t);
    t = performance.now();
    await call(socket, 'POST', `/exec/${Id}/start`, { Detach: false, Tty: false });
    steps['start (until the stream ends)']!.push(performance.now() - t);
    t = performance.now();
    await call(socket, 'GET', `/exec/${Id}/json`);
    steps.inspect!.push(performance.now() - t);
  }
  return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)]));
}

async function main(): Promise<void> {
  const d = await startBerthd(['--log-level', 'warn']);
  try {
    await bootstrapBusybox(d);
    const ctr = docker(d.dockerHost, ['run', '-d', 'busybox', 'sleep', '1000']).trim();
    const berth = timeExecs(d.dockerHost, ctr);
    let crun: number | undefined;
    console.log(`berthd:  docker exec ctr true  median ${berth.toFixed(1)} ms over ${RUNS} runs (docker CLI alone: ${timeCli(d.dockerHost).toFixed(1)} ms)`);
    if (args.includes('--phases')) {
      for (const [k, v] of Object.entries(await phases(d.socket, ctr))) console.log(`berthd:    ${k.padEnd(30)} ${v.toFixed(1)} ms`);
    }

    if (!args.includes('--runc-only')) {
      const c = await startBerthd(['--log-level', 'warn', '--runtime', 'crun']);
      try {
        await bootstrapBusybox(c);
        const cctr = docker(c.dockerHost, ['run', '-d', 'busybox', 'sleep', '1000']).trim();
        crun = timeExecs(c.dockerHost, cctr);
        console.log(`berthd (crun): docker exec ctr true  median ${crun.toFixed(1)} ms over ${RUNS} runs`);
        if (args.includes('--phases')) {
          for (const [k, v] of Object.entries(await phases(c.socket, cctr))) console.log(`berthd (crun):   ${k.padEnd(30)} ${v.toFixed(1)} ms`);
        }
      } finally {
        await c.stop();
      }
    }

    if (args.includes('--with-dockerd') && !existsSync(REF_SOCK)) {
      execFileSync('bash', [path.join(REPO_ROOT, '../shared/bench/start-reference-dockerd')], { stdio: 'inherit' });
    }
    if (existsSync(REF_SOCK)) {
      const refHost = `unix://${REF_SOCK}`;
      const refCtr = docker(refHost, ['run', '-d', 'busybox', 'sleep', '1000']).trim();
      try {
        const ref = timeExecs(refHost, refCtr);
        console.log(`dockerd: docker exec ctr true  median ${ref.toFixed(1)} ms over ${RUNS} runs (docker CLI alone: ${timeCli(refHost).toFixed(1)} ms)`);
        if (args.includes('--phases')) {
          for (const [k, v] of Object.entries(await phases(REF_SOCK, refCtr))) console.log(`dockerd:   ${k.padEnd(30)} ${v.toFixed(1)} ms`);
        }
        console.log(`ratio berthd/dockerd: ${(berth / ref).toFixed(2)}× (target ≤ 0.35×)${crun !== undefined ? `; with crun ${(crun / ref).toFixed(2)}×` : ''}`);
      } finally {
        docker(refHost, ['rm', '-f', refCtr]);
      }
    } else {
      console.log('dockerd: not running (start it with ../shared/bench/start-reference-dockerd or pass --with-dockerd) — no ratio');
    }
  } finally {
    await d.stop();
  }
}

await main();
