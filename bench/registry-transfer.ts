/**
 * Benchmark: `docker push` and `docker pull` (the same docker CLI) of an image with one ~100 MB random
 * layer to a local registry (Debian's docker-registry on 127.0.0.1, a fresh one for every run), against
 * berthd and, side by side, Debian's dockerd when it runs (../shared/bench/start-reference-dockerd; pass
 * --with-dockerd to start it). Pull starts with the image removed. Rounds alternate between the two
 * daemons; medians; figures only, no assertions.
 *
 *   node dist/bench/registry-transfer.js [--runs 3] [--mb 100] [--with-dockerd]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startBerthd } from '../test/helpers/berthd.js';
import { startDistribution } from '../test/helpers/registries.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('--runs', 3);
const MB = opt('--mb', 100);
const REF_SOCK = '/run/docker-ref.sock';

function docker(host: string, argv: string[], input?: Buffer): string {
  const r = spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' }, encoding: 'utf8', input, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** One push and one pull of a fresh tag against a fresh registry; the image is imported first and removed after. */
async function round(host: string, tar: Buffer, i: number): Promise<{ push: number; pull: number }> {
  const reg = await startDistribution();
  try {
    const name = `${reg.host}/bench/random:${i}`;
    docker(host, ['import', '-', name], tar);
    const push = timed(() => docker(host, ['push', name]));
    docker(host, ['rmi', name]);
    const pull = timed(() => docker(host, ['pull', name]));
    docker(host, ['rmi', name]);
    return { push, pull };
  } finally {
    await reg.stop();
  }
}

/** Rounds alternate between the daemons (this VM's speed drifts over a minute), medians per daemon. */
async function measure(hosts: string[], tar: Buffer): Promise<Array<{ push: number; pull: number }>> {
  const runs = hosts.map(() => ({ push: [] as number[], pull: [] as number[] }));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, host] of hosts.entries()) {
      const r = await round(host, tar, i);
      runs[k]!.push.push(r.push);
      runs[k]!.pull.push(r.pull);
    }
  }
  return runs.map((r) => ({ push: median(r.push), pull: median(r.pull) }));
}

async function main(): Promise<void> {
  if (args.includes('--with-dockerd') && !existsSync(REF_SOCK)) execFileSync(path.join(REPO_ROOT, '../shared/bench/start-reference-dockerd'), { stdio: 'inherit' });
  const dir = await fs.mkdtemp('/tmp/berth-bench-');
  try {
    await fs.writeFile(path.join(dir, 'random.bin'), randomBytes(MB * 1_000_000));
    const tar = execFileSync('tar', ['-C', dir, '-c', 'random.bin'], { maxBuffer: (MB + 10) * 1_000_000 });
    const d = await startBerthd();
    let berth: { push: number; pull: number };
    let ref: { push: number; pull: number } | undefined;
    try {
      const hosts = [d.dockerHost, ...(existsSync(REF_SOCK) ? [`unix://${REF_SOCK}`] : [])];
      [berth, ref] = (await measure(hosts, tar)) as [typeof berth, typeof ref];
    } finally {
      await d.stop();
    }
    console.log(`berthd   push ${(berth.push / 1000).toFixed(2)} s   pull ${(berth.pull / 1000).toFixed(2)} s   (${MB} MB random layer, median of ${RUNS})`);
    if (ref) {
      console.log(`dockerd  push ${(ref.push / 1000).toFixed(2)} s   pull ${(ref.pull / 1000).toFixed(2)} s`);
      console.log(`ratio    push ${(berth.push / ref.push).toFixed(2)}×   pull ${(berth.pull / ref.pull).toFixed(2)}×`);
    } else {
      console.log('(no reference dockerd on /run/docker-ref.sock: run ../shared/bench/start-reference-dockerd or pass --with-dockerd)');
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
