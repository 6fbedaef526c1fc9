import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { startRegistry, type RunningRegistry } from '../server/index.js';
import { RegistryTransport, TokenRefused } from './registry-transport.js';

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
