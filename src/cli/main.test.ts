import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The CLI's own errors, which need no daemon: wording and exit codes as docker 28 prints them. */
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/berth');
const NO_DAEMON = 'unix:///tmp/berth-no-daemon-here.sock';

function berth(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: NO_DAEMON }, input: '' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('argument count errors exit 1', () => {
  assert.deepEqual(berth('run'), {
    code: 1,
    stdout: '',
    stderr: "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for more information\n",
  });
  assert.equal(berth('ps', 'x').stderr, "berth: 'berth ps' accepts no arguments\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  assert.equal(berth('rename', 'a').stderr, "berth: 'berth rename' requires 2 arguments\n\nUsage:  berth rename CONTAINER NEW_NAME\n\nRun 'berth rename --help' for more information\n");
  assert.equal(berth('logs').stderr, "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs [OPTIONS] CONTAINER\n\nRun 'berth logs --help' for more information\n");
  assert.match(berth('container', 'ls', 'x').stderr, /^berth: 'berth container ls' accepts no arguments\n\nUsage:  berth container ls \[OPTIONS\]\n/);
});

test('flag errors exit 125 with the usage line', () => {
  const r = berth('run', '--foo', 'busybox');
  assert.equal(r.code, 125);
  assert.equal(r.stderr, "unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
  const n = berth('ps', '-n', 'x');
  assert.equal(n.code, 125);
  assert.match(n.stderr, /^invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax\n/);
  const f = berth('ps', '--filter', 'nokey');
  assert.equal(f.code, 125);
  assert.match(f.stderr, /^invalid argument "nokey" for "-f, --filter" flag: bad format of filter \(expected name=value\)\n/);
});

test('unknown commands exit 1', () => {
  assert.deepEqual(berth('foo'), { code: 1, stdout: '', stderr: "berth: unknown command: berth foo\n\nRun 'berth --help' for more information\n" });
  assert.equal(berth('image', 'foo').stderr, "berth: unknown command: berth image foo\n\nUsage:  berth image\n\nRun 'berth image --help' for more information\n");
});

test('no daemon: docker sentence with berth; exit 1, or 125 for run', () => {
  const ps = berth('ps');
  assert.equal(ps.code, 1);
  assert.equal(ps.stderr, `Cannot connect to the berth daemon at ${NO_DAEMON}. Is the berth daemon running?\n`);
  const run = berth('run', 'busybox');
  assert.equal(run.code, 125);
  assert.equal(run.stderr, `berth: Cannot connect to the berth daemon at ${NO_DAEMON}. Is the berth daemon running?\n\nRun 'berth run --help' for more information\n`);
  const v = berth('version');
  assert.equal(v.code, 1);
  assert.match(v.stdout, /^Client:\n Version: /);
});

test('help, -v and the run flags node must not take (--env-file)', () => {
  assert.match(berth('--help').stdout, /^Usage:  berth \[OPTIONS\] COMMAND\n/);
  assert.match(berth('ps', '--help').stdout, /^Usage:  berth ps \[OPTIONS\]\n\nList containers\n\nAliases:\n  berth container ls, berth container list, berth container ps, berth ps\n/);
  assert.match(berth('-v').stdout, /^berth version /);
  const r = berth('run', '--env-file', '/nonexistent-env-file', 'busybox');
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^berth: open \/nonexistent-env-file: no such file or directory\n/);
});

test('save refuses nothing without a daemon but checks its arguments', () => {
  const r = berth('save');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^berth: 'berth save' requires at least 1 argument/);
});
