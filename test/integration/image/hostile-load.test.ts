import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
});
after(async () => {
  await d?.stop();
});

type Entry = { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o755 }, e.body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A Docker archive (manifest.json + config + one layer) around the given layer tar. */
async function dockerArchive(layer: Buffer, tag: string): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] } }));
  const manifest = [{ Config: `blobs/sha256/${sha(config)}`, RepoTags: [tag], Layers: [`blobs/sha256/${sha(layer)}`] }];
  return tarOf([
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    { name: `blobs/sha256/${sha(config)}`, body: config.toString('latin1') },
    { name: `blobs/sha256/${sha(layer)}`, body: layer.toString('latin1') },
    { name: 'manifest.json', body: JSON.stringify(manifest) },
  ]);
}

test('docker load refuses hostile layers and writes nothing outside the layer directory', async () => {
  const outside = path.join(d.base, 'outside');
  await fs.mkdir(outside);
  const cases: Array<[string, Entry[]]> = [
    ['dotdot', [{ name: '../../../../escape-dotdot', body: 'x' }]],
    ['symlink-abs', [{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/pwned', body: 'x' }]],
    ['symlink-rel', [{ name: 'evil', type: 'symlink', linkname: '../../../../../../../..' + outside }, { name: 'evil/pwned', body: 'x' }]],
    ['hardlink-out', [{ name: 'passwd', type: 'link', linkname: '../../../../../../etc/passwd' }]],
  ];
  for (const [name, entries] of cases) {
    const layer = await tarOf(entries);
    const archive = await dockerArchive(layer, `hostile-${name}:latest`);
    const r = await runDocker(d.dockerHost, ['load'], { input: archive });
    assert.notEqual(r.code, 0, `${name}: load must fail`);
    assert.match(r.stderr + r.stdout, /.+/, `${name}: an error is shown`);
    const img = await request(d.socket, 'GET', `/images/hostile-${name}:latest/json`);
    assert.equal(img.status, 404, `${name}: no image becomes visible`);
  }
  assert.deepEqual(await fs.readdir(outside), []);
  await assert.rejects(fs.access('/escape-dotdot'));
});

test('a blob that does not match its digest fails the load and leaves nothing', async () => {
  const layer = await tarOf([{ name: 'hello', body: 'hi' }]);
  const archive = await dockerArchive(layer, 'tampered:latest');
  // flip one byte inside the layer's file body; the archive still parses but the layer's digest is wrong
  const idx = archive.indexOf(Buffer.from('hi\0'));
  assert.ok(idx > 0);
  archive[idx] = 'H'.charCodeAt(0);
  const r = await runDocker(d.dockerHost, ['load'], { input: archive });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /digest|mismatch|verif/i);
  assert.equal((await request(d.socket, 'GET', '/images/tampered:latest/json')).status, 404);
});
