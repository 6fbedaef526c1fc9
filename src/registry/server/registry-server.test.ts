import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { sha256 } from '../../util/index.js';
import { MediaTypes } from '../../oci/index.js';
import { collectGarbage, startRegistry, type RunningRegistry } from './index.js';

async function withRegistry(opts: { deleteEnabled?: boolean; auth?: 'basic' | 'token' }, fn: (r: RunningRegistry, root: string) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp('/tmp/berth-reg-');
  let htpasswd: string | undefined;
  if (opts.auth) {
    htpasswd = path.join(base, 'htpasswd');
    // htpasswd -B writes $2y$
    await fs.writeFile(htpasswd, `alice:${bcrypt.hashSync('secret', 4).replace(/^\$2[ab]\$/, '$2y$')}\n`);
  }
  const reg = await startRegistry({ addr: '127.0.0.1:0', root: path.join(base, 'root'), deleteEnabled: opts.deleteEnabled, auth: htpasswd ? { htpasswd, token: opts.auth === 'token' } : undefined });
  try {
    await fn(reg, path.join(base, 'root'));
  } finally {
    await reg.close();
    await fs.rm(base, { recursive: true, force: true });
  }
}

async function pushBlob(base: string, repo: string, data: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(data);
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: new Uint8Array(data), headers });
  assert.equal(r.status, 201, await r.text());
  return digest;
}

async function pushImage(base: string, repo: string, tag: string, headers: Record<string, string> = {}): Promise<{ manifest: Buffer; digest: string; layer: string; config: string }> {
  const layer = await pushBlob(base, repo, Buffer.from(`layer of ${repo}`), headers);
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer] } }));
  const config = await pushBlob(base, repo, configBytes, headers);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: config, size: configBytes.length },
    layers: [{ mediaType: MediaTypes.OciLayer, digest: layer, size: `layer of ${repo}`.length }],
  }));
  const r = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: new Uint8Array(manifest), headers: { 'Content-Type': MediaTypes.OciManifest, ...headers } });
  assert.equal(r.status, 201, await r.text());
  return { manifest, digest: sha256(manifest), layer, config };
}

test('base, monolithic and chunked uploads, HEAD and ranged GET of blobs', () =>
  withRegistry({}, async (reg) => {
    const b = reg.url;
    const v2 = await fetch(`${b}/v2/`);
    assert.equal(v2.status, 200);
    assert.equal(v2.headers.get('docker-distribution-api-version'), 'registry/2.0');
    const data = Buffer.from('0123456789abcdef');
    const digest = sha256(data);
    const start = await fetch(`${b}/v2/a/b/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const loc = start.headers.get('location')!;
    const p1 = await fetch(new URL(loc, b), { method: 'PATCH', body: new Uint8Array(data.subarray(0, 10)), headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), '0-9');
    // out of order chunk → 416
    const bad = await fetch(new URL(loc, b), { method: 'PATCH', body: new Uint8Array(data.subarray(12)), headers: { 'Content-Range': '12-15' } });
    assert.equal(bad.status, 416);
    const p2 = await fetch(new URL(p1.headers.get('location')!, b), { method: 'PATCH', body: new Uint8Array(data.subarray(10)), headers: { 'Content-Range': '10-15' } });
    assert.equal(p2.status, 202);
    const st = await fetch(new URL(loc, b));
    assert.equal(st.status, 204);
    assert.equal(st.headers.get('range'), '0-15');
    const done = await fetch(new URL(`${loc}?digest=${digest}`, b), { method: 'PUT' });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('docker-content-digest'), digest);
    const head = await fetch(`${b}/v2/a/b/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '16');
    const ranged = await fetch(`${b}/v2/a/b/blobs/${digest}`, { headers: { Range: 'bytes=4-7' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), '4567');
    // the blob is not served through a repository that has no link to it
    assert.equal((await fetch(`${b}/v2/other/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    const missing = await fetch(`${b}/v2/a/b/blobs/${sha256('nope')}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: sha256('nope') } }] });
  }));

