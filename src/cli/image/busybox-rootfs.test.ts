import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { buildBusyboxRootfs, busyboxApplets, findBusybox } from './busybox-rootfs.js';

const haveBusybox = existsSync('/bin/busybox') || existsSync('/usr/bin/busybox');

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string | null;
  body: Buffer;
}

async function entries(buf: Buffer): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        out.set(h.name.replace(/\/$/, ''), { name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? -1, gid: h.gid ?? -1, linkname: h.linkname, body: Buffer.concat(chunks) });
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([buf]).pipe(extract);
  await done;
  return out;
}

test('busybox rootfs: binary, applet links, passwd/group, directories', { skip: !haveBusybox && 'no busybox on this host' }, async () => {
  const started = Date.now();
  const buf = await buildBusyboxRootfs({ mtime: new Date(0) });
  assert.ok(Date.now() - started < 1000, 'built in under a second');
  const e = await entries(buf);
  const bin = e.get('bin/busybox');
  assert.ok(bin && bin.type === 'file' && (bin.mode & 0o777) === 0o755 && bin.body.length > 100_000);
  const applets = busyboxApplets(findBusybox());
  assert.ok(applets.includes('sh') && applets.includes('ls'));
  for (const a of applets) {
    const link = e.get(`bin/${a}`);
    assert.equal(link?.type, 'symlink', a);
    assert.equal(link?.linkname, 'busybox');
  }
  assert.equal(e.get('etc/passwd')?.body.toString(), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  assert.match(e.get('etc/group')?.body.toString() ?? '', /^root:x:0:\nnogroup:x:65534:\n$/);
  assert.equal((e.get('tmp')?.mode ?? 0) & 0o7777, 0o1777);
  for (const d of ['tmp', 'root', 'proc', 'sys', 'dev', 'etc', 'home', 'var', 'bin']) assert.equal(e.get(d)?.type, 'directory', d);
  for (const x of e.values()) assert.deepEqual([x.uid, x.gid], [0, 0], x.name);
});
