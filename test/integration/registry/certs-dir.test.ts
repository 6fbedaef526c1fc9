import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { freePort, startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';
import { makeServerCerts } from '../../helpers/tls-certs.js';

/**
 * A registry that is neither loopback nor insecure is spoken to over HTTPS with verified certificates,
 * trusting what the registry's certs.d directory holds (dockerd's /etc/docker/certs.d/<host:port>/ca.crt;
 * berthd's --registry-certs-dir). The registry listens on an address of TEST-NET-1 (192.0.2.0/24, never
 * routed) added to `lo` for the test, so no packet leaves the machine.
 */
const ip = `192.0.2.${10 + (randomBytes(1)[0]! % 200)}`;
let dir: string;
let certsDir: string;
let ca: string;
let d: Berthd;
let reg: TestRegistry;

before(async () => {
  execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
  dir = await fs.mkdtemp('/tmp/berth-certs-dir-');
  certsDir = path.join(dir, 'certs.d');
  const certs = await makeServerCerts(dir, ip);
  ca = certs.ca;
  reg = await startBerthRegistry(async () => ['--tls-cert', certs.cert, '--tls-key', certs.key], await fs.readFile(ca), await freePort(), ip);
  d = await startBerthd(['--registry-certs-dir', certsDir]);
  await bootstrapBusybox(d);
});
after(async () => {
  await reg?.stop();
  await d?.stop();
  execFileSync('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo'], { stdio: 'ignore' });
  await fs.rm(dir, { recursive: true, force: true });
});

test('an unknown CA is refused with what to do; the CA in certs.d/<host:port>/ca.crt is trusted for push and pull', async () => {
  const name = `${reg.host}/secure/box:v1`;
  assert.equal((await runDocker(d.dockerHost, ['tag', 'busybox', name])).code, 0);
  const refused = await runDocker(d.dockerHost, ['push', name]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /x509: certificate signed by unknown authority/);
  assert.match(refused.stderr, new RegExp(`${reg.host.replace(/\./g, '\\.')}/ca\\.crt`), 'the error says where the CA goes');

  // dropped in while berthd runs, as with dockerd
  await fs.mkdir(path.join(certsDir, reg.host), { recursive: true });
  await fs.copyFile(ca, path.join(certsDir, reg.host, 'ca.crt'));
  const push = await runDocker(d.dockerHost, ['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await runDocker(d.dockerHost, ['rmi', name])).code, 0);
  const pull = await runDocker(d.dockerHost, ['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  const r = await runDocker(d.dockerHost, ['run', '--rm', name, 'echo', 'verified']);
  assert.equal(r.stdout, 'verified\n', r.stderr);
});

test('a client certificate without its key is refused with the file named', async () => {
  const name = `${reg.host}/secure/box:v1`;
  await fs.writeFile(path.join(certsDir, reg.host, 'client.cert'), 'not used');
  try {
    const r = await runDocker(d.dockerHost, ['pull', name]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing key client\.key for client certificate client\.cert/);
  } finally {
    await fs.rm(path.join(certsDir, reg.host, 'client.cert'));
  }
});
