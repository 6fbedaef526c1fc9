/**
 * Benchmark: what networking adds to `docker run --rm busybox true` — the default bridge minus
 * `--network none`, with the same docker CLI, against berthd and, when it runs, Debian's dockerd
 * (../shared/bench/start-reference-dockerd; or pass --with-dockerd). The two modes alternate run by run,
 * so drift of this noisy VM hits both alike. Also the `-p` case (one published port). Figures only.
 *
 *   node dist/bench/network-cost.js [--runs 20] [--with-dockerd]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, REPO_ROOT, startBerthd } from '../test/helpers/berthd.js';

const args = process.argv.slice(2);
const RUNS = (() => {
  const i = args.indexOf('--runs');
  return i >= 0 ? Number(args[i + 1]) : 20;
})();
const REF_SOCK = '/run/docker-ref.sock';

function docker(host: string, argv: string[]): void {
  const r = spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed: ${r.stderr}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function measure(host: string): { none: number; bridge: number; published: number } {
  const modes = { none: ['--network', 'none'], bridge: [], published: ['-p', '127.0.0.1::80'] } as Record<string, string[]>;
  const times: Record<string, number[]> = { none: [], bridge: [], published: [] };
  for (const m of Object.keys(modes)) docker(host, ['run', '--rm', ...modes[m]!, 'busybox', 'true']); // warm-up
  for (let i = 0; i < RUNS; i++) {
    for (const m of Object.keys(modes)) {
      const t0 = process.hrtime.bigint();
      docker(host, ['run', '--rm', ...modes[m]!, 'busybox', 'true']);
      times[m]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return { none: median(times.none!), bridge: median(times.bridge!), published: median(times.published!) };
}

function report(who: string, r: { none: number; bridge: number; published: number }): void {
  console.log(`${who}: run --rm busybox true  none ${r.none.toFixed(1)} ms, bridge ${r.bridge.toFixed(1)} ms, bridge -p ${r.published.toFixed(1)} ms (medians of ${RUNS})`);
  console.log(`${who}: networking adds ${(r.bridge - r.none).toFixed(1)} ms (bridge − none), ${(r.published - r.none).toFixed(1)} ms with a published port`);
}

async function main(): Promise<void> {
  const d = await startBerthd(['--log-level', 'warn']);
  try {
    await bootstrapBusybox(d);
    report('berthd ', measure(d.dockerHost));
  } finally {
    await d.stop();
  }
  if (args.includes('--with-dockerd') && !existsSync(REF_SOCK)) {
    execFileSync('bash', [path.join(REPO_ROOT, '../shared/bench/start-reference-dockerd')], { stdio: 'inherit' });
  }
  if (existsSync(REF_SOCK)) report('dockerd', measure(`unix://${REF_SOCK}`));
  else console.log('dockerd: not running (../shared/bench/start-reference-dockerd or --with-dockerd) — no comparison');
}

await main();
