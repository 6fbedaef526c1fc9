import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runBerth, runDocker, startBerthd, type Berthd, type ExecResult } from '../../helpers/berthd.js';
import { installCredentialHelper, testClient } from '../../helpers/credential-helper.js';
import { startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';

/**
 * `credsStore` and `credHelpers` in config.json: berth login/logout/pull/push run a real credential helper
 * (a shell script speaking the docker-credential-helpers protocol, storing into a directory), and do what
 * the docker CLI 28 does with the same config.
 */
let d: Berthd;
let reg: TestRegistry;
let bin: string;

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  const htpasswd = path.join(d.base, 'htpasswd');
  await fs.writeFile(htpasswd, execFileSync('htpasswd', ['-Bbn', 'tester', 's3cret']));
  reg = await startBerthRegistry(async () => ['--htpasswd', htpasswd]);
  bin = await installCredentialHelper(d.base);
});
after(async () => {
  await reg?.stop();
  await d?.stop();
});

const client = (name: string, config: object) => testClient(d.base, bin, name, config);

function ok(r: ExecResult): string {
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('credsStore: berth login stores through the helper, push and pull get from it, logout erases; as the docker CLI does', async () => {
  const name = `${reg.host}/helped/box:v1`;
  ok(await runBerth(d.dockerHost, ['tag', 'busybox', name]));
  const berth = await client('berth', { credsStore: 'berthtest' });
  const docker = await client('docker', { credsStore: 'berthtest' });
  const stored = `store {"ServerURL":"${reg.host}","Username":"tester","Secret":"s3cret"}`;

  const anon = await runBerth(d.dockerHost, ['push', name], { env: berth.env });
  assert.equal(anon.code, 1, 'nothing stored yet: the push is anonymous and refused');
  assert.deepEqual(await berth.log(), [`get ${reg.host}`]);
  await fs.rm(path.join(berth.env.BERTHTEST_CREDS, 'log'));

  const login = await runBerth(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: berth.env });
  assert.equal(ok(login), 'Login Succeeded\n');
  assert.equal(login.stderr, '', 'no plain-text warning when a helper keeps the secret');
  ok(await runDocker(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: docker.env }));
  for (const c of [berth, docker]) {
    assert.deepEqual(await c.config(), { credsStore: 'berthtest', auths: { [reg.host]: {} } });
    assert.deepEqual(await c.log(), [stored]);
    assert.equal((await c.secrets()).length, 1);
  }

  ok(await runBerth(d.dockerHost, ['push', name], { env: berth.env }));
  ok(await runBerth(d.dockerHost, ['rmi', name]));
  ok(await runBerth(d.dockerHost, ['pull', name], { env: berth.env }));
  assert.deepEqual((await berth.log()).slice(1), [`get ${reg.host}`, `get ${reg.host}`]);
  ok(await runDocker(d.dockerHost, ['pull', name], { env: docker.env }));
  assert.deepEqual((await docker.log()).slice(1), [`get ${reg.host}`]);

  for (const [c, run] of [[berth, runBerth], [docker, runDocker]] as const) {
    assert.equal(ok(await run(d.dockerHost, ['logout', reg.host], { env: c.env })), `Removing login credentials for ${reg.host}\n`);
    assert.deepEqual(await c.config(), { credsStore: 'berthtest', auths: {} });
    assert.deepEqual(await c.secrets(), []);
    assert.ok((await c.log()).includes(`erase ${reg.host}`));
  }
  // logged out: anonymous again
  ok(await runBerth(d.dockerHost, ['rmi', name]));
  assert.equal((await runBerth(d.dockerHost, ['pull', name], { env: berth.env })).code, 1);
});

test('credHelpers wins over credsStore; a helper that is missing fails a login and leaves pulls anonymous, as with the docker CLI', async () => {
  const name = `${reg.host}/helped/box:v2`;
  ok(await runBerth(d.dockerHost, ['tag', 'busybox', name]));
  const cfg = { credsStore: 'missing', credHelpers: { [reg.host]: 'berthtest' } };
  const berth = await client('berth-per-host', cfg);
  ok(await runBerth(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: berth.env }));
  assert.deepEqual(await berth.config(), { ...cfg, auths: { [reg.host]: {} } });
  assert.deepEqual(await berth.log(), [`store {"ServerURL":"${reg.host}","Username":"tester","Secret":"s3cret"}`]);
  ok(await runBerth(d.dockerHost, ['push', name], { env: berth.env }));

  // the same failure, word for word, from both CLIs
  const missing = { credsStore: 'missing' };
  const results: ExecResult[] = [];
  for (const [label, run] of [['berth-missing', runBerth], ['docker-missing', runDocker]] as const) {
    const c = await client(label, missing);
    const r = await run(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: c.env });
    assert.equal(r.code, 1);
    assert.deepEqual(await c.config(), missing, 'a failed store writes nothing');
    results.push(r);
    const pull = await run(d.dockerHost, ['pull', name], { env: c.env });
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /pull access denied|authentication required/, 'the pull went to the registry anonymously');
  }
  assert.equal(results[0]!.stderr, 'Error saving credentials: error storing credentials - err: exec: "docker-credential-missing": executable file not found in $PATH, out: ``\n');
  assert.equal(results[0]!.stderr, results[1]!.stderr);
});

test('without a helper the secret stays in config.json, with the docker CLI\'s warning', async () => {
  const c = await client('berth-file', {});
  const r = await runBerth(d.dockerHost, ['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n', env: c.env });
  assert.equal(ok(r), 'Login Succeeded\n');
  const file = path.join(c.env.DOCKER_CONFIG, 'config.json');
  assert.equal(r.stderr, `\nWARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  assert.deepEqual(await c.config(), { auths: { [reg.host]: { auth: Buffer.from('tester:s3cret').toString('base64') } } });
  assert.equal(ok(await runBerth(d.dockerHost, ['logout', reg.host], { env: c.env })), `Removing login credentials for ${reg.host}\n`);
  assert.deepEqual(await c.config(), { auths: {} });
  // logging out again says the same, as docker 28 does
  assert.equal(ok(await runBerth(d.dockerHost, ['logout', reg.host], { env: c.env })), `Removing login credentials for ${reg.host}\n`);
});
