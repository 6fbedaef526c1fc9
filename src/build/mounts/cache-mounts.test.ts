import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CacheMounts } from './cache-mounts.js';

const req = (sharing: 'shared' | 'private' | 'locked') => ({ id: 'pkg', sharing, mode: 0o755, uid: 0, gid: 0 });

test('cache mounts: shared users share one dir, private ones get their own when it is busy, locked ones wait', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cache-mounts-'));
  try {
    const caches = new CacheMounts(root);
    const a = await caches.acquire(req('shared'));
    const b = await caches.acquire(req('shared'));
    assert.equal(a.dir, b.dir);
    assert.equal(a.fresh, true);
    assert.equal(b.fresh, false);
    const p = await caches.acquire(req('private'));
    assert.notEqual(p.dir, a.dir);
    const p2 = await caches.acquire(req('private'));
    assert.notEqual(p2.dir, p.dir);
    let locked = false;
    const l = caches.acquire(req('locked')).then((h) => ((locked = true), h));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(locked, false, 'waits while shared users hold it');
    a.release();
    b.release();
    const held = await l;
    assert.equal(held.dir, a.dir);
    let shared = false;
    const s = caches.acquire(req('shared')).then((h) => ((shared = true), h));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(shared, false, 'a shared user waits for a locked one');
    held.release();
    (await s).release();
    p.release();
    assert.equal((await caches.acquire(req('private'))).dir, a.dir, 'a private user takes the first free instance');
    assert.equal(await fs.readFile(path.join(path.dirname(a.dir), 'id'), 'utf8'), 'pkg\n');
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('cache mounts: prune removes what no build holds, keeps what one does, and says what it freed', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cache-mounts-'));
  try {
    const caches = new CacheMounts(root);
    const idle = await caches.acquire({ ...req('shared'), id: 'idle' });
    await fs.writeFile(path.join(idle.dir, 'data'), Buffer.alloc(5000));
    idle.release();
    const held = await caches.acquire({ ...req('locked'), id: 'held' });
    await fs.writeFile(path.join(held.dir, 'data'), 'in use');
    const r = await caches.prune();
    assert.deepEqual(r.deleted, ['idle']);
    assert.ok(r.reclaimed >= 5000, String(r.reclaimed));
    assert.equal(await fs.readFile(path.join(held.dir, 'data'), 'utf8'), 'in use');
    held.release();
    const again = await caches.acquire({ ...req('shared'), id: 'idle' });
    assert.equal(again.fresh, true, 'a pruned cache starts empty');
    again.release();
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('cache mounts: prune by last use (until), by id, and down to a size (least recently used first)', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cache-mounts-'));
  try {
    const caches = new CacheMounts(root);
    const fill = async (id: string, used: Date) => {
      const c = await caches.acquire({ ...req('shared'), id });
      await fs.writeFile(path.join(c.dir, 'data'), Buffer.alloc(1000));
      c.release();
      await new Promise((r) => setTimeout(r, 20));
      await fs.utimes(c.dir, used, used);
    };
    const now = Date.now();
    await fill('a', new Date(now - 3 * 3600_000));
    await fill('b', new Date(now - 2 * 3600_000));
    await fill('c', new Date(now - 60_000));
    assert.deepEqual((await caches.prune({ until: now - 3600_000, ids: ['b'] })).deleted, ['b']);
    assert.deepEqual((await caches.prune({ until: now - 3600_000 })).deleted, ['a']);
    await fill('a', new Date(now - 3 * 3600_000));
    await fill('b', new Date(now - 2 * 3600_000));
    // 3000 bytes in all, 1500 may stay: a then b go, c (the newest) stays
    const r = await caches.prune({ keepBytes: 1500 });
    assert.deepEqual(r.deleted, ['a', 'b']);
    assert.ok(r.reclaimed >= 2000, String(r.reclaimed));
    assert.deepEqual((await caches.prune({ keepBytes: 5000 })).deleted, []);
    assert.deepEqual((await caches.prune()).deleted, ['c']);
    assert.deepEqual(await fs.readdir(root), []);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
