import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runBerth, runDocker, startBerthd } from '../../helpers/berthd.js';

/** `berth build --progress`: per-step progress from berthd's step events, through bin/berth. */
let d: Berthd;
let dir: string;
const berth = (args: string[]) => runBerth(d.dockerHost, args);

function write(rel: string, content: string): string {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return path.dirname(p);
}

/** The lines of step n in plain output. */
const block = (out: string, n: number) => out.split('\n').filter((l) => l.startsWith(`#${n} `)).join('\n') + '\n';

const DF = 'FROM busybox AS base\nRUN echo hello from run && echo second line | tee /g\nFROM busybox\nCOPY --from=base /g /h\nCMD ["true"]\n';

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync('/tmp/berth-build-progress-');
});

after(async () => {
  await d?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('--progress=plain: a block per step with its output, timing, DONE or CACHED', async () => {
  const ctx = write('p/Dockerfile', DF);
  const r = await berth(['build', '--progress=plain', '-t', 'prog:1', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // stages run side by side: the blocks interleave, each line says its step
  assert.match(block(r.stdout, 1), /^#1 \[base 1\/5\] FROM busybox AS base\n#1 DONE \d+\.\ds\n$/);
  assert.match(block(r.stdout, 2), /^#2 \[base 2\/5\] RUN echo hello from run && echo second line \| tee \/g\n#2 \d+\.\d{3} hello from run\n#2 \d+\.\d{3} second line\n#2 DONE \d+\.\ds\n$/);
  assert.match(block(r.stdout, 3), /^#3 \[stage-1 3\/5\] FROM busybox\n#3 DONE/);
  assert.match(block(r.stdout, 4), /^#4 \[stage-1 4\/5\] COPY --from=base \/g \/h\n#4 DONE/);
  assert.match(block(r.stdout, 5), /^#5 \[stage-1 5\/5\] CMD \["true"\]\n#5 DONE/);
  assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged prog:1\n$/);
  assert.doesNotMatch(r.stdout, /Step \d|--->|Sending build context/);
  const again = await berth(['build', '--progress=plain', ctx]);
  assert.match(block(again.stdout, 2), /^#2 \[base 2\/5\] RUN echo hello[^\n]*\n#2 CACHED\n$/);
});

test('without --progress and without a terminal the classic output is unchanged; -q still prints only the ID', async () => {
  const ctx = write('p/Dockerfile', DF);
  const r = await berth(['build', ctx]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Sending build context to Docker daemon .*\nStep 1\/5 : FROM busybox AS base\n ---> [0-9a-f]{12}\nStep 2\/5 : RUN echo hello/);
  assert.match(r.stdout, / ---> Using cache\n/);
  assert.doesNotMatch(r.stdout, /^#\d/m);
  const q = await berth(['build', '-q', '--progress=plain', ctx]);
  assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const quiet = await berth(['build', '--progress=quiet', ctx]);
  assert.match(quiet.stdout, /^sha256:[0-9a-f]{64}\n$/);
  // the docker CLI never asks for step events: its stream is the classic one
  const dk = await runDocker(d.dockerHost, ['build', ctx]);
  assert.match(dk.stdout, /Step 2\/5 : RUN echo hello/);
});

test('--progress=tty: one line per finished step, CACHED marked, a footer drawn in place, the total time', async () => {
  const ctx = write('t/Dockerfile', 'FROM busybox\nRUN echo tty-run; sleep 0.5\nLABEL x=y\n');
  const r = await berth(['build', '--progress=tty', '--no-cache', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // eslint-disable-next-line no-control-regex
  const plainText = r.stdout.replace(/\x1b\[\d*A\r\x1b\[J/g, '');
  assert.match(r.stdout, /\x1b\[\d+A\r\x1b\[J/, 'the footer is redrawn in place');
  assert.match(plainText, / => \[2\/3\] RUN echo tty-run; sleep 0\.5 +\d+\.\ds\n/);
  assert.match(plainText, / => \[3\/3\] LABEL x=y +\d+\.\ds\n/);
  assert.match(plainText, /\[\+\] Built in \d+\.\ds \(3\/3 steps\)\n/);
  const cached = await berth(['build', '--progress=tty', ctx]);
  assert.match(cached.stdout, / => CACHED \[2\/3\] RUN echo tty-run/);
});

test('--progress: a failing step shows ERROR with its output and the build exits with its code; a bad mode is refused', async () => {
  const ctx = write('f/Dockerfile', 'FROM busybox\nRUN echo about to fail; exit 3\n');
  const plain = await berth(['build', '--progress=plain', ctx]);
  assert.equal(plain.code, 3);
  assert.match(plain.stdout, /#2 \d+\.\d{3} about to fail\n#2 ERROR: The command '\/bin\/sh -c echo about to fail; exit 3' returned a non-zero code: 3\n/);
  assert.match(plain.stderr, /returned a non-zero code: 3/);
  const tty = await berth(['build', '--progress=tty', ctx]);
  assert.equal(tty.code, 3);
  assert.match(tty.stdout, / => \[2\/2\] RUN echo about to fail; exit 3 +ERROR \d+\.\ds\n {4}about to fail\n/);
  const bad = await berth(['build', '--progress=fancy', ctx]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid progress mode "fancy"/);
});
