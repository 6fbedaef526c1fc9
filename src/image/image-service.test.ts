import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { isKind } from '../errdefs/index.js';
import type { EventPublisher } from '../events/index.js';
import { buildTar, type FixtureEntry } from '../snapshot/tar-fixture.js';
import { Logger, sha256 } from '../util/index.js';
import type { ImageService } from './image-service.js';
import type { ImageCommitter } from './image-commit.js';
import { createImageService } from './local-image-service.js';
import { layerDiffTar } from '../snapshot/index.js';
import { mknodWhiteoutForTest } from './test-whiteout.js';

interface Ev {
  action: string;
  id: string;
  attrs: Record<string, string>;
}

async function withService(fn: (svc: ImageService & ImageCommitter, root: string, events: Ev[]) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  const events: Ev[] = [];
  const publisher: EventPublisher = { publish: (_t, action, id, attrs = {}) => void events.push({ action, id, attrs }) };
  try {
    await fn(createImageService({ dataRoot: root, events: publisher, logger: new Logger('error') }), root, events);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const rootfs: FixtureEntry[] = [
  { name: 'bin/', type: 'directory' },
  { name: 'bin/busybox', content: 'not really busybox', mode: 0o755 },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
];

async function importBusybox(svc: ImageService, reference = 'busybox', entries = rootfs, gzip = false) {
  return svc.importRootfs(Readable.from([await buildTar(entries, { gzip })]), { reference, changes: ['CMD ["sh"]', 'ENV PATH=/bin'] });
}

async function collect(fn: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of out) chunks.push(c as Buffer);
  })();
  await fn(out);
  await reading;
  return Buffer.concat(chunks);
}

async function tarMembers(buf: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  const done = (async () => {
    for await (const e of extract) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      files.set(e.header.name, Buffer.concat(parts));
    }
  })();
  extract.end(buf);
  await done;
  return files;
}

test('import → resolve by name, ID and prefix; config, history and events', () =>
  withService(async (svc, _root, events) => {
    const img = await importBusybox(svc);
    assert.match(img.id, /^sha256:[a-f0-9]{64}$/);
    assert.deepEqual(img.repoTags, ['docker.io/library/busybox:latest']);
    assert.equal(img.config.architecture, 'amd64');
    assert.equal(img.config.os, 'linux');
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    assert.deepEqual(img.config.config?.Env, ['PATH=/bin']);
    assert.equal(img.config.history?.[0]?.comment, 'Imported from -');
    assert.equal(img.size, 18 + 30);
    for (const name of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', img.id, img.id.slice(7), img.id.slice(7, 19), img.id.slice(0, 12)]) {
      assert.equal((await svc.resolve(name)).id, img.id, name);
    }
    await assert.rejects(svc.resolve('nope:1'), (e) => isKind(e, 'NotFound') && (e as Error).message === 'No such image: nope:1');
    const h = await svc.history('busybox');
    assert.equal(h.length, 1);
    assert.equal(h[0]?.Id, img.id);
    assert.deepEqual(h[0]?.Tags, ['busybox:latest']);
    assert.equal(h[0]?.Size, 48);
    assert.equal(h[0]?.Comment, 'Imported from -');
    assert.deepEqual(
      events.map((e) => [e.action, e.attrs.name]),
      [
        ['tag', 'busybox:latest'],
        ['import', img.id],
      ],
    );
    assert.equal((await svc.layerDirs(img.id)).length, 1);
  }));

test('import applies changes and refuses unknown ones', () =>
  withService(async (svc) => {
    const bytes = await buildTar(rootfs, { gzip: true });
    const img = await svc.importRootfs(Readable.from([bytes]), {
      message: 'hello',
      changes: ['ENTRYPOINT /bin/app --x', 'ENV A=1 B="two words"', 'ENV LEGACY some value', 'EXPOSE 80 53/udp', 'LABEL a=b', 'USER 1000', 'VOLUME ["/data"]', 'WORKDIR app', 'STOPSIGNAL SIGINT', 'ONBUILD RUN true'],
    });
    const c = img.config.config ?? {};
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/app --x']);
    assert.deepEqual(c.Env, ['A=1', 'B=two words', 'LEGACY=some value']);
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Labels, { a: 'b' });
    assert.equal(c.User, '1000');
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.WorkingDir, '/app');
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.OnBuild, ['RUN true']);
    assert.equal(img.config.history?.[0]?.comment, 'hello');
    assert.deepEqual(img.repoTags, []);
    await assert.rejects(svc.importRootfs(Readable.from([bytes]), { changes: ['RUN echo hi'] }), (e) => isKind(e, 'InvalidArgument') && (e as Error).message === 'run is not a valid change command');
  }));

