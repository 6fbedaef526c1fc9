import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';

/** `berth registry serve` with clients that are not berth: skopeo (copy in and out, inspect) and plain HTTP. */
const run = promisify(execFile);
let d: Berthd;
let reg: TestRegistry;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  reg = await startBerthRegistry();
});
after(async () => {
  await reg?.stop();
  await d?.stop();
});

test('skopeo copy into and out of berth registry serve, skopeo inspect, berthd pulls what skopeo pushed', async () => {
  const archive = path.join(d.base, 'bb.tar');
  assert.equal((await runDocker(d.dockerHost, ['save', '-o', archive, 'busybox'])).code, 0);
  await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.host}/sk/busybox:1`]);
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/sk/busybox:1`]);
  const info = JSON.parse(stdout) as { Name: string; Architecture: string; RepoTags: string[]; Layers: string[] };
  assert.equal(info.Name, `${reg.host}/sk/busybox`);
  assert.deepEqual(info.RepoTags, ['1']);
  assert.equal(info.Architecture, 'amd64');
  const out = path.join(d.base, 'oci-out');
  await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/sk/busybox:1`, `oci:${out}:x`]);
  // an OCI-layout copy pushed back under another name: OCI media types through the same server
  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${out}:x`, `docker://${reg.host}/sk/oci:1`]);
  for (const n of ['sk/busybox:1', 'sk/oci:1']) {
    const p = await runDocker(d.dockerHost, ['pull', `${reg.host}/${n}`]);
    assert.equal(p.code, 0, p.stderr);
    const r = await runDocker(d.dockerHost, ['run', '--rm', `${reg.host}/${n}`, 'echo', 'from skopeo']);
    assert.equal(r.stdout, 'from skopeo\n', r.stderr);
  }
});

test('tags/list, _catalog and errors in the spec\'s shape over plain HTTP', async () => {
  const tags = await fetch(`http://${reg.host}/v2/sk/busybox/tags/list`);
  assert.deepEqual(await tags.json(), { name: 'sk/busybox', tags: ['1'] });
  const cat = (await (await fetch(`http://${reg.host}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.ok(cat.repositories.includes('sk/busybox') && cat.repositories.includes('sk/oci'), JSON.stringify(cat));
  const missing = await fetch(`http://${reg.host}/v2/sk/busybox/manifests/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/json');
  assert.deepEqual(await missing.json(), { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } }] });
  const noRepo = await fetch(`http://${reg.host}/v2/nobody/tags/list`);
  assert.equal(noRepo.status, 404);
  assert.equal(((await noRepo.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_UNKNOWN');
});
