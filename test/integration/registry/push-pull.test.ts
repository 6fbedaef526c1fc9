import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, startDistribution, type TestRegistry } from '../../helpers/registries.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

for (const kind of ['distribution', 'berth'] as const) {
  describe(`docker CLI through berthd against ${kind === 'berth' ? 'berth registry serve' : "Debian's docker-registry"}`, () => {
    let reg: TestRegistry;
    before(async () => {
      reg = kind === 'berth' ? await startBerthRegistry() : await startDistribution();
    });
    after(async () => {
      await reg?.stop();
    });

    test('push a tagged image, rmi, pull it back and run it; RepoDigests; pull by digest', async () => {
      const name = `${reg.host}/team/box:v1`;
      await ok(runDocker(d.dockerHost, ['tag', 'busybox', name]));
      const push = await ok(runDocker(d.dockerHost, ['push', name]));
      assert.match(push, new RegExp(`The push refers to repository \\[${reg.host}/team/box\\]`));
      assert.match(push, /: Pushed$/m);
      const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push)?.[1];
      assert.ok(digest, push);
      const repoDigests = JSON.parse(await ok(runDocker(d.dockerHost, ['inspect', '-f', '{{json .RepoDigests}}', name]))) as string[];
      assert.ok(repoDigests.includes(`${reg.host}/team/box@${digest}`), repoDigests.join(' '));
      // a second push finds the layer there
      assert.match(await ok(runDocker(d.dockerHost, ['push', name])), /Layer already exists/);
      // the same layer to another repository of the registry: mounted, not uploaded
      await ok(runDocker(d.dockerHost, ['tag', 'busybox', `${reg.host}/other/box:v1`]));
      assert.match(await ok(runDocker(d.dockerHost, ['push', `${reg.host}/other/box:v1`])), /Mounted from team\/box/);
      await ok(runDocker(d.dockerHost, ['rmi', name, `${reg.host}/other/box:v1`]));
      const pull = await ok(runDocker(d.dockerHost, ['pull', name]));
      assert.match(pull, /v1: Pulling from team\/box/);
      assert.match(pull, new RegExp(`Digest: ${digest}`));
      assert.match(pull, /Status: (Downloaded newer image|Image is up to date) for/);
      assert.equal(await ok(runDocker(d.dockerHost, ['run', '--rm', name, 'echo', 'pulled'])), 'pulled\n');
      assert.match(await ok(runDocker(d.dockerHost, ['pull', name])), /Status: Image is up to date for/);
      // by digest, into a daemon that has none of it
      const fresh = await startBerthd();
      try {
        const byDigest = await ok(runDocker(fresh.dockerHost, ['pull', `${reg.host}/team/box@${digest}`]));
        assert.match(byDigest, /Pull complete/);
        assert.match(await ok(runDocker(fresh.dockerHost, ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}'])), new RegExp(`${reg.host}/team/box <none> ${digest}`));
        assert.equal(await ok(runDocker(fresh.dockerHost, ['run', '--rm', `${reg.host}/team/box@${digest}`, 'echo', 'by digest'])), 'by digest\n');
      } finally {
        await fresh.stop();
      }
    });

    test('bin/berth push and pull draw docker\'s progress lines', async () => {
      const name = `${reg.host}/cli/box:v2`;
      await ok(runBerth(d.dockerHost, ['tag', 'busybox', name]));
      const push = await ok(runBerth(d.dockerHost, ['push', name]));
      assert.match(push, /The push refers to repository/);
      assert.match(push, /v2: digest: sha256:[0-9a-f]{64} size: \d+/);
      await ok(runBerth(d.dockerHost, ['rmi', name]));
      const pull = await ok(runBerth(d.dockerHost, ['pull', name]));
      assert.match(pull, /Digest: sha256:/);
      assert.match(pull, new RegExp(`${reg.host}/cli/box:v2\\n$`));
    });

    test('GET /distribution/{name}/json and an unknown repository or tag', async () => {
      const name = `${reg.host}/team/box:v1`;
      const res = await fetchApi(`/distribution/${name}/json`);
      assert.equal(res.status, 200, res.body);
      const json = JSON.parse(res.body) as { Descriptor: { digest: string; mediaType: string }; Platforms: Array<{ os: string; architecture: string }> };
      assert.match(json.Descriptor.digest, /^sha256:/);
      assert.deepEqual(json.Platforms, [{ architecture: 'amd64', os: 'linux' }]);
      const missing = await runDocker(d.dockerHost, ['pull', `${reg.host}/no/such:thing`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Error response from daemon: (pull access denied for|manifest for) /);
      const noTag = await runDocker(d.dockerHost, ['pull', `${reg.host}/team/box:nope`]);
      assert.equal(noTag.code, 1);
      assert.match(noTag.stderr, /manifest for .*team\/box:nope not found: manifest unknown/);
    });
  });
}

async function fetchApi(p: string): Promise<{ status: number; body: string }> {
  const { request } = await import('../../helpers/berthd.js');
  return request(d.socket, 'GET', p);
}

describe('login', () => {
  let reg: TestRegistry;
  let tokenReg: TestRegistry;
  let htpasswd: string;
  before(async () => {
    htpasswd = path.join(d.base, 'htpasswd');
    // htpasswd -B: bcrypt, as distribution requires
    await fs.writeFile(htpasswd, execFileSync('htpasswd', ['-Bbn', 'tester', 's3cret']));
    reg = await startDistribution(htpasswd);
    tokenReg = await startBerthRegistry(async () => ['--htpasswd', htpasswd, '--token-auth']);
  });
  after(async () => {
    await reg?.stop();
    await tokenReg?.stop();
  });

  test('docker login to a registry with htpasswd auth, then push and pull; wrong password and anonymous push fail', async () => {
    const name = `${reg.host}/secret/box:v1`;
    await ok(runDocker(d.dockerHost, ['tag', 'busybox', name]));
    const anon = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(anon.code, 1);
    assert.match(anon.stderr + anon.stdout, /denied|unauthorized|authentication required/);
    const bad = await runDocker(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 'wrong\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`));
    const good = await runDocker(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n' });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Login Succeeded/);
    await ok(runDocker(d.dockerHost, ['push', name]));
    await ok(runDocker(d.dockerHost, ['rmi', name]));
    await ok(runDocker(d.dockerHost, ['pull', name]));
    await ok(runDocker(d.dockerHost, ['logout', reg.host]));
  });

  test('berth login/logout keep Docker\'s config.json; bearer tokens from berth registry serve --token-auth', async () => {
    const cfg = path.join(d.base, 'berth-config');
    const name = `${tokenReg.host}/tok/box:v1`;
    const bad = await runBerth(d.dockerHost, ['--config', cfg, 'login', '-u', 'tester', '-p', 'nope', tokenReg.host]);
    assert.equal(bad.code, 1);
    const good = await runBerth(d.dockerHost, ['--config', cfg, 'login', '-u', 'tester', '--password-stdin', tokenReg.host], { input: 's3cret\n' });
    assert.equal(good.code, 0, good.stderr);
    const stored = JSON.parse(await fs.readFile(path.join(cfg, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string; identitytoken?: string }> };
    // the token service gave an identity token: it is kept instead of the password (identity-token.test.ts)
    assert.equal(Buffer.from(stored.auths[tokenReg.host]!.auth, 'base64').toString(), 'tester:');
    assert.ok(stored.auths[tokenReg.host]!.identitytoken);
    await ok(runBerth(d.dockerHost, ['tag', 'busybox', name]));
    await ok(runBerth(d.dockerHost, ['--config', cfg, 'push', name]));
    await ok(runBerth(d.dockerHost, ['rmi', name]));
    await ok(runBerth(d.dockerHost, ['--config', cfg, 'pull', name]));
    assert.match(await ok(runBerth(d.dockerHost, ['--config', cfg, 'logout', tokenReg.host])), /Removing login credentials/);
    const anon = await runBerth(d.dockerHost, ['--config', cfg, 'pull', name]);
    assert.equal(anon.code, 1);
  });
});
