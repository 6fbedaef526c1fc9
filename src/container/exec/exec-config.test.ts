import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../errdefs/index.js';
import { decodeConsoleSize, decodeExecConfig, eventCommand, execEnvironment, replaceOrAppendEnv } from './exec-config.js';

test('replaceOrAppendEnv: replaces in place, appends new keys, a bare key unsets', () => {
  assert.deepEqual(replaceOrAppendEnv(['PATH=/bin', 'A=1', 'B=2'], ['A=x', 'C=3', 'B', 'C=4', 'NOPE']), ['PATH=/bin', 'A=x', 'C=4']);
  assert.deepEqual(replaceOrAppendEnv(['A=1'], ['A==b=']), ['A==b=']);
  assert.deepEqual(replaceOrAppendEnv([], []), []);
});

test('execEnvironment: PATH, HOSTNAME, TERM with a TTY, then the container env, then the exec env (Docker order)', () => {
  const containerEnv = ['PATH=/usr/bin:/bin', 'LANG=C'];
  assert.deepEqual(execEnvironment({ containerEnv, hostname: 'abc', tty: false, execEnv: ['FOO=1', 'LANG=de'] }), ['PATH=/usr/bin:/bin', 'HOSTNAME=abc', 'LANG=de', 'FOO=1']);
  assert.deepEqual(execEnvironment({ containerEnv, hostname: 'abc', tty: true, execEnv: ['PATH=/bin'] }), ['PATH=/bin', 'HOSTNAME=abc', 'TERM=xterm', 'LANG=C']);
  // the container's env may set its own TERM and HOSTNAME; the exec may unset one
  assert.deepEqual(execEnvironment({ containerEnv: ['TERM=dumb', 'HOSTNAME=mine'], tty: true, hostname: 'abc', execEnv: ['HOSTNAME'] }), [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'TERM=dumb',
  ]);
  // host network: no HOSTNAME of ours
  assert.deepEqual(execEnvironment({ containerEnv: [], tty: false, execEnv: [] }), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
});

test('decodeExecConfig: Docker defaults, a string Cmd, no command is a 400', () => {
  const c = decodeExecConfig({ Cmd: ['sh', '-c', 'true'], AttachStdout: true, Env: ['A=1'], ConsoleSize: [24, 80] });
  assert.deepEqual(c, {
    cmd: ['sh', '-c', 'true'], env: ['A=1'], user: '', workingDir: '', tty: false, privileged: false,
    attachStdin: false, attachStdout: true, attachStderr: false, detachKeys: '', consoleSize: { height: 24, width: 80 },
  });
  assert.deepEqual(decodeExecConfig({ Cmd: 'ls' }).cmd, ['ls']);
  for (const body of [undefined, {}, { Cmd: [] }, { Cmd: null }]) {
    assert.throws(() => decodeExecConfig(body), (err: unknown) => isKind(err, 'InvalidArgument') && (err as Error).message === 'No exec command specified');
  }
});

test('decodeConsoleSize: [0,0] and null are unset; junk is a 400', () => {
  assert.equal(decodeConsoleSize(null), undefined);
  assert.equal(decodeConsoleSize([0, 0]), undefined);
  assert.deepEqual(decodeConsoleSize([33, 101]), { height: 33, width: 101 });
  assert.throws(() => decodeConsoleSize([1]), (err: unknown) => isKind(err, 'InvalidArgument'));
  assert.throws(() => decodeConsoleSize([-1, 2]), (err: unknown) => isKind(err, 'InvalidArgument'));
});

test('eventCommand: moby joins entrypoint and args with a space, keeping it when there are no args', () => {
  assert.equal(eventCommand(['sh', '-c', 'exit 3']), 'sh -c exit 3');
  assert.equal(eventCommand(['true']), 'true ');
});
