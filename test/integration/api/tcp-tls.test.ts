import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { makeClientCert, makeServerCerts } from '../../helpers/tls-certs.js';

const PORT = 23000 + Math.floor(Math.random() * 2000);
let d: Berthd;
let certs: string;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, under the names the docker CLI looks for. */
async function makeCerts(dir: string): Promise<void> {
  await makeServerCerts(dir);
  const client = await makeClientCert(dir);
  // the docker CLI's --tlsverify looks for these names in DOCKER_CERT_PATH
  await fs.copyFile(client.cert, path.join(dir, 'cert.pem'));
  await fs.copyFile(client.key, path.join(dir, 'key.pem'));
}

before(async () => {
  certs = await fs.mkdtemp('/tmp/berth-test-certs-');
  await makeCerts(certs);
  d = await startBerthd([
    '-H', `tcp://127.0.0.1:${PORT}`,
    '--tlsverify', '--tlscacert', path.join(certs, 'ca.pem'), '--tlscert', path.join(certs, 'server.pem'), '--tlskey', path.join(certs, 'server-key.pem'),
  ]);
});
after(async () => {
  await d?.stop();
  await fs.rm(certs, { recursive: true, force: true });
});

test('berthd serves the API over TCP with mutual TLS, next to its unix socket', async () => {
  const env = { DOCKER_CERT_PATH: certs, DOCKER_TLS_VERIFY: '1' };
  Object.assign(process.env, env);
  try {
    const ok = await runDocker(`tcp://127.0.0.1:${PORT}`, ['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(ok.stdout, '1.43\n', ok.stderr);
  } finally {
    delete process.env.DOCKER_CERT_PATH;
    delete process.env.DOCKER_TLS_VERIFY;
  }
  // without a client certificate the TLS handshake is refused
  const noCert = await runDocker(`tcp://127.0.0.1:${PORT}`, ['--tls', 'version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(noCert.code, 0);
  assert.notEqual(noCert.stdout, '1.43\n');
  // and bin/berth, with the same settings from flags and from the environment
  const berthFlags = await runBerth(`tcp://127.0.0.1:${PORT}`, ['--tlsverify', '--tlscacert', path.join(certs, 'ca.pem'), '--tlscert', path.join(certs, 'client.pem'), '--tlskey', path.join(certs, 'client-key.pem'), 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(berthFlags.stdout, '1.43\n', berthFlags.stderr);
  Object.assign(process.env, env);
  try {
    const berthEnv = await runBerth(`tcp://127.0.0.1:${PORT}`, ['info', '--format', '{{.OSType}}']);
    assert.equal(berthEnv.stdout, 'linux\n', berthEnv.stderr);
  } finally {
    delete process.env.DOCKER_CERT_PATH;
    delete process.env.DOCKER_TLS_VERIFY;
  }
  const berthNoTls = await runBerth(`tcp://127.0.0.1:${PORT}`, ['version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(berthNoTls.code, 0, 'plain HTTP to a TLS daemon fails');
  // the unix socket still answers
  const unix = await runDocker(d.dockerHost, ['version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(unix.stdout, '1.43\n');
});