test('a wrong digest is refused and nothing of the upload stays', () =>
  withRegistry({}, async (reg, root) => {
    const r = await fetch(`${reg.url}/v2/x/blobs/uploads/?digest=${sha256('other')}`, { method: 'POST', body: 'payload' });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DIGEST_INVALID');
    assert.deepEqual(await fs.readdir(path.join(root, 'blobs/sha256')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'uploads')), []);
    const bad = await fetch(`${reg.url}/v2/UPPER/blobs/uploads/`, { method: 'POST' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_INVALID');
  }));

test('manifests by tag and digest, blob checks, mount, tags and catalog pagination, referrers', () =>
  withRegistry({}, async (reg) => {
    const b = reg.url;
    const img = await pushImage(b, 'team/app', 'v1');
    for (const ref of ['v1', img.digest]) {
      const g = await fetch(`${b}/v2/team/app/manifests/${ref}`);
      assert.equal(g.status, 200);
      assert.equal(g.headers.get('content-type'), MediaTypes.OciManifest);
      assert.equal(g.headers.get('docker-content-digest'), img.digest);
      assert.deepEqual(Buffer.from(await g.arrayBuffer()), img.manifest);
    }
    const unknown = await fetch(`${b}/v2/team/app/manifests/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'MANIFEST_UNKNOWN');
    // a manifest naming a blob the repository lacks
    const orphan = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciManifest, config: { mediaType: MediaTypes.OciConfig, digest: sha256('x'), size: 1 }, layers: [] });
    const o = await fetch(`${b}/v2/team/app/manifests/bad`, { method: 'PUT', body: orphan, headers: { 'Content-Type': MediaTypes.OciManifest } });
    assert.equal(o.status, 400);
    assert.equal(((await o.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'MANIFEST_BLOB_UNKNOWN');
    // cross-repository mount
    const m = await fetch(`${b}/v2/team/other/blobs/uploads/?mount=${img.layer}&from=team/app`, { method: 'POST' });
    assert.equal(m.status, 201);
    assert.equal((await fetch(`${b}/v2/team/other/blobs/${img.layer}`, { method: 'HEAD' })).status, 200);
    const noMount = await fetch(`${b}/v2/team/third/blobs/uploads/?mount=${img.layer}&from=nowhere`, { method: 'POST' });
    assert.equal(noMount.status, 202);
    for (const t of ['v2', 'v3', 'a']) await pushImage(b, 'team/app', t);
    const p1 = await fetch(`${b}/v2/team/app/tags/list?n=2`);
    assert.deepEqual(await p1.json(), { name: 'team/app', tags: ['a', 'v1'] });
    assert.equal(p1.headers.get('link'), '</v2/team/app/tags/list?n=2&last=v1>; rel="next"');
    const p2 = await fetch(`${b}/v2/team/app/tags/list?n=2&last=v1`);
    assert.deepEqual(await p2.json(), { name: 'team/app', tags: ['v2', 'v3'] });
    assert.equal(p2.headers.get('link'), null);
    await pushImage(b, 'zz', 'latest');
    assert.deepEqual(await (await fetch(`${b}/v2/_catalog`)).json(), { repositories: ['team/app', 'zz'] });
    const c1 = await fetch(`${b}/v2/_catalog?n=1`);
    assert.deepEqual(await c1.json(), { repositories: ['team/app'] });
    assert.match(c1.headers.get('link') ?? '', /last=team%2Fapp/);
    assert.equal((await fetch(`${b}/v2/nope/tags/list`)).status, 404);
    // referrers: an artifact whose subject is the image
    const emptyDigest = await pushBlob(b, 'team/app', Buffer.from('{}'));
    const artifact = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MediaTypes.OciManifest, artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }, layers: [],
      subject: { mediaType: MediaTypes.OciManifest, digest: img.digest, size: img.manifest.length },
    }));
    const pa = await fetch(`${b}/v2/team/app/manifests/${sha256(artifact)}`, { method: 'PUT', body: new Uint8Array(artifact), headers: { 'Content-Type': MediaTypes.OciManifest } });
    assert.equal(pa.status, 201);
    assert.equal(pa.headers.get('oci-subject'), img.digest);
    const refs = (await (await fetch(`${b}/v2/team/app/referrers/${img.digest}`)).json()) as { manifests: Array<{ digest: string; artifactType: string }> };
    assert.deepEqual(refs.manifests.map((x) => [x.digest, x.artifactType]), [[sha256(artifact), 'application/vnd.example.sbom']]);
    const filtered = await fetch(`${b}/v2/team/app/referrers/${img.digest}?artifactType=other`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
    // DELETE is off by default
    const del = await fetch(`${b}/v2/team/app/manifests/${img.digest}`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(((await del.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNSUPPORTED');
  }));

test('DELETE when enabled, then gc removes what nothing names', () =>
  withRegistry({ deleteEnabled: true }, async (reg) => {
    const b = reg.url;
    const keep = await pushImage(b, 'keep', 'latest');
    const gone = await pushImage(b, 'gone', 'latest');
    assert.equal((await fetch(`${b}/v2/gone/manifests/${gone.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${b}/v2/gone/manifests/latest`)).status, 404);
    const r = await collectGarbage(reg.storage);
    assert.deepEqual(r.deleted.sort(), [gone.digest, gone.layer, gone.config].sort());
    assert.equal((await fetch(`${b}/v2/keep/manifests/latest`)).status, 200);
    assert.equal((await fetch(`${b}/v2/keep/blobs/${keep.layer}`)).status, 200);
  }));

test('htpasswd basic auth', () =>
  withRegistry({ auth: 'basic' }, async (reg) => {
    const anon = await fetch(`${reg.url}/v2/`);
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="berth-registry"');
    assert.equal(((await anon.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAUTHORIZED');
    const wrong = await fetch(`${reg.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` } });
    assert.equal(wrong.status, 401);
    const auth = { Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` };
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: auth })).status, 200);
    await pushImage(reg.url, 'private', 'v1', auth);
  }));

test('bearer tokens from /token', () =>
  withRegistry({ auth: 'token' }, async (reg) => {
    const anon = await fetch(`${reg.url}/v2/p/manifests/v1`);
    assert.equal(anon.status, 401);
    const challenge = anon.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth-registry",scope="repository:p:pull"$/);
    const basic = { Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` };
    assert.equal((await fetch(`${reg.url}/token?service=berth-registry&scope=repository:p:pull`)).status, 401);
    const tok = (await (await fetch(`${reg.url}/token?service=berth-registry&scope=repository:p:pull,push`, { headers: basic })).json()) as { token: string };
    await pushImage(reg.url, 'p', 'v1', { Authorization: `Bearer ${tok.token}` });
    // a token for one repository does not open another
    assert.equal((await fetch(`${reg.url}/v2/q/tags/list`, { headers: { Authorization: `Bearer ${tok.token}` } })).status, 401);
  }));
