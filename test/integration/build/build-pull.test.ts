import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runBerth, runDocker, startBerthd } from '../../helpers/berthd.js';
import { startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';

/**
 * A build whose FROM is not on the daemon pulls it from its registry, as the classic builder does, and
 * `--pull` pulls it even when it is: through the docker CLI and bin/berth, against `berth registry serve`
 * on 127.0.0.1. `src` makes and pushes the base images; `d` starts empty.
 */
let src: Berthd;
let d: Berthd;
let reg: TestRegistry;
let dir: string;

function write(rel: string, content: string): string {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return path.dirname(p);
}

before(async () => {
  dir = mkdtempSync('/tmp/berth-test-build-pull-');
  src = await startBerthd();
  await bootstrapBusybox(src);
  reg = await startBerthRegistry();
  assert.equal((await runDocker(src.dockerHost, ['tag', 'busybox', `${reg.host}/base/box:v1`])).code, 0);
  const push = await runDocker(src.dockerHost, ['push', `${reg.host}/base/box:v1`]);
  assert.equal(push.code, 0, push.stderr);
  d = await startBerthd();
});
after(async () => {
  await d?.stop();
  await src?.stop();
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('FROM an image that is not here pulls it, with the pull in the build output', async () => {
  const ctx = write('a/Dockerfile', `FROM ${reg.host}/base/box:v1\nRUN echo pulled > /p\nCMD ["cat", "/p"]\n`);
  const r = await runDocker(d.dockerHost, ['build', '-t', 'frompull:1', ctx], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Step 1\/3 : FROM 127\.0\.0\.1:\d+\/base\/box:v1\n/);
  assert.match(r.stdout, /[0-9a-f]{12}: Pull complete/);
  assert.match(r.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/base\/box:v1/);
  const run = await runDocker(d.dockerHost, ['run', '--rm', 'frompull:1']);
  assert.equal(run.stdout, 'pulled\n', run.stderr);
  // the base is an image of its own now, as after docker pull
  assert.equal((await runDocker(d.dockerHost, ['image', 'inspect', `${reg.host}/base/box:v1`])).code, 0);
});

test('--pull pulls a base that is already here (berth build); without it the local one is used', async () => {
  // the registry's v1 moves on: a new image under the same tag
  const next = write('next/Dockerfile', 'FROM busybox\nRUN echo two > /two\n');
  assert.equal((await runDocker(src.dockerHost, ['build', '-t', `${reg.host}/base/box:v1`, next])).code, 0);
  const push = await runDocker(src.dockerHost, ['push', `${reg.host}/base/box:v1`]);
  assert.equal(push.code, 0, push.stderr);

  const ctx = write('b/Dockerfile', `FROM ${reg.host}/base/box:v1\nCMD ["cat", "/two"]\n`);
  const stale = await runBerth(d.dockerHost, ['build', '-t', 'frompull:stale', ctx], { timeoutMs: 60_000 });
  assert.equal(stale.code, 0, stale.stderr);
  assert.notEqual((await runDocker(d.dockerHost, ['run', '--rm', 'frompull:stale'])).code, 0, 'the local v1 has no /two');

  const fresh = await runBerth(d.dockerHost, ['build', '--pull', '-t', 'frompull:fresh', ctx], { timeoutMs: 60_000 });
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/base\/box:v1/);
  const run = await runDocker(d.dockerHost, ['run', '--rm', 'frompull:fresh']);
  assert.equal(run.stdout, 'two\n', run.stderr);
});

test('a base the registry does not have fails the build with the registry\'s answer, and tags nothing', async () => {
  const ctx = write('c/Dockerfile', `FROM ${reg.host}/base/none:v1\nRUN true\n`);
  const r = await runDocker(d.dockerHost, ['build', '-t', 'frompull:none', ctx], { timeoutMs: 60_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /base\/none.*(not found|does not exist|manifest unknown)/);
  assert.notEqual((await runDocker(d.dockerHost, ['image', 'inspect', 'frompull:none'])).code, 0);
});

test('a base behind htpasswd auth is pulled with the credentials the docker CLI sends (X-Registry-Config)', async () => {
  const htpasswd = path.join(dir, 'htpasswd');
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'builder', 's3cret']));
  const locked = await startBerthRegistry(async () => ['--htpasswd', htpasswd]);
  try {
    const login = (host: string) => runDocker(host, ['login', '-u', 'builder', '--password-stdin', locked.host], { input: 's3cret\n' });
    assert.equal((await login(src.dockerHost)).code, 0);
    assert.equal((await runDocker(src.dockerHost, ['tag', 'busybox', `${locked.host}/base/secret:v1`])).code, 0);
    const push = await runDocker(src.dockerHost, ['push', `${locked.host}/base/secret:v1`]);
    assert.equal(push.code, 0, push.stderr);

    const ctx = write('d/Dockerfile', `FROM ${locked.host}/base/secret:v1\nCMD ["echo", "authorised"]\n`);
    const anonymous = await runDocker(d.dockerHost, ['build', '-t', 'frompull:secret', ctx], { timeoutMs: 60_000 });
    assert.equal(anonymous.code, 1, 'no credentials: no pull');
    assert.match(anonymous.stderr, /pull access denied|unauthorized|authentication required/i);
    const loginD = await login(d.dockerHost);
    assert.equal(loginD.code, 0, loginD.stderr);
    const r = await runDocker(d.dockerHost, ['build', '-t', 'frompull:secret', ctx], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await runDocker(d.dockerHost, ['run', '--rm', 'frompull:secret'])).stdout, 'authorised\n');
    // bin/berth sends the same header from the same config.json
    assert.equal((await runDocker(d.dockerHost, ['rmi', 'frompull:secret', `${locked.host}/base/secret:v1`])).code, 0);
    const berth = await runBerth(d.dockerHost, ['build', '-t', 'frompull:secret', ctx], { timeoutMs: 60_000, env: { DOCKER_CONFIG: path.join(d.base, 'docker-config') } });
    assert.equal(berth.code, 0, berth.stderr);
    assert.match(berth.stdout, /Status: Downloaded newer image for/);
  } finally {
    await locked.stop();
  }
});
