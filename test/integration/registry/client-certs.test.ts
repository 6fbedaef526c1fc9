import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bootstrapBusybox, REPO_ROOT, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, startDistribution, type ReadinessTls, type TestRegistry } from '../../helpers/registries.js';
import { makeClientCert, makeServerCerts } from '../../helpers/tls-certs.js';

/**
 * `berth registry serve --tls-client-ca` (distribution's http.tls.clientcas): a client must present a
 * certificate one of the file's CAs signed. berthd presents the one in its certs dir
 * (`<registry-certs-dir>/<host:port>/client.cert` + `client.key`), read again when the files change, so
 * `docker push`/`pull` through berthd work once it is there and fail, saying where it goes, while it is not.
 * The registries listen on 127.0.0.1 (a loopback registry: HTTPS without verifying the server, as dockerd).
 */
const run = promisify(execFile);
let dir: string;
let certsDir: string;
let hostDir: string;
/** CA "a" signed the server's certificate and `client`; the client CA file holds CA "b" and CA "a" */
let a: { ca: string; cert: string; key: string };
let client: { cert: string; key: string };
let clientOfB: { cert: string; key: string };
let stranger: { cert: string; key: string };
let readiness: ReadinessTls;
let d: Berthd;
let reg: TestRegistry;

before(async () => {
  dir = await fs.mkdtemp('/tmp/berth-client-certs-');
  a = await makeServerCerts(dir);
  client = await makeClientCert(dir);
  for (const other of ['b', 'stranger']) await fs.mkdir(path.join(dir, other));
  await makeServerCerts(path.join(dir, 'b'));
  clientOfB = await makeClientCert(path.join(dir, 'b'));
  await makeServerCerts(path.join(dir, 'stranger'));
  stranger = await makeClientCert(path.join(dir, 'stranger'));
  const clientCas = path.join(dir, 'client-cas.pem');
  await fs.writeFile(clientCas, Buffer.concat([await fs.readFile(path.join(dir, 'b', 'ca.pem')), await fs.readFile(a.ca)]));
  readiness = { ca: await fs.readFile(a.ca), cert: await fs.readFile(client.cert), key: await fs.readFile(client.key) };
  reg = await startBerthRegistry(async () => ['--tls-cert', a.cert, '--tls-key', a.key, '--tls-client-ca', clientCas], readiness);
  certsDir = path.join(dir, 'certs.d');
  hostDir = path.join(certsDir, reg.host);
  d = await startBerthd(['--registry-certs-dir', certsDir]);
  await bootstrapBusybox(d);
});
after(async () => {
  await reg?.stop();
  await d?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function curl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '10', '--cacert', a.ca, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('curl: a client certificate from either CA of the file is let in; none, or one from another CA, is refused', async () => {
  const url = `https://${reg.host}/v2/`;
  for (const c of [client, clientOfB]) {
    const ok = await curl('--cert', c.cert, '--key', c.key, url);
    assert.equal(ok.code, 0, `${c.cert}: ${ok.stderr}`);
    assert.equal(ok.stdout, '{}');
  }
  const none = await curl(url);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /alert certificate required/);
  const other = await curl('--cert', stranger.cert, '--key', stranger.key, url);
  assert.notEqual(other.code, 0, 'a certificate from a CA the file does not hold is refused');
  assert.equal(other.stdout, '');
});

test('--tls-client-ca needs --tls-cert/--tls-key, and a file with certificates in it', async () => {
  const serve = (...args: string[]) => run(path.join(REPO_ROOT, 'bin/berth'), ['registry', 'serve', '--addr', '127.0.0.1:0', '--root', path.join(dir, 'unused'), ...args]);
  await assert.rejects(serve('--tls-client-ca', a.ca), (err: { stderr: string }) => /--tls-client-ca needs --tls-cert and --tls-key/.test(err.stderr));
  await assert.rejects(serve('--tls-cert', a.cert, '--tls-key', a.key, '--tls-client-ca', a.key), (err: { stderr: string }) => /no PEM certificate in it/.test(err.stderr));
});

test('docker push through berthd: refused, saying where the client certificate goes, until client.cert/client.key are in the certs dir', async () => {
  const name = `${reg.host}/mtls/box:v1`;
  assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', name])).code, 0);
  // the CA alone, as in a certs dir made for a registry that verifies its clients
  await fs.mkdir(hostDir, { recursive: true });
  await fs.copyFile(a.ca, path.join(hostDir, 'ca.crt'));
  const refused = await runDocker(d.dockerHost, ['push', name]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /requires a client certificate/);
  assert.ok(refused.stderr.includes(path.join(hostDir, 'client.cert')) && refused.stderr.includes('client.key'), `the error says where the certificate goes: ${refused.stderr}`);

  // dropped in while berthd runs
  await fs.copyFile(client.cert, path.join(hostDir, 'client.cert'));
  await fs.copyFile(client.key, path.join(hostDir, 'client.key'));
  const push = await runDocker(d.dockerHost, ['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /v1: digest: sha256:[0-9a-f]{64}/);
  const tags = await curl('--cert', client.cert, '--key', client.key, `https://${reg.host}/v2/mtls/box/tags/list`);
  assert.deepEqual(JSON.parse(tags.stdout), { name: 'mtls/box', tags: ['v1'] });
  assert.equal((await runDocker(d.dockerHost, ['rmi', name])).code, 0);
  const pull = await runDocker(d.dockerHost, ['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  const r = await runDocker(d.dockerHost, ['run', '--rm', name, 'echo', 'client cert']);
  assert.equal(r.stdout, 'client cert\n', r.stderr);
});

test('a client certificate the registry does not accept is named in the error', async () => {
  const name = `${reg.host}/mtls/box:v1`;
  await fs.copyFile(stranger.cert, path.join(hostDir, 'client.cert'));
  await fs.copyFile(stranger.key, path.join(hostDir, 'client.key'));
  try {
    const r = await runDocker(d.dockerHost, ['pull', name]);
    assert.equal(r.code, 1, r.stdout);
    assert.ok(r.stderr.includes(path.join(hostDir, 'client.cert')), r.stderr);
    assert.match(r.stderr, /not accept the client certificate/);
  } finally {
    await fs.copyFile(client.cert, path.join(hostDir, 'client.cert'));
    await fs.copyFile(client.key, path.join(hostDir, 'client.key'));
  }
  const again = await runDocker(d.dockerHost, ['pull', name]);
  assert.equal(again.code, 0, again.stderr);
});

test('the same through distribution 2.8 (http.tls.clientcas), whose TLS alert for a missing certificate is "bad certificate"', async () => {
  const dist = await startDistribution(undefined, { cert: a.cert, key: a.key, clientCas: [a.ca], readiness });
  try {
    const distDir = path.join(certsDir, dist.host);
    const name = `${dist.host}/mtls/box:v1`;
    assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', name])).code, 0);
    const refused = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /remote error: tls: bad certificate \(the registry requires a client certificate/);
    assert.ok(refused.stderr.includes(path.join(distDir, 'client.cert')), refused.stderr);

    await fs.mkdir(distDir, { recursive: true });
    await fs.copyFile(stranger.cert, path.join(distDir, 'client.cert'));
    await fs.copyFile(stranger.key, path.join(distDir, 'client.key'));
    const wrong = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.ok(wrong.stderr.includes(`bad certificate (the registry did not accept the client certificate ${path.join(distDir, 'client.cert')})`), wrong.stderr);

    await fs.copyFile(client.cert, path.join(distDir, 'client.cert'));
    await fs.copyFile(client.key, path.join(distDir, 'client.key'));
    const push = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await runDocker(d.dockerHost, ['rmi', name])).code, 0);
    const pull = await runDocker(d.dockerHost, ['pull', name]);
    assert.equal(pull.code, 0, pull.stderr);
  } finally {
    await dist.stop();
  }
});
