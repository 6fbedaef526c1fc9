import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { startRegistry, type RunningRegistry } from './index.js';

/** A registry with --htpasswd (alice, bob) and --token-auth on 127.0.0.1:0, removed afterwards. */
async function withTokenRegistry(fn: (r: RunningRegistry) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp('/tmp/berth-reg-token-');
  const htpasswd = path.join(base, 'htpasswd');
  await fs.writeFile(htpasswd, ['alice', 'bob'].map((u) => `${u}:${bcrypt.hashSync(`${u}-pw`, 4)}\n`).join(''));
  const reg = await startRegistry({ addr: '127.0.0.1:0', root: path.join(base, 'root'), auth: { htpasswd, token: true } });
  try {
    await fn(reg);
  } finally {
    await reg.close();
    await fs.rm(base, { recursive: true, force: true });
  }
}

const basic = (user: string, pw = `${user}-pw`) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
const SERVICE = 'berth-registry';

type TokenAnswer = { token?: string; access_token?: string; refresh_token?: string; scope?: string; expires_in?: number; error?: string; error_description?: string; errors?: Array<{ code: string; message: string }> };

async function post(reg: RunningRegistry, form: Record<string, string>, contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: TokenAnswer }> {
  const r = await fetch(`${reg.url}/token`, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'Content-Type': contentType } });
  return { status: r.status, body: (await r.json()) as TokenAnswer };
}

/** Lists the tags of `repo` with a bearer token: 404 (the repository is empty) means the token was let in. */
async function tagsStatus(reg: RunningRegistry, repo: string, token: string): Promise<number> {
  const r = await fetch(`${reg.url}/v2/${repo}/tags/list`, { headers: { Authorization: `Bearer ${token}` } });
  await r.body?.cancel();
  return r.status;
}

function claimsOf(token: string): { typ: string; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { typ: string; sub: string };
}

