import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadAuth, registryAuthHeader, saveAuth } from './credentials.js';

async function withConfigDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp('/tmp/berth-creds-');
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const readConfig = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as unknown;
const header = (v: string) => JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as unknown;

test('an identity token is stored as the docker CLI does: the username kept in auth, no password, no warning', () =>
  withConfigDir(async (dir) => {
    const saved = await saveAuth(dir, { username: 'tester', serveraddress: 'reg.test:5000', identitytoken: 'id.tok' });
    assert.deepEqual(saved, {}, 'no plain-text warning: no password went into the file');
    assert.deepEqual(await readConfig(dir), { auths: { 'reg.test:5000': { auth: Buffer.from('tester:').toString('base64'), identitytoken: 'id.tok' } } });
    assert.deepEqual(await loadAuth(dir, 'reg.test:5000'), { username: 'tester', serveraddress: 'reg.test:5000', identitytoken: 'id.tok' });
    // X-Registry-Auth leaves empty fields out, as the docker CLI's (omitempty)
    assert.deepEqual(header(await registryAuthHeader(dir, 'reg.test:5000/a/b:v1')), { username: 'tester', serveraddress: 'reg.test:5000', identitytoken: 'id.tok' });
  }));

test('a password login still stores the password and warns; an entry with only an identity token loads', () =>
  withConfigDir(async (dir) => {
    const saved = await saveAuth(dir, { username: 'tester', password: 's3cret', serveraddress: 'reg.test:5000' });
    assert.equal(saved.plaintextIn, path.join(dir, 'config.json'));
    assert.deepEqual(await loadAuth(dir, 'reg.test:5000'), { username: 'tester', password: 's3cret', serveraddress: 'reg.test:5000' });
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'other.test': { identitytoken: 'only.tok' } } }));
    assert.deepEqual(await loadAuth(dir, 'other.test'), { serveraddress: 'other.test', identitytoken: 'only.tok' });
    assert.equal(await loadAuth(dir, 'reg.test:5000'), undefined);
    assert.deepEqual(header(await registryAuthHeader(dir, 'nowhere.test/x')), {});
  }));
