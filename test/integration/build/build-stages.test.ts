import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runDocker, startBerthd } from '../../helpers/berthd.js';

/** Beyond the classic builder: stages side by side, skipped stages, a deterministic result and output. */
let d: Berthd;
let dir: string;
const docker = (args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }) => runDocker(d.dockerHost, args, opts);

function write(rel: string, content: string): string {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return path.dirname(p);
}

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync('/tmp/berth-build-stages-');
});

after(async () => {
  await d?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The step numbers of `Step N/M` lines, in the order printed. */
const stepNumbers = (out: string) => [...out.matchAll(/^Step (\d+)\/(\d+) : /gm)].map((m) => Number(m[1]));

test('stages that do not need each other run side by side (each waits for the other); unused stages are skipped; the stream stays in step order', async () => {
  // Each of the two stages leaves a mark in a shared cache mount and waits (up to 20 s) for the other's:
  // built one after the other, the first would give up and fail the build.
  const rv = `rendezvous-${randomBytes(4).toString('hex')}`;
  const wait = (me: string, other: string) =>
    `RUN --mount=type=cache,target=/rv,id=${rv} touch /rv/${me}; i=0; until [ -e /rv/${other} ]; do i=$((i+1)); if [ $i -gt 200 ]; then echo gave up; exit 1; fi; sleep 0.1; done; echo ${me} > /${me}`;
  const ctx = write('par/Dockerfile', `FROM busybox AS a\n${wait('a', 'b')}\nFROM busybox AS unused\nRUN exit 9\nFROM busybox AS b\n${wait('b', 'a')}\nFROM busybox\nCOPY --from=a /a /a\nCOPY --from=b /b /b\nCMD ["cat", "/a", "/b"]\n`);
  const t0 = Date.now();
  const r = await docker(['build', '-t', 'par:1', ctx], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(stepNumbers(r.stdout), [1, 2, 3, 4, 5, 6, 7, 8], r.stdout);
  assert.match(r.stdout, /Step 1\/8 : FROM busybox AS a\n/);
  assert.match(r.stdout, /Step 3\/8 : FROM busybox AS b\n/);
  assert.doesNotMatch(r.stdout, /exit 9|^gave up$/m);
  // each stage's block is whole: a's RUN output ends before b's FROM
  const aEnd = r.stdout.indexOf('Removed intermediate container');
  assert.ok(aEnd > 0 && aEnd < r.stdout.indexOf('Step 3/8'), r.stdout);
  assert.equal((await docker(['run', '--rm', 'par:1'])).stdout, 'a\nb\n');
  // the same build again: every step from the cache, the same image
  const id = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'par:1'])).stdout.trim();
  const again = await docker(['build', '-q', ctx]);
  assert.equal(again.stdout.trim(), id);
});

test('one step two stages ask for at once is made once (the other takes it from the cache), so the stages end on the same image', async () => {
  const token = randomBytes(6).toString('hex');
  const ctx = write('same/Dockerfile', `FROM busybox AS one\nRUN echo ${token} > /same\nFROM busybox AS two\nRUN echo ${token} > /same\nFROM busybox\nCOPY --from=one /same /1\nCOPY --from=two /same /2\n`);
  const r = await docker(['build', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.stdout.match(/Running in/g)?.length, 1, r.stdout);
  const steps = r.stdout.split(/(?=Step \d+\/)/);
  assert.match(steps.find((s) => s.startsWith('Step 4/'))!, /Using cache/);
  const runIds = steps.filter((s) => / : RUN /.test(s)).map((s) => / ---> ([0-9a-f]{12})\n(?!.*--->)/s.exec(s)?.[1]);
  assert.equal(runIds.length, 2);
  assert.equal(runIds[0], runIds[1]);
});

test('a failing stage stops the stages running beside it: the build fails at once with its code and leaves no container', async () => {
  const ctx = write('fail/Dockerfile', 'FROM busybox AS slow\nRUN sleep 30\nFROM busybox AS bad\nRUN exit 5\nFROM busybox\nCOPY --from=slow /etc/hostname /a\nCOPY --from=bad /etc/hostname /b\n');
  const t0 = Date.now();
  const r = await docker(['build', '-t', 'stagefail:1', ctx], { timeoutMs: 60_000 });
  assert.equal(r.code, 5, r.stderr + r.stdout);
  assert.match(r.stderr, /The command '\/bin\/sh -c exit 5' returned a non-zero code: 5/);
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  assert.equal((await docker(['ps', '-aq'])).stdout, '');
  assert.notEqual((await docker(['image', 'inspect', 'stagefail:1'])).code, 0);
});

test('--target builds only what the target stage needs, a stage named through a meta ARG included', async () => {
  const ctx = write('tgt/Dockerfile', 'ARG SRC=base\nFROM busybox AS base\nRUN echo base > /base\nFROM busybox AS other\nRUN exit 3\nFROM $SRC AS mid\nRUN cat /base > /mid\nFROM busybox AS last\nRUN exit 4\n');
  const r = await docker(['build', '--target', 'mid', '-t', 'tgt:mid', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(stepNumbers(r.stdout), [1, 2, 3, 4, 5]);
  assert.match(r.stdout, /Step 4\/5 : FROM \$SRC AS mid/);
  assert.equal((await docker(['run', '--rm', 'tgt:mid', 'cat', '/mid'])).stdout, 'base\n');
});
