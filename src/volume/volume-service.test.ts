import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errdefs/index.js';
import { Logger } from '../util/index.js';
import { LocalVolumeStore } from './local-store.js';
import { rfc3339, VolumeService } from './volume-service.js';
import { ANONYMOUS_LABEL } from './volume.js';

async function withService(fn: (s: VolumeService, root: string, events: Array<[string, string]>) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-vol-'));
  const root = path.join(base, 'volumes');
  const events: Array<[string, string]> = [];
  const logger = new Logger('error');
  try {
    const s = new VolumeService(new LocalVolumeStore(root, logger), { publish: (_t, action, id) => events.push([action, id]) }, logger);
    await s.load();
    await fn(s, root, events);
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
}

const reload = async (root: string) => {
  const logger = new Logger('error');
  const s = new VolumeService(new LocalVolumeStore(root, logger), { publish: () => undefined }, logger);
  await s.load();
  return s;
};

async function rejects(p: Promise<unknown>, kind: EngineError['kind'], message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.kind, kind);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('create makes <name>/_data and a record; a second create returns the same volume', async () => {
  await withService(async (s, root, events) => {
    const v = await s.create({ name: 'data1', labels: { a: 'b' } });
    assert.equal(v.mountpoint, path.join(root, 'data1', '_data'));
    assert.deepEqual(v.labels, { a: 'b' });
    assert.equal(v.options, null);
    assert.match(v.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.ok((await fs.stat(v.mountpoint)).isDirectory());
    const again = await s.create({ name: 'data1' });
    assert.deepEqual(again, v);
    assert.deepEqual(events, [['create', 'data1']]);
    const fresh = await reload(root);
    assert.deepEqual(fresh.get('data1'), v);
  });
});

test('invalid names, drivers and options fail with Docker\'s messages', async () => {
  await withService(async (s) => {
    await rejects(s.create({ name: 'a' }), 'InvalidArgument', 'create a: volume name is too short, names should be at least two alphanumeric characters');
    await rejects(
      s.create({ name: 'bad/name' }),
      'InvalidArgument',
      'create bad/name: "bad/name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    );
    await rejects(s.create({ name: '_x' }), 'InvalidArgument', /includes invalid characters/);
    await rejects(s.create({ name: 'v1', driver: 'nfs-plugin' }), 'NotFound', 'create v1: error looking up volume plugin nfs-plugin: plugin "nfs-plugin" not found');
    await rejects(s.create({ name: 'v1', options: { foo: 'bar' } }), 'InvalidArgument', 'create v1: invalid option: "foo"');
    await rejects(s.create({ name: 'v1', options: { type: 'tmpfs' } }), 'InvalidArgument', 'create v1: missing required option: "device"');
    await rejects(s.create({ name: 'v1', options: { o: 'size=1m', device: 'tmpfs' } }), 'InvalidArgument', 'create v1: missing required option: "type"');
    assert.equal(s.list(new Map()).length, 0);
  });
});

test('an unnamed volume gets 64 hex digits and the anonymous label', async () => {
  await withService(async (s) => {
    const v = await s.create({});
    assert.match(v.name, /^[0-9a-f]{64}$/);
    assert.deepEqual(v.labels, { [ANONYMOUS_LABEL]: '' });
  });
});

test('list filters: name, label, driver, dangling; unknown filters and bad values are refused', async () => {
  await withService(async (s) => {
    await s.create({ name: 'web-data', labels: { app: 'web' } });
    await s.create({ name: 'db-data', labels: { app: 'db', tier: 'x' } });
    await s.reference('db-data', 'c1');
    const names = (f: Array<[string, string[]]>) => s.list(new Map(f)).map((v) => v.name).sort();
    assert.deepEqual(names([]), ['db-data', 'web-data']);
    assert.deepEqual(names([['name', ['web']]]), ['web-data']);
    assert.deepEqual(names([['label', ['app=db']]]), ['db-data']);
    assert.deepEqual(names([['label', ['tier']]]), ['db-data']);
    assert.deepEqual(names([['driver', ['local']]]), ['db-data', 'web-data']);
    assert.deepEqual(names([['driver', ['other']]]), []);
    assert.deepEqual(names([['dangling', ['true']]]), ['web-data']);
    assert.deepEqual(names([['dangling', ['0']]]), ['db-data']);
    assert.throws(() => s.list(new Map([['dangling', ['maybe']]])), /invalid filter 'dangling=\[maybe\]'/);
    assert.throws(() => s.list(new Map([['colour', ['x']]])), /invalid filter 'colour'/);
  });
});

test('remove: 404 for a missing volume (force ignores it), 409 while referenced even with force', async () => {
  await withService(async (s, root, events) => {
    await rejects(s.remove('nope'), 'NotFound', 'get nope: no such volume');
    await s.remove('nope', { force: true });
    await s.create({ name: 'used' });
    await s.reference('used', 'c'.repeat(64));
    await rejects(s.remove('used'), 'Conflict', `remove used: volume is in use - [${'c'.repeat(64)}]`);
    await rejects(s.remove('used', { force: true }), 'Conflict', /volume is in use/);
    await s.release('used', 'c'.repeat(64));
    await s.remove('used');
    await assert.rejects(fs.stat(path.join(root, 'used')));
    assert.deepEqual(events.map((e) => e[0]), ['create', 'destroy']);
  });
});

test('prune: unreferenced anonymous volumes by default, named ones too with all=true, label filters', async () => {
  await withService(async (s) => {
    const anon = await s.create({});
    const usedAnon = await s.create({ ref: 'c1' });
    await s.create({ name: 'named', labels: { keep: 'no' } });
    await s.create({ name: 'kept', labels: { keep: 'yes' } });
    await fs.writeFile(path.join(anon.mountpoint, 'f'), 'x'.repeat(100));
    const r = await s.prune(new Map());
    assert.deepEqual(r, { VolumesDeleted: [anon.name], SpaceReclaimed: 100 });
    assert.deepEqual(await s.prune(new Map()), { VolumesDeleted: null, SpaceReclaimed: 0 });
    const all = await s.prune(new Map([['all', ['true']], ['label!', ['keep=yes']]]));
    assert.deepEqual(all.VolumesDeleted, ['named']);
    assert.deepEqual(s.list(new Map()).map((v) => v.name).sort(), [usedAnon.name, 'kept'].sort());
    await assert.rejects(s.prune(new Map([['all', ['perhaps']]])), /invalid filter 'all=perhaps'/);
    await assert.rejects(s.prune(new Map([['dangling', ['true']]])), /invalid filter 'dangling'/);
  });
});

test('a half-created volume (no record) never shows up and is cleaned at load; a half-removed one is finished', async () => {
  await withService(async (s, root) => {
    await s.create({ name: 'whole' });
    await fs.mkdir(path.join(root, 'half', '_data'), { recursive: true });
    await fs.writeFile(path.join(root, 'half', '_data', 'f'), 'x');
    await fs.mkdir(path.join(root, '.gone-1234', '_data'), { recursive: true });
    const fresh = await reload(root);
    assert.deepEqual(fresh.list(new Map()).map((v) => v.name), ['whole']);
    assert.deepEqual((await fs.readdir(root)).sort(), ['whole']);
    // the name is free again
    await fresh.create({ name: 'half' });
    assert.ok(fresh.has('half'));
  });
});

test('populate copies into an empty volume only, once', async () => {
  await withService(async (s) => {
    const v = await s.create({ name: 'p1' });
    assert.equal(await s.populate('p1', async (dir) => fs.writeFile(path.join(dir, 'seed'), 'image')), true);
    assert.equal(await s.populate('p1', async (dir) => fs.writeFile(path.join(dir, 'again'), 'x')), false);
    assert.deepEqual(await fs.readdir(v.mountpoint), ['seed']);
    // not while a running container has it mounted
    const v2 = await s.create({ name: 'p2' });
    await s.mount('p2', 'c1');
    assert.equal(await s.populate('p2', async (dir) => fs.writeFile(path.join(dir, 'seed'), 'x')), false);
    await s.unmount('p2', 'c1');
    assert.deepEqual(await fs.readdir(v2.mountpoint), []);
  });
});

test('rfc3339 prints Go\'s RFC 3339 with the local offset', () => {
  assert.match(rfc3339(new Date('2024-05-01T10:00:00.123Z')), /^2024-05-01T\d\d:\d\d:00(Z|[+-]\d\d:\d\d)$/);
});
