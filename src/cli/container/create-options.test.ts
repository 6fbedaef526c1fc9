import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseFlags } from '../flags.js';
import { CREATE_FLAGS, buildCreateRequest, parseKeyValueFile, parsePublish, parseRestartPolicy } from './create-options.js';

const build = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const { flags, args } = parseFlags(CREATE_FLAGS, argv, { interspersed: false });
  return buildCreateRequest(flags, args, env);
};

test('image, command and the common flags', () => {
  const r = build(['--name', 'web', '-e', 'A=1', '-e', 'HOME_X', '-w', '/srv', '-u', '1000', '-h', 'box', '-l', 'k=v', '-l', 'flag', '--init', 'busybox', 'sh', '-c', 'echo hi'], { HOME_X: '/x' });
  assert.equal(r.name, 'web');
  assert.equal(r.body.Image, 'busybox');
  assert.deepEqual(r.body.Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(r.body.Env, ['A=1', 'HOME_X=/x']);
  assert.equal(r.body.WorkingDir, '/srv');
  assert.equal(r.body.User, '1000');
  assert.equal(r.body.Hostname, 'box');
  assert.deepEqual(r.body.Labels, { k: 'v', flag: '' });
  assert.equal(r.body.HostConfig?.Init, true);
  assert.deepEqual(r.body.HostConfig?.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(r.body.HostConfig?.NetworkMode, 'default');
  assert.equal(r.body.Cmd?.length, 3);
});

test('no command leaves Cmd unset; --entrypoint "" resets it', () => {
  assert.equal(build(['busybox']).body.Cmd, undefined);
  assert.deepEqual(build(['--entrypoint', '', 'busybox']).body.Entrypoint, ['']);
  assert.deepEqual(build(['--entrypoint', 'echo', 'busybox']).body.Entrypoint, ['echo']);
});

test('-v: binds vs anonymous volumes; -p publishes', () => {
  const r = build(['-v', '/host:/c:ro', '-v', '/anon', '-p', '127.0.0.1:8080:80', '-p', '53:53/udp', 'busybox']);
  assert.deepEqual(r.body.HostConfig?.Binds, ['/host:/c:ro']);
  assert.deepEqual(r.body.Volumes, { '/anon': {} });
  assert.deepEqual(r.body.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '53' }] });
  assert.deepEqual(r.body.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(parsePublish('8000-8001:80-81').map((p) => `${p.binding.HostPort}->${p.port}`), ['8000->80/tcp', '8001->81/tcp']);
});

test('-i opens stdin; restart policies; --rm conflicts with --restart', () => {
  const r = build(['-i', '--restart', 'on-failure:3', '--stop-signal', 'SIGINT', '--stop-timeout', '7', 'busybox']);
  assert.equal(r.body.OpenStdin, true);
  assert.equal(r.body.AttachStdin, true);
  assert.deepEqual(r.body.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(r.body.StopSignal, 'SIGINT');
  assert.equal(r.body.StopTimeout, 7);
  assert.throws(() => parseRestartPolicy('on-failure:x'), /maximum retry count must be an integer/);
  assert.throws(() => build(['--rm', '--restart', 'always', 'busybox']), /conflicting options: cannot specify both --restart and --rm/);
});

test('env files: comments, blanks, pass-through names, before -e', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-env-'));
  try {
    const f = path.join(dir, 'env');
    writeFileSync(f, '# comment\n\n  A=1\nB= spaced \nFROM_HOST\nUNSET\n');
    assert.deepEqual(parseKeyValueFile(f, (k) => (k === 'FROM_HOST' ? 'h' : undefined)), ['A=1', 'B= spaced ', 'FROM_HOST=h']);
    const r = build(['--env-file', f, '-e', 'C=3', 'busybox'], { FROM_HOST: 'h' });
    assert.deepEqual(r.body.Env, ['A=1', 'B= spaced ', 'FROM_HOST=h', 'C=3']);
    writeFileSync(f, 'BAD KEY=1\n');
    assert.throws(() => parseKeyValueFile(f), /variable 'BAD KEY' contains whitespaces/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resource flags: sizes, cpus, ulimits, sysctls, mounts, healthcheck', async () => {
  const { ramInBytes, parseMount } = await import('./create-options.js');
  assert.equal(ramInBytes('512m'), 512 * 1024 * 1024);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('foo'), undefined);
  const r = build(['-m', '64m', '--cpus', '0.5', '--ulimit', 'nofile=100:200', '--sysctl', 'net.ipv4.ip_forward=1', '--health-cmd', 'true', '--health-interval', '5s', 'busybox']);
  assert.equal(r.body.HostConfig?.Memory, 64 * 1024 * 1024);
  assert.equal(r.body.HostConfig?.NanoCpus, 5e8);
  assert.deepEqual(r.body.HostConfig?.Ulimits, [{ Name: 'nofile', Soft: 100, Hard: 200 }]);
  assert.deepEqual(r.body.HostConfig?.Sysctls, { 'net.ipv4.ip_forward': '1' });
  assert.deepEqual(r.body.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: undefined, StartPeriod: undefined, Retries: undefined });
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
  assert.deepEqual(parseMount('type=tmpfs,dst=/t,tmpfs-size=1m'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576 } });
  assert.throws(() => build(['-m', 'foo', 'busybox']), /invalid argument "foo" for "-m, --memory" flag: invalid size: 'foo'/);
  assert.throws(() => parseMount('type=bind'), /target is required/);
});
