import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runBerth, runDocker, startBerthd, type Berthd, type ExecResult } from '../../helpers/berthd.js';
import { installCredentialHelper, testClient, type TestClient } from '../../helpers/credential-helper.js';
import { startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';

/**
 * Identity tokens (OAuth2 refresh tokens), end to end as Docker does them: `berth registry serve
 * --htpasswd --token-auth` gives berthd a refresh token at login (POST /auth's IdentityToken), the docker
 * CLI 28 and `berth login` keep it instead of the password (config.json, or a credential helper under the
 * username "<token>"), and pulls and pushes then get their access tokens with it alone.
 */
let d: Berthd;
let reg: TestRegistry;
let bin: string;

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  const htpasswd = path.join(d.base, 'htpasswd');
  await fs.writeFile(htpasswd, execFileSync('htpasswd', ['-Bbn', 'tester', 's3cret']));
  reg = await startBerthRegistry(async () => ['--htpasswd', htpasswd, '--token-auth']);
  bin = await installCredentialHelper(d.base);
});
after(async () => {
  await reg?.stop();
  await d?.stop();
});

const client = (name: string, config: object = {}) => testClient(d.base, bin, name, config);

function ok(r: ExecResult): string {
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** The entry a login left for the registry: `auth` must be base64("tester:") — the username, no password. */
async function storedLogin(c: TestClient): Promise<{ auth: string; identitytoken: string }> {
  const cfg = (await c.config()) as { auths: Record<string, { auth: string; identitytoken: string }> };
  assert.deepEqual(Object.keys(cfg), ['auths']);
  assert.deepEqual(Object.keys(cfg.auths), [reg.host]);
  const entry = cfg.auths[reg.host]!;
  assert.deepEqual(Object.keys(entry).sort(), ['auth', 'identitytoken']);
  assert.equal(Buffer.from(entry.auth, 'base64').toString(), 'tester:', 'the username is kept, the password is not');
  assert.match(entry.identitytoken, /^[\w-]+\.[\w-]+$/);
  return entry;
}

function login(run: typeof runBerth, c: TestClient): Promise<ExecResult> {
  return run(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: c.env });
}

test('docker login through berthd keeps the identity token, not the password; docker push and pull work with it alone', async () => {
  const name = `${reg.host}/idt/box:v1`;
  const docker = await client('docker');
  ok(await runDocker(d.dockerHost, ['tag', 'busybox', name]));
  const anon = await runDocker(d.dockerHost, ['push', name], { env: docker.env });
  assert.equal(anon.code, 1, 'nothing stored yet: the push is refused');

  const r = await login(runDocker, docker);
  assert.equal(ok(r), 'Login Succeeded\n');
  assert.equal(r.stderr, '', 'the docker CLI warns about plain-text credentials only when a password is stored');
  const entry = await storedLogin(docker);
  assert.doesNotMatch(JSON.stringify(await docker.config()), /s3cret/);

  ok(await runDocker(d.dockerHost, ['push', name], { env: docker.env }));
  ok(await runDocker(d.dockerHost, ['rmi', name]));
  assert.match(ok(await runDocker(d.dockerHost, ['pull', name], { env: docker.env })), /Downloaded newer image/);

  // the Engine API's documented form: X-Registry-Auth {"identitytoken": …} without a username
  await docker.writeConfig({ auths: { [reg.host]: { identitytoken: entry.identitytoken } } });
  ok(await runDocker(d.dockerHost, ['rmi', name]));
  ok(await runDocker(d.dockerHost, ['pull', name], { env: docker.env }));
  ok(await runDocker(d.dockerHost, ['push', name], { env: docker.env }));
});

test('berth login keeps the same shape as the docker CLI; berth pull and push send the identity token', async () => {
  const name = `${reg.host}/idt/berth:v1`;
  const berth = await client('berth');
  ok(await runBerth(d.dockerHost, ['tag', 'busybox', name]));
  const r = await login(runBerth, berth);
  assert.equal(ok(r), 'Login Succeeded\n');
  assert.equal(r.stderr, '', 'no plain-text warning: no password was stored (as the docker CLI)');
  await storedLogin(berth);
  assert.doesNotMatch(JSON.stringify(await berth.config()), /s3cret/);

  ok(await runBerth(d.dockerHost, ['push', name], { env: berth.env }));
  ok(await runBerth(d.dockerHost, ['rmi', name]));
  assert.match(ok(await runBerth(d.dockerHost, ['pull', name], { env: berth.env })), /Downloaded newer image/);
  // the docker CLI reads what berth wrote
  ok(await runDocker(d.dockerHost, ['rmi', name]));
  ok(await runDocker(d.dockerHost, ['pull', name], { env: berth.env }));
});

test('credsStore: both CLIs give the helper the identity token as the secret under the username "<token>"', async () => {
  const name = `${reg.host}/idt/helped:v1`;
  ok(await runBerth(d.dockerHost, ['tag', 'busybox', name]));
  const berth = await client('berth-helper', { credsStore: 'berthtest' });
  const docker = await client('docker-helper', { credsStore: 'berthtest' });
  for (const [c, run] of [[docker, runDocker], [berth, runBerth]] as const) {
    const r = await login(run, c);
    assert.equal(ok(r), 'Login Succeeded\n');
    assert.equal(r.stderr, '');
    assert.deepEqual(await c.config(), { credsStore: 'berthtest', auths: { [reg.host]: {} } });
    const log = await c.log();
    assert.equal(log.length, 1, log.join('\n'));
    // Go's JSON, as the docker CLI writes it: "<token>" with its angle brackets escaped
    assert.match(log[0]!, new RegExp(`^store \\{"ServerURL":"${reg.host}","Username":"\\\\u003ctoken\\\\u003e","Secret":"[\\w-]+\\.[\\w-]+"\\}$`));
    assert.doesNotMatch(log[0]!, /s3cret/);
  }
  ok(await runBerth(d.dockerHost, ['push', name], { env: berth.env }));
  ok(await runBerth(d.dockerHost, ['rmi', name]));
  ok(await runBerth(d.dockerHost, ['pull', name], { env: berth.env }));
  ok(await runDocker(d.dockerHost, ['rmi', name]));
  ok(await runDocker(d.dockerHost, ['pull', name], { env: docker.env }));
  assert.deepEqual((await berth.log()).slice(1), [`get ${reg.host}`, `get ${reg.host}`]);
});

test('a tampered identity token fails pulls with a clear unauthorized error, from both CLIs', async () => {
  const name = `${reg.host}/idt/box:v1`;
  const c = await client('tampered');
  ok(await login(runBerth, c));
  const { auth, identitytoken } = await storedLogin(c);
  const [payload, sig] = identitytoken.split('.') as [string, string];
  // another user's name in the claims, the signature kept
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${sig}`;
  await c.writeConfig({ auths: { [reg.host]: { auth, identitytoken: forged } } });
  await runBerth(d.dockerHost, ['rmi', name]);
  for (const run of [runBerth, runDocker]) {
    const r = await run(d.dockerHost, ['pull', name], { env: c.env });
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, `Error response from daemon: Post "http://${reg.host}/token": unauthorized: invalid refresh token\n`);
  }
  const push = await runBerth(d.dockerHost, ['push', `${reg.host}/idt/berth:v1`], { env: c.env });
  assert.equal(push.code, 1);
  assert.match(push.stderr, /unauthorized: invalid refresh token/);
});