test('a hostile rootfs is refused and leaves nothing behind', () =>
  withService(async (svc, root) => {
    const bytes = await buildTar([{ name: 'evil', type: 'symlink', linkname: '/tmp' }, { name: 'evil/pwned', content: 'x' }]);
    await assert.rejects(svc.importRootfs(Readable.from([bytes]), { reference: 'evil' }), (e) => isKind(e, 'InvalidArgument'));
    assert.deepEqual(await svc.list(), []);
    assert.deepEqual(await fs.readdir(`${root}/content/blobs/sha256`), []);
    assert.deepEqual(await fs.readdir(`${root}/layers`), []);
  }));

test('tag and rmi follow Docker: untag, conflicts, delete', () =>
  withService(async (svc, root, events) => {
    const img = await importBusybox(svc);
    await svc.tag('busybox', 'me/app:1');
    assert.deepEqual((await svc.resolve('me/app:1')).repoTags, ['docker.io/library/busybox:latest', 'docker.io/me/app:1']);
    const none = () => undefined;
    await assert.rejects(
      svc.remove(img.id.slice(7, 19), { force: false, noPrune: false, containerUsing: none }),
      (e) => isKind(e, 'Conflict') && (e as Error).message === `conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
    );
    assert.deepEqual(await svc.remove('me/app:1', { force: false, noPrune: false, containerUsing: none }), [{ Untagged: 'me/app:1' }]);
    const stopped = () => ({ id: 'c'.repeat(64), running: false });
    const running = () => ({ id: 'd'.repeat(64), running: true });
    await assert.rejects(
      svc.remove('busybox', { force: false, noPrune: false, containerUsing: stopped }),
      (e) => isKind(e, 'Conflict') && (e as Error).message === `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${img.id.slice(7, 19)}`,
    );
    await assert.rejects(
      svc.remove(img.id, { force: false, noPrune: false, containerUsing: stopped }),
      (e) => (e as Error).message === `conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is being used by stopped container cccccccccccc`,
    );
    await assert.rejects(
      svc.remove(img.id, { force: true, noPrune: false, containerUsing: running }),
      (e) => (e as Error).message === `conflict: unable to delete ${img.id.slice(7, 19)} (cannot be forced) - image is being used by running container dddddddddddd`,
    );
    // force by name with a running container only untags
    await svc.tag(img.id, 'busybox:keep');
    assert.deepEqual(await svc.remove('busybox:keep', { force: true, noPrune: false, containerUsing: running }), [{ Untagged: 'busybox:keep' }]);
    events.length = 0;
    const removed = await svc.remove('busybox', { force: false, noPrune: false, containerUsing: none });
    assert.deepEqual(removed.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: img.id }]);
    assert.equal(removed.length, 3); // + the unpacked layer
    assert.deepEqual(events.map((e) => e.action), ['untag', 'delete']);
    await assert.rejects(svc.resolve(img.id), (e) => isKind(e, 'NotFound'));
    assert.deepEqual(await fs.readdir(`${root}/content/blobs/sha256`), []);
    assert.deepEqual(await fs.readdir(`${root}/layers`), []);
  }));

test('layers shared by two images stay until the last goes; records survive a restart', () =>
  withService(async (svc, root) => {
    const a = await importBusybox(svc, 'a');
    await new Promise((r) => setTimeout(r, 5));
    const b = await importBusybox(svc, 'b');
    assert.notEqual(a.id, b.id);
    const none = () => undefined;
    await svc.remove('a', { force: false, noPrune: false, containerUsing: none });
    assert.equal((await fs.readdir(`${root}/layers`)).length, 1);
    const again = createImageService({ dataRoot: root, events: { publish: () => undefined }, logger: new Logger('error') });
    assert.equal((await again.resolve('b')).id, b.id);
    const dirs = await again.layerDirs(b.id);
    // layerDirs re-unpacks a missing layer
    await fs.rm(`${dirs[0]}/..`, { recursive: true });
    assert.deepEqual(await again.layerDirs(b.id), dirs);
    assert.equal(await fs.readFile(`${dirs[0]}/etc/passwd`, 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
  }));

test('save writes the Docker archive format and load round-trips the image ID', async () => {
  let archive: Buffer = Buffer.alloc(0);
  let id = '';
  await withService(async (svc, _root, events) => {
    const img = await importBusybox(svc);
    id = img.id;
    await svc.tag('busybox', 'busybox:1.36');
    archive = await collect((out) => svc.save(['busybox:latest'], out));
    assert.equal(events.at(-1)?.action, 'save');
    const files = await tarMembers(archive);
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '') as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    assert.deepEqual(manifest[0]?.RepoTags, ['busybox:latest']);
    assert.equal(manifest[0]?.Config, `blobs/sha256/${img.id.slice(7)}`);
    assert.equal(sha256(files.get(manifest[0]?.Config ?? '') ?? ''), img.id);
    const layer = files.get(manifest[0]?.Layers[0] ?? '');
    assert.equal(sha256(layer ?? ''), img.config.rootfs.diff_ids[0]);
    assert.deepEqual(JSON.parse(files.get('oci-layout')?.toString() ?? ''), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(files.get('index.json')?.toString() ?? '') as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
    assert.equal(index.manifests[0]?.annotations['io.containerd.image.name'], 'docker.io/library/busybox:latest');
    assert.ok(files.has(`blobs/sha256/${index.manifests[0]?.digest.slice(7)}`));
    assert.deepEqual(JSON.parse(files.get('repositories')?.toString() ?? ''), { busybox: { latest: img.config.rootfs.diff_ids[0]?.slice(7) } });
    // a bare name saves every tag of the repository
    const all = await tarMembers(await collect((out) => svc.save(['busybox'], out)));
    assert.deepEqual((JSON.parse(all.get('manifest.json')?.toString() ?? '') as Array<{ RepoTags: string[] }>)[0]?.RepoTags.sort(), ['busybox:1.36', 'busybox:latest']);
    // by ID: no tags
    const byId = await tarMembers(await collect((out) => svc.save([img.id], out)));
    assert.equal((JSON.parse(byId.get('manifest.json')?.toString() ?? '') as Array<{ RepoTags: null }>)[0]?.RepoTags, null);
  });
  await withService(async (svc, _root, events) => {
    const progress: string[] = [];
    const lines = await svc.load(Readable.from([archive]), (l) => progress.push(l));
    assert.deepEqual(lines, ['Loaded image: busybox:latest']);
    assert.deepEqual(progress, [`Loading layer ${(await svc.resolve('busybox')).config.rootfs.diff_ids[0]?.slice(7, 19)}`]);
    assert.equal((await svc.resolve('busybox')).id, id);
    assert.deepEqual(events.map((e) => [e.action, e.id]), [['load', id]]);
    // gzip-compressed archive, loaded again: same image
    const gz = await collect(async (out) => {
      const z = createGzip();
      z.pipe(out);
      z.end(archive);
    });
    assert.deepEqual(await svc.load(Readable.from([gz])), ['Loaded image: busybox:latest']);
    assert.equal((await svc.list()).length, 1);
  });
});

/** Builds a tar archive from name → content. */
async function archiveOf(files: Array<[string, Buffer | string]>): Promise<Buffer> {
  return buildTar(files.map(([name, content]) => ({ name, content: Buffer.from(content) })));
}

test('load of a hand-made OCI layout with a nested index and a gzip layer picks linux/amd64', () =>
  withService(async (svc, root) => {
    const plainLayer = await buildTar(rootfs);
    const gzLayer = await buildTar(rootfs, { gzip: true });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(plainLayer)] }, config: { Cmd: ['sh'] } }));
    const armConfig = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const manifest = (cfg: Buffer, layers: Buffer[]) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
          layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(l), size: l.length })),
        }),
      );
    const amd = manifest(config, [gzLayer]);
    const arm = manifest(armConfig, []);
    const nested = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(arm), size: arm.length, platform: { architecture: 'arm64', os: 'linux' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(amd), size: amd.length, platform: { architecture: 'amd64', os: 'linux' } },
        ],
      }),
    );
    const index = {
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(nested), size: nested.length, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } }],
    };
    const blobs: Array<[string, Buffer]> = [config, armConfig, gzLayer, amd, arm, nested].map((b) => [`blobs/sha256/${sha256(b).slice(7)}`, b]);
    const tarball = await archiveOf([['oci-layout', '{"imageLayoutVersion":"1.0.0"}'], ['index.json', JSON.stringify(index)], ...blobs]);
    assert.deepEqual(await svc.load(Readable.from([tarball])), ['Loaded image: multi:1']);
    const img = await svc.resolve('multi:1');
    assert.equal(img.id, sha256(config));
    // only the config and the uncompressed layer are kept
    assert.deepEqual((await fs.readdir(`${root}/content/blobs/sha256`)).sort(), [sha256(config).slice(7), sha256(plainLayer).slice(7)].sort());
    const [dir] = await svc.layerDirs(img.id);
    assert.equal(await fs.readlink(`${dir}/bin/sh`), 'busybox');
    // the same layout without a name loads untagged
    const untagged = await archiveOf([['index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ ...index.manifests[0], annotations: {} }] })], ...blobs]);
    assert.deepEqual(await svc.load(Readable.from([untagged])), [`Loaded image ID: ${img.id}`]);
  }));

test('load of an old-style Docker archive (<id>/layer.tar, <hex>.json)', () =>
  withService(async (svc) => {
    const layer = await buildTar(rootfs);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const hex = sha256(config).slice(7);
    const tarball = await buildTar([
      { name: 'abc/', type: 'directory' },
      { name: 'abc/layer.tar', content: layer },
      { name: 'def/layer.tar', type: 'symlink', linkname: '../abc/layer.tar' },
      { name: `${hex}.json`, content: config },
      { name: 'manifest.json', content: JSON.stringify([{ Config: `${hex}.json`, RepoTags: ['old:style'], Layers: ['def/layer.tar'] }]) },
    ]);
    assert.deepEqual(await svc.load(Readable.from([tarball])), ['Loaded image: old:style']);
    assert.equal((await svc.resolve('old:style')).id, `sha256:${hex}`);
  }));

test('load verifies digests: a corrupted blob or a wrong diff ID loads nothing', () =>
  withService(async (svc, root) => {
    const layer = await buildTar(rootfs);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const corrupted = Buffer.from(layer);
    corrupted[600] = (corrupted[600] ?? 0) ^ 0xff;
    const bad = await archiveOf([
      [`blobs/sha256/${sha256(config).slice(7)}`, config],
      [`blobs/sha256/${sha256(layer).slice(7)}`, corrupted],
      ['manifest.json', JSON.stringify([{ Config: `blobs/sha256/${sha256(config).slice(7)}`, RepoTags: ['bad:1'], Layers: [`blobs/sha256/${sha256(layer).slice(7)}`] }])],
    ]);
    await assert.rejects(svc.load(Readable.from([bad])), (e) => isKind(e, 'InvalidArgument') && /digest mismatch/.test((e as Error).message));
    const wrongDiff = await archiveOf([
      ['c.json', config],
      ['l/layer.tar', corrupted],
      ['manifest.json', JSON.stringify([{ Config: 'c.json', RepoTags: ['bad:2'], Layers: ['l/layer.tar'] }])],
    ]);
    await assert.rejects(svc.load(Readable.from([wrongDiff])), (e) => isKind(e, 'InvalidArgument') && /digest mismatch/.test((e as Error).message));
    assert.deepEqual(await svc.list(), []);
    assert.deepEqual(await fs.readdir(`${root}/content/blobs/sha256`), []);
    assert.deepEqual(await fs.readdir(`${root}/tmp`), []);
  }));

test('prune: dangling by default, all, until and label filters, skips images in use', () =>
  withService(async (svc) => {
    const tagged = await importBusybox(svc, 'keep');
    const dangling = await svc.importRootfs(Readable.from([await buildTar(rootfs)]), { changes: ['LABEL x=1'] });
    const none = () => undefined;
    let r = await svc.prune({ all: false, filters: new Map([['until', ['10m']]]), containerUsing: none });
    assert.deepEqual(r.ImagesDeleted, []);
    r = await svc.prune({ all: false, filters: new Map([['label', ['x=2']]]), containerUsing: none });
    assert.deepEqual(r.ImagesDeleted, []);
    r = await svc.prune({ all: false, filters: new Map([['label', ['x=1']]]), containerUsing: none });
    assert.deepEqual(r.ImagesDeleted[0], { Deleted: dangling.id });
    r = await svc.prune({ all: true, filters: new Map(), containerUsing: (id) => (id === tagged.id ? {} : undefined) });
    assert.deepEqual(r.ImagesDeleted, []);
    r = await svc.prune({ all: true, filters: new Map(), containerUsing: none });
    assert.deepEqual(r.ImagesDeleted.slice(0, 2), [{ Untagged: 'keep:latest' }, { Deleted: tagged.id }]);
    assert.equal(r.SpaceReclaimed, 48);
    await assert.rejects(svc.prune({ all: false, filters: new Map([['bogus', ['1']]]), containerUsing: none }), (e) => isKind(e, 'InvalidArgument'));
  }));

test('garbage input is InvalidArgument for import and load', () =>
  withService(async (svc) => {
    const junk = Buffer.alloc(2048, 0x41);
    await assert.rejects(svc.importRootfs(Readable.from([junk]), {}), (e) => isKind(e, 'InvalidArgument'));
    await assert.rejects(svc.load(Readable.from([junk])), (e) => isKind(e, 'InvalidArgument'));
    await assert.rejects(svc.load(Readable.from([await archiveOf([['hello', 'x']])])), (e) => isKind(e, 'InvalidArgument'));
    assert.deepEqual(await svc.list(), []);
  }));

test('one archive with two images sharing a layer round-trips both', async () => {
  let archive: Buffer = Buffer.alloc(0);
  const ids: string[] = [];
  await withService(async (svc) => {
    ids.push((await importBusybox(svc, 'one:1')).id);
    await new Promise((r) => setTimeout(r, 5));
    ids.push((await importBusybox(svc, 'two:2')).id);
    archive = await collect((out) => svc.save(['one:1', 'two:2'], out));
    const files = await tarMembers(archive);
    assert.equal([...files.keys()].filter((n) => n.startsWith('blobs/sha256/') && n.length > 20).length, 5); // 2 configs, 1 shared layer, 2 manifests
  });
  await withService(async (svc) => {
    assert.deepEqual(await svc.load(Readable.from([archive])), ['Loaded image: one:1', 'Loaded image: two:2']);
    assert.deepEqual((await svc.list()).map((i) => i.id).sort(), [...ids].sort());
  });
});

test('load moving a tag says so, as Docker does', () =>
  withService(async (svc) => {
    const a = await importBusybox(svc, 'x:1');
    const archive = await collect((out) => svc.save(['x:1'], out));
    await new Promise((r) => setTimeout(r, 5));
    const b = await importBusybox(svc, 'x:1');
    assert.deepEqual(await svc.load(Readable.from([archive])), [`The image x:1 already exists, renaming the old one with ID ${b.id} to empty string`, 'Loaded image: x:1']);
    assert.equal((await svc.resolve('x:1')).id, a.id);
    assert.deepEqual((await svc.resolve(b.id)).repoTags, []);
  }));

test('commit stacks a diff on the parent; history, child conflicts and parent pruning follow Docker', () =>
  withService(async (svc, root) => {
    const committer = svc;
    const base = await importBusybox(svc);
    const upper = `${root}/upper`;
    await fs.mkdir(`${upper}/etc`, { recursive: true });
    await fs.writeFile(`${upper}/hello`, 'hi');
    mknodWhiteoutForTest(`${upper}/etc/passwd`);
    const img = await committer.commit({ parent: base.id, diff: layerDiffTar(upper), reference: 'committed:1', comment: 'msg', author: 'me', changes: ['CMD ["echo"]'], containerId: 'c'.repeat(64), createdBy: 'sh' });
    assert.equal(img.parent, base.id);
    assert.equal(img.config.rootfs.diff_ids.length, 2);
    assert.equal(img.config.rootfs.diff_ids[0], base.config.rootfs.diff_ids[0]);
    assert.deepEqual(img.config.config?.Cmd, ['echo']);
    assert.deepEqual(img.config.config?.Env, ['PATH=/bin']);
    assert.equal(img.config.author, 'me');
    const dirs = await committer.layerDirs(img.id);
    assert.equal(dirs.length, 2);
    assert.equal(await fs.readFile(`${dirs[0]}/hello`, 'utf8'), 'hi');
    assert.ok((await fs.lstat(`${dirs[0]}/etc/passwd`)).isCharacterDevice());
    const h = await committer.history('committed:1');
    assert.deepEqual(h.map((e) => [e.Id, e.Tags, e.CreatedBy, e.Comment]), [
      [img.id, ['committed:1'], 'sh', 'msg'],
      [base.id, ['busybox:latest'], '', 'Imported from -'],
    ]);
    const none = () => undefined;
    await assert.rejects(
      committer.remove(base.id, { force: true, noPrune: false, containerUsing: none }),
      (e) => (e as Error).message === `conflict: unable to delete ${base.id.slice(7, 19)} (cannot be forced) - image has dependent child images`,
    );
    assert.deepEqual(await committer.remove('busybox', { force: false, noPrune: false, containerUsing: none }), [{ Untagged: 'busybox:latest' }]);
    const prune = await committer.prune({ all: false, filters: new Map(), containerUsing: none });
    assert.deepEqual(prune.ImagesDeleted, []); // an untagged parent is no dangling image
    const removed = await committer.remove('committed:1', { force: false, noPrune: false, containerUsing: none });
    assert.deepEqual(removed.filter((r) => r.Untagged || (r.Deleted && [img.id, base.id].includes(r.Deleted))), [{ Untagged: 'committed:1' }, { Deleted: img.id }, { Deleted: base.id }]);
    assert.deepEqual(await committer.list(), []);
    assert.deepEqual(await fs.readdir(`${root}/layers`), []);
  }));