test('GET /token gives a refresh token only when asked for offline access (offline_token=true, client_id)', () =>
  withTokenRegistry(async (reg) => {
    const online = (await (await fetch(`${reg.url}/token?service=${SERVICE}&scope=repository:a:pull`, { headers: basic('alice') })).json()) as TokenAnswer;
    assert.ok(online.token && online.access_token === online.token);
    assert.equal(online.refresh_token, undefined);
    // what dockerd's login sends
    const r = await fetch(`${reg.url}/token?account=alice&client_id=docker&offline_token=true&service=${SERVICE}`, { headers: basic('alice') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const offline = (await r.json()) as TokenAnswer;
    assert.ok(offline.refresh_token);
    assert.deepEqual(claimsOf(offline.refresh_token), { ...claimsOf(offline.refresh_token), typ: 'refresh', sub: 'alice' });
    // a refresh token needs a client to be bound to, and is only for this registry's service
    const noClient = await fetch(`${reg.url}/token?offline_token=true&service=${SERVICE}`, { headers: basic('alice') });
    assert.equal(noClient.status, 400);
    assert.equal(((await noClient.json()) as TokenAnswer).error, 'invalid_request');
    const otherService = await fetch(`${reg.url}/token?offline_token=true&client_id=docker&service=elsewhere`, { headers: basic('alice') });
    assert.equal(otherService.status, 400);
    // without valid credentials: 401, as before
    const wrong = await fetch(`${reg.url}/token?offline_token=true&client_id=docker&service=${SERVICE}`, { headers: basic('alice', 'nope') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="berth-registry-token"');
  }));

test('POST /token: grant_type=password (access_type=offline adds a refresh token), then grant_type=refresh_token buys access tokens', () =>
  withTokenRegistry(async (reg) => {
    const plain = await post(reg, { grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, client_id: 'docker', scope: 'repository:a:pull' });
    assert.equal(plain.status, 200);
    assert.ok(plain.body.access_token);
    assert.equal(plain.body.scope, 'repository:a:pull');
    assert.equal(plain.body.refresh_token, undefined);
    const wrong = await post(reg, { grant_type: 'password', username: 'alice', password: 'nope', service: SERVICE, client_id: 'docker', access_type: 'offline' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errors?.[0]?.code, 'UNAUTHORIZED');
    assert.equal(wrong.body.refresh_token, undefined);

    const login = await post(reg, { grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, client_id: 'docker', access_type: 'offline' });
    assert.equal(login.status, 200);
    const refresh = login.body.refresh_token!;
    assert.ok(refresh);
    // refresh, as dockerd does with an identity token: space-separated scopes in one field
    const got = await post(reg, { grant_type: 'refresh_token', refresh_token: refresh, service: SERVICE, client_id: 'docker', scope: 'repository:a:pull repository:b:pull,push' });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.scope, 'repository:a:pull repository:b:pull,push');
    assert.equal(got.body.refresh_token, refresh, 'a refresh grant gives back the same refresh token');
    assert.ok((got.body.expires_in ?? 0) >= 60);
    const access = got.body.access_token!;
    assert.equal(claimsOf(access).sub, 'alice', 'the access token is for the refresh token\'s user');
    assert.equal(await tagsStatus(reg, 'a', access), 404);
    assert.equal(await tagsStatus(reg, 'b', access), 404);
    assert.equal(await tagsStatus(reg, 'c', access), 401, 'only the scopes asked for');
  }));

test('a refresh token is refused when tampered with, for another service or client, or used as a bearer token', () =>
  withTokenRegistry(async (reg) => {
    const refresh = (await post(reg, { grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, client_id: 'docker', access_type: 'offline' })).body.refresh_token!;
    const grant = (over: Record<string, string>) => post(reg, { grant_type: 'refresh_token', refresh_token: refresh, service: SERVICE, client_id: 'docker', scope: 'repository:a:pull', ...over });
    assert.equal((await grant({})).status, 200);

    const [payload, sig] = refresh.split('.') as [string, string];
    const asBob = Buffer.from(JSON.stringify({ ...claimsOf(refresh), sub: 'bob' })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    for (const bad of [`${asBob}.${sig}`, `${payload}.${flipped}`, payload, `${payload}.${sig}.x`, 'garbage']) {
      const r = await grant({ refresh_token: bad });
      assert.equal(r.status, 401, bad);
      assert.deepEqual(r.body.errors?.map((e) => [e.code, e.message]), [['UNAUTHORIZED', 'invalid refresh token']]);
    }
    for (const other of [{ client_id: 'other-client' }, { service: 'other-service' }] as Array<Record<string, string>>) {
      const r = await grant(other);
      assert.equal(r.status, 401);
      assert.equal(r.body.errors?.[0]?.message, 'refresh token was issued to another service or client');
    }
    // an access token is not a refresh token, and a refresh token opens nothing by itself
    const access = (await grant({})).body.access_token!;
    assert.equal((await grant({ refresh_token: access })).status, 401);
    for (const p of ['/v2/', '/v2/a/tags/list']) {
      const r = await fetch(`${reg.url}${p}`, { headers: { Authorization: `Bearer ${refresh}` } });
      await r.body?.cancel();
      assert.equal(r.status, 401, p);
    }
  }));

test('POST /token: malformed requests are OAuth2 invalid_request / unsupported_grant_type (400)', () =>
  withTokenRegistry(async (reg) => {
    const cases: Array<[Record<string, string>, string, string?]> = [
      [{ grant_type: 'password', username: 'alice', password: 'alice-pw', client_id: 'docker' }, 'invalid_request'],
      [{ grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE }, 'invalid_request'],
      [{ service: SERVICE, client_id: 'docker' }, 'invalid_request'],
      [{ grant_type: 'authorization_code', service: SERVICE, client_id: 'docker' }, 'unsupported_grant_type'],
      [{ grant_type: 'refresh_token', service: SERVICE, client_id: 'docker' }, 'invalid_request'],
      [{ grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, client_id: 'docker' }, 'invalid_request', 'application/json'],
    ];
    for (const [form, error, type] of cases) {
      const r = await post(reg, form, type);
      assert.equal(r.status, 400, JSON.stringify(form));
      assert.equal(r.body.error, error, JSON.stringify(form));
      assert.ok(r.body.error_description);
    }
    const huge = await post(reg, { grant_type: 'password', username: 'alice', password: 'x'.repeat(70_000), service: SERVICE, client_id: 'docker' });
    assert.equal(huge.status, 400);
  }));
