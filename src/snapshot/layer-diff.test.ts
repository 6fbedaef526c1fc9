import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { runCommand, sha256 } from '../util/index.js';
import { layerDiffTar } from './layer-diff.js';
import { unpackLayer } from './layer-unpack.js';
import { getXattr, mknodWhiteout, OPAQUE_XATTR, setXattr } from './sys-calls.js';

test('an upper dir becomes an OCI layer that unpacks back to the same tree', async () => {
  const root = await fs.mkdtemp('/tmp/berth-test-');
  try {
    const up = `${root}/upper`;
    const long = `deep/${'d'.repeat(60)}/${'e'.repeat(60)}`;
    await fs.mkdir(`${up}/etc`, { recursive: true });
    await fs.mkdir(`${up}/opq`);
    await fs.mkdir(`${up}/bin`);
    await fs.mkdir(`${up}/${long}`, { recursive: true });
    mknodWhiteout(`${up}/etc/gone`);
    setXattr(`${up}/opq`, OPAQUE_XATTR, 'y');
    await fs.writeFile(`${up}/opq/new`, 'new');
    const cap = Buffer.from('0100000200200080000000000000000000000000', 'hex');
    await fs.writeFile(`${up}/bin/ping`, 'ping');
    await fs.chown(`${up}/bin/ping`, 1000, 1001);
    await fs.chmod(`${up}/bin/ping`, 0o4755);
    setXattr(`${up}/bin/ping`, 'security.capability', cap);
    await fs.writeFile(`${up}/${long}/tool`, 't');
    setXattr(`${up}/${long}/tool`, 'security.capability', cap);
    await fs.writeFile(`${up}/a`, 'same');
    await fs.link(`${up}/a`, `${up}/b`);
    await fs.symlink('/etc', `${up}/lnk`);
    await runCommand('mkfifo', [`${up}/fifo`]);

    await pipeline(layerDiffTar(up), createWriteStream(`${root}/diff.tar`));
    await pipeline(layerDiffTar(up), createWriteStream(`${root}/diff2.tar`));
    assert.equal(sha256(await fs.readFile(`${root}/diff.tar`)), sha256(await fs.readFile(`${root}/diff2.tar`)));
    const listing = (await runCommand('tar', ['-tf', `${root}/diff.tar`])).stdout.split('\n');
    assert.ok(listing.includes('etc/.wh.gone'));
    assert.ok(listing.includes('opq/.wh..wh..opq'));

    await fs.mkdir(`${root}/out`);
    await unpackLayer(`${root}/diff.tar`, `${root}/out`);
    const out = `${root}/out`;
    const wh = await fs.lstat(`${out}/etc/gone`);
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
    assert.equal(getXattr(`${out}/opq`, OPAQUE_XATTR)?.toString(), 'y');
    assert.deepEqual(await fs.readdir(`${out}/opq`), ['new']);
    const ping = await fs.stat(`${out}/bin/ping`);
    assert.equal(ping.mode & 0o7777, 0o4755);
    assert.equal(ping.uid, 1000);
    assert.deepEqual(getXattr(`${out}/bin/ping`, 'security.capability'), cap);
    assert.deepEqual(getXattr(`${out}/${long}/tool`, 'security.capability'), cap);
    assert.equal((await fs.stat(`${out}/b`)).nlink, 2);
    assert.equal(await fs.readlink(`${out}/lnk`), '/etc');
    assert.ok((await fs.lstat(`${out}/fifo`)).isFIFO());
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
