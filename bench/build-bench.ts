/**
 * Benchmark: `docker build` (the same docker CLI, classic builder) of a context of 2000 small files and
 * ten instructions, against berthd and, side by side, Debian's dockerd when it runs
 * (../shared/bench/start-reference-dockerd starts it; --with-dockerd has this script start it).
 * Three cases, median of --runs each: uncached (--no-cache), fully cached (the same build again), and
 * after one file of the context was edited (the COPY and what follows rebuild). Figures only.
 *
 *   node dist/bench/build-bench.js [--runs 3] [--with-dockerd]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, REPO_ROOT, startBerthd } from '../test/helpers/berthd.js';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const REF_SOCK = '/run/docker-ref.sock';

const DOCKERFILE = `FROM busybox
ENV APP=/app
WORKDIR /app
LABEL bench=build
COPY . /app/
RUN find /app -type f | wc -l > /count
ENV MODE=bench
EXPOSE 8080
USER root
CMD ["cat", "/count"]
`;

function build(host: string, ctx: string, extra: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('docker', ['build', '-q', '-t', 'bench-build:latest', ...extra, ctx], { env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`docker build failed on ${host}: ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function makeContext(): string {
  const dir = mkdtempSync('/tmp/berth-bench-build-');
  for (let i = 0; i < 2000; i++) {
    const sub = path.join(dir, `d${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.txt`), `file ${i}\n`.repeat(8));
  }
  writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  return dir;
}

function measure(host: string, ctx: string): { uncached: number; cached: number; edited: number } {
  build(host, ctx, []); // warm-up: the base image's layers, the page cache
  const uncached: number[] = [];
  const cached: number[] = [];
  const edited: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    uncached.push(build(host, ctx, ['--no-cache']));
    cached.push(build(host, ctx, []));
    writeFileSync(path.join(ctx, 'd7', 'f7.txt'), `edited ${Date.now()} ${i}\n`);
    edited.push(build(host, ctx, []));
  }
  return { uncached: median(uncached), cached: median(cached), edited: median(edited) };
}

async function main(): Promise<void> {
  if (args.includes('--with-dockerd')) execFileSync(path.join(REPO_ROOT, '../shared/bench/start-reference-dockerd'), { stdio: 'ignore' });
  const ctx = makeContext();
  const d = await startBerthd();
  try {
    await bootstrapBusybox(d);
    const berth = measure(d.dockerHost, ctx);
    const ref = existsSync(REF_SOCK) ? measure(`unix://${REF_SOCK}`, ctx) : undefined;
    const row = (name: keyof typeof berth) => {
      const b = berth[name].toFixed(0).padStart(6);
      const r = ref ? `${ref[name].toFixed(0).padStart(6)} ms   ${(berth[name] / ref[name]).toFixed(2)}×` : '   (dockerd not running)';
      return `${name.padEnd(9)} berthd ${b} ms   dockerd ${r}`;
    };
    console.log(`docker build, 2000 files + 10 instructions, median of ${RUNS}`);
    for (const k of ['uncached', 'cached', 'edited'] as const) console.log(row(k));
  } finally {
    await d.stop();
    rmSync(ctx, { recursive: true, force: true });
    if (existsSync(REF_SOCK)) spawnSync('docker', ['rmi', '-f', 'bench-build:latest'], { env: { ...process.env, DOCKER_HOST: `unix://${REF_SOCK}` } });
  }
}

await main();
