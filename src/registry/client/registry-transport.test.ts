import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { startRegistry, type RunningRegistry } from '../server/index.js';
import { readText, RegistryTransport, TokenRefused } from './registry-transport.js';

/** berth's registry server with htpasswd + token auth on 127.0.0.1:0; `seen` logs each request's method and path. */
async function withTokenRegistry(fn: (r: RunningRegistry, seen: string[]) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp('/tmp/berth-transport-');
  const htpasswd = path.join(base, 'htpasswd');
  await fs.writeFile(htpasswd, `tester:${bcrypt.hashSync('s3cret', 4)}\n`);
  const seen: string[] = [];
  const reg = await startRegistry({ addr: '127.0.0.1:0', root: path.join(base, 'root'), auth: { htpasswd, token: true }, log: (line) => seen.push(line.split(' ').slice(0, 2).join(' ')) });
  try {
    await fn(reg, seen);
  } finally {
    await reg.close();
    await fs.rm(base, { recursive: true, force: true });
  }
}

async function status(t: RegistryTransport, p: string, scope: string): Promise<number> {
  const r = await t.request(p, { scope });
  (r.body as IncomingMessage).resume();
  return r.status;
}

test('a login transport asks for offline access and keeps the refresh token; an identity token alone then buys access tokens (POST grant_type=refresh_token)', () =>
  withTokenRegistry(async (reg, seen) => {
    const login = new RegistryTransport(reg.address, { username: 'tester', password: 's3cret' }, [], '', { offlineAccess: true });
    assert.equal(await status(login, '/v2/', ''), 200);
    const identity = login.identityToken;
    assert.ok(identity);
    assert.ok(seen.some((l) => /^GET \/token\?.*offline_token=true/.test(l) && l.includes('client_id=docker')), seen.join('\n'));

    // an ordinary (pull/push) transport with a password asks for no refresh token
    const plain = new RegistryTransport(reg.address, { username: 'tester', password: 's3cret' }, []);
    assert.equal(await status(plain, '/v2/', ''), 200);
    assert.equal(plain.identityToken, undefined);

    seen.length = 0;
    const byToken = new RegistryTransport(reg.address, { identitytoken: identity }, []);
    assert.equal(await status(byToken, '/v2/team/app/tags/list', 'repository:team/app:pull'), 404, 'let in: the repository is only empty');
    assert.ok(seen.includes('POST /token'), seen.join('\n'));
    assert.ok(!seen.some((l) => l.startsWith('GET /token')), 'no Basic exchange without a password');
  }));

test('a tampered identity token is refused by the token service, in its words', () =>
  withTokenRegistry(async (reg) => {
    const login = new RegistryTransport(reg.address, { username: 'tester', password: 's3cret' }, [], '', { offlineAccess: true });
    assert.equal(await status(login, '/v2/', ''), 200);
    const [payload, sig] = login.identityToken!.split('.') as [string, string];
    const t = new RegistryTransport(reg.address, { identitytoken: `${payload}x.${sig}` }, []);
    await assert.rejects(status(t, '/v2/a/tags/list', 'repository:a:pull'), (err: unknown) => {
      assert.ok(err instanceof TokenRefused);
      assert.equal(err.message, `Post "${reg.url}/token": unauthorized: invalid refresh token`);
      return true;
    });
    // a wrong password is the user's error too; no credentials at all is not a refusal of credentials
    const wrong = new RegistryTransport(reg.address, { username: 'tester', password: 'nope' }, []);
    await assert.rejects(status(wrong, '/v2/', ''), (err: unknown) => err instanceof TokenRefused && /incorrect username or password/.test(err.message));
    const anon = new RegistryTransport(reg.address, undefined, []);
    await assert.rejects(status(anon, '/v2/', ''), (err: unknown) => !(err instanceof TokenRefused) && /unauthorized: authentication required/.test((err as Error).message));
  }));

/** A loopback server that refuses every TLS handshake (closes at the ClientHello) and answers plain HTTP with `answer`. */
async function withServer(answer: string, fn: (host: string) => Promise<void>): Promise<void> {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first[0] === 0x16) socket.destroy();
      else socket.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('plain HTTP that meets a TLS port ("Client sent an HTTP request to an HTTPS server.") fails saying so, with why HTTPS failed', () =>
  withServer('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n', async (host) => {
    const t = new RegistryTransport(host, undefined, []);
    await assert.rejects(t.request('/v2/', { scope: '' }), (err: Error) => {
      assert.equal(
        err.message,
        `Get "http://${host}/v2/": the registry answered plain HTTP with "Client sent an HTTP request to an HTTPS server.": it speaks HTTPS on this port, and HTTPS failed: Get "https://${host}/v2/": connection reset by peer`,
      );
      return true;
    });
  }));

test('any other 400 to plain HTTP comes back as it is, body included', () =>
  withServer('HTTP/1.0 400 Bad Request\r\n\r\nsomething else\n', async (host) => {
    const t = new RegistryTransport(host, undefined, []);
    const r = await t.request('/v2/', { scope: '' });
    assert.equal(r.status, 400);
    assert.equal(await readText(r.body, 1024), 'something else\n');
  }));
