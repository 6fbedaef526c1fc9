import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { freePort, startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';
import { makeServerCerts } from '../../helpers/tls-certs.js';

/**
 * `berth registry serve --tls-cert --tls-key` with a CA and a certificate for 127.0.0.1 made by openssl:
 * curl trusting the CA, skopeo with a cert dir, and berthd, which speaks HTTPS first to a loopback
 * registry (without verification, as dockerd does for insecure registries) and plain HTTP only when TLS fails.
 */
const run = promisify(execFile);
let d: Berthd;
let reg: TestRegistry;
let certDir: string;
let certs: { ca: string; cert: string; key: string };

before(async () => {
  certDir = await fs.mkdtemp('/tmp/berth-tls-registry-');
  certs = await makeServerCerts(certDir);
  // skopeo's cert dirs want the CA as ca.crt
  await fs.mkdir(path.join(certDir, 'skopeo'));
  await fs.copyFile(certs.ca, path.join(certDir, 'skopeo', 'ca.crt'));
  d = await startBerthd();
  await bootstrapBusybox(d);
  reg = await startBerthRegistry(async () => ['--tls-cert', certs.cert, '--tls-key', certs.key], await fs.readFile(certs.ca));
});
after(async () => {
  await reg?.stop();
  await d?.stop();
  await fs.rm(certDir, { recursive: true, force: true });
});

async function curl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '10', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('curl trusting the CA reaches /v2/ and _catalog over HTTPS; an untrusted client fails; plain HTTP gets Go\'s 400', async () => {
  const v2 = await curl('--cacert', certs.ca, '-i', `https://${reg.host}/v2/`);
  assert.equal(v2.code, 0, v2.stderr);
  assert.match(v2.stdout, /^HTTP\/1\.1 200/);
  assert.match(v2.stdout, /docker-distribution-api-version: registry\/2\.0/i);
  const cat = await curl('--cacert', certs.ca, `https://${reg.host}/v2/_catalog`);
  assert.equal(cat.code, 0, cat.stderr);
  assert.deepEqual(JSON.parse(cat.stdout), { repositories: [] });
  const untrusted = await curl(`https://${reg.host}/v2/`);
  assert.equal(untrusted.code, 60, `curl without the CA must fail the certificate check: ${untrusted.stderr}`);
  // plain HTTP is answered as distribution (Go's net/http) answers it, byte for byte, and not served
  const plain = await curl('-i', `http://${reg.host}/v2/`);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
  // and the port still speaks TLS afterwards
  assert.equal((await curl('--cacert', certs.ca, `https://${reg.host}/v2/`)).stdout, '{}');
});

test('skopeo copies into and out of the TLS registry with a cert dir, and refuses it without one', async () => {
  const archive = path.join(d.base, 'bb.tar');
  assert.equal((await runDocker(d.dockerHost, ['save', '-o', archive, 'busybox'])).code, 0);
  await run('skopeo', ['copy', '--dest-cert-dir', path.join(certDir, 'skopeo'), `docker-archive:${archive}`, `docker://${reg.host}/sk/busybox:1`]);
  const { stdout } = await run('skopeo', ['inspect', '--cert-dir', path.join(certDir, 'skopeo'), `docker://${reg.host}/sk/busybox:1`]);
  assert.equal((JSON.parse(stdout) as { Name: string }).Name, `${reg.host}/sk/busybox`);
  const out = path.join(d.base, 'oci-out');
  await run('skopeo', ['copy', '--src-cert-dir', path.join(certDir, 'skopeo'), `docker://${reg.host}/sk/busybox:1`, `oci:${out}:x`]);
  const index = JSON.parse(await fs.readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: unknown[] };
  assert.equal(index.manifests.length, 1);
  await assert.rejects(run('skopeo', ['inspect', `docker://${reg.host}/sk/busybox:1`]), /certificate signed by unknown authority|x509/);
});

test('berthd pushes to and pulls from the TLS registry on a loopback address, then runs the image', async () => {
  const name = `${reg.host}/tls/box:v1`;
  const ok = async (args: string[]) => {
    const r = await runDocker(d.dockerHost, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  await ok(['tag', 'busybox', name]);
  assert.match(await ok(['push', name]), /v1: digest: sha256:[0-9a-f]{64}/);
  const tags = await curl('--cacert', certs.ca, `https://${reg.host}/v2/tls/box/tags/list`);
  assert.deepEqual(JSON.parse(tags.stdout), { name: 'tls/box', tags: ['v1'] });
  await ok(['rmi', name]);
  assert.match(await ok(['pull', name]), /Status: (Downloaded newer image|Image is up to date) for/);
  assert.equal(await ok(['run', '--rm', '--dns', '127.0.0.1', name, 'echo', 'over tls']), 'over tls\n');
  // what skopeo put there (OCI or Docker media types) pulls too
  await ok(['pull', `${reg.host}/sk/busybox:1`]);
});

test('a registry that was not up yet is probed again: HTTPS once it listens with TLS, HTTP after it came back without', async () => {
  const port = await freePort();
  const gone = await runDocker(d.dockerHost, ['pull', `127.0.0.1:${port}/late/box:v1`]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /connection refused/);
  const late = await startBerthRegistry(async () => ['--tls-cert', certs.cert, '--tls-key', certs.key], await fs.readFile(certs.ca), port);
  try {
    const name = `${late.host}/late/box:v1`;
    assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', name])).code, 0);
    const push = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(push.code, 0, push.stderr);
    const tags = await curl('--cacert', certs.ca, `https://${late.host}/v2/late/box/tags/list`);
    assert.deepEqual(JSON.parse(tags.stdout), { name: 'late/box', tags: ['v1'] });
  } finally {
    await late.stop();
  }
  // the same port again, now plain HTTP: berthd, which spoke HTTPS there, falls back without being told
  const plain = await startBerthRegistry(async () => [], undefined, port);
  try {
    const push = await runDocker(d.dockerHost, ['push', `${plain.host}/late/box:v1`]);
    assert.equal(push.code, 0, push.stderr);
    const tags = await curl(`http://${plain.host}/v2/late/box/tags/list`);
    assert.deepEqual(JSON.parse(tags.stdout), { name: 'late/box', tags: ['v1'] });
  } finally {
    await plain.stop();
  }
});

test('a registry that comes back with TLS where it spoke plain HTTP: the 400 that plain HTTP gets there sends berthd back to HTTPS', async () => {
  const port = await freePort();
  const plain = await startBerthRegistry(async () => [], undefined, port);
  const name = `${plain.host}/switch/box:v1`;
  try {
    assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', name])).code, 0);
    const push = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(push.code, 0, push.stderr);
  } finally {
    await plain.stop();
  }
  const secure = await startBerthRegistry(async () => ['--tls-cert', certs.cert, '--tls-key', certs.key], await fs.readFile(certs.ca), port);
  try {
    const push = await runDocker(d.dockerHost, ['push', name]);
    assert.equal(push.code, 0, push.stderr);
    const tags = await curl('--cacert', certs.ca, `https://${secure.host}/v2/switch/box/tags/list`);
    assert.deepEqual(JSON.parse(tags.stdout), { name: 'switch/box', tags: ['v1'] });
  } finally {
    await secure.stop();
  }
});
