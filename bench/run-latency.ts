/**
 * Benchmark: `docker run --rm busybox true` (the same docker CLI) against berthd, and against Debian's
 * dockerd side by side when one runs (../shared/bench/start-reference-dockerd starts it; pass
 * --with-dockerd to have this script start it). Prints medians, the ratio, berthd's idle RSS and the
 * machine memory each running container costs. Figures only: no assertions.
 *
 *   node dist/bench/run-latency.js [--runs 20] [--containers 10] [--with-dockerd]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, REPO_ROOT, startBerthd } from '../test/helpers/berthd.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('--runs', 20);
const CONTAINERS = opt('--containers', 20);
const REF_SOCK = '/run/docker-ref.sock';

function docker(host: string, argv: string[]): void {
  const r = spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed: ${r.stderr}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function timeRuns(host: string): number {
  docker(host, ['run', '--rm', 'busybox', 'true']); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    docker(host, ['run', '--rm', 'busybox', 'true']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function meminfo(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of readFileSync('/proc/meminfo', 'utf8').matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/**
 * Machine memory per running container, two ways, from /proc/meminfo before and after starting N sleeping
 * containers: the drop of MemAvailable (what the target is about; page cache makes it noisy), and
 * the growth of anonymous memory + unreclaimable slab + kernel stacks + page tables (steadier).
 */
async function perContainerKiB(host: string): Promise<{ available: number; anonKernel: number }> {
  execFileSync('sync');
  const docker0 = spawnSync('docker', ['ps'], { env: { ...process.env, DOCKER_HOST: host } }); // warm the CLI binary in page cache
  void docker0;
  await new Promise((r) => setTimeout(r, 500));
  const anonKernel = (m: Record<string, number>) => m.AnonPages! + m.SUnreclaim! + m.KernelStack! + m.PageTables!;
  const before = meminfo();
  const ids: string[] = [];
  for (let i = 0; i < CONTAINERS; i++) {
    const r = spawnSync('docker', ['run', '-d', 'busybox', 'sleep', '1000'], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' });
    ids.push(r.stdout.trim());
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = meminfo();
  docker(host, ['rm', '-f', ...ids]);
  return { available: (before.MemAvailable! - after.MemAvailable!) / CONTAINERS, anonKernel: (anonKernel(after) - anonKernel(before)) / CONTAINERS };
}

async function main(): Promise<void> {
  const d = await startBerthd(['--log-level', 'warn']);
  try {
    await bootstrapBusybox(d);
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = rssKiB(d.proc.pid!);
    const berth = timeRuns(d.dockerHost);
    const berthPer = await perContainerKiB(d.dockerHost);
    console.log(`berthd:  docker run --rm busybox true  median ${berth.toFixed(1)} ms over ${RUNS} runs`);
    console.log(`berthd:  idle RSS ${(idleRss / 1024).toFixed(1)} MiB (target ≤ 65 MiB)`);
    if (!args.includes('--runc-only')) {
      const c = await startBerthd(['--log-level', 'warn', '--runtime', 'crun']);
      try {
        await bootstrapBusybox(c);
        console.log(`berthd (crun): docker run --rm busybox true  median ${timeRuns(c.dockerHost).toFixed(1)} ms over ${RUNS} runs`);
      } finally {
        await c.stop();
      }
    }
    console.log(`berthd:  machine memory per running container ${(berthPer.available / 1024).toFixed(2)} MiB by MemAvailable, ${(berthPer.anonKernel / 1024).toFixed(2)} MiB anon+kernel (target ≤ 1.5 MiB)`);

    if (args.includes('--with-dockerd') && !existsSync(REF_SOCK)) {
      execFileSync('bash', [path.join(REPO_ROOT, '../shared/bench/start-reference-dockerd')], { stdio: 'inherit' });
    }
    if (existsSync(REF_SOCK)) {
      const refHost = `unix://${REF_SOCK}`;
      const ref = timeRuns(refHost);
      const refPer = await perContainerKiB(refHost);
      console.log(`dockerd: docker run --rm busybox true  median ${ref.toFixed(1)} ms over ${RUNS} runs`);
      console.log(`dockerd: machine memory per running container ${(refPer.available / 1024).toFixed(2)} MiB by MemAvailable, ${(refPer.anonKernel / 1024).toFixed(2)} MiB anon+kernel`);
      console.log(`ratio berthd/dockerd: ${(berth / ref).toFixed(2)}× (target ≤ 0.35×)`);
    } else {
      console.log('dockerd: not running (start it with ../shared/bench/start-reference-dockerd or pass --with-dockerd) — no ratio');
    }
  } finally {
    await d.stop();
  }
}

await main();
