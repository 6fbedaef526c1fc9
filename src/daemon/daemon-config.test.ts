import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { applyConfigFile, effectiveHosts, parseDaemonArgs } from './daemon-config.js';

test('dockerd flags parse, in both spellings', () => {
  const p = parseDaemonArgs(['-H', 'unix:///tmp/x.sock', '--data-root=/d', '--exec-root', '/e', '--runtime', 'crun', '-l', 'debug', '--dns', '127.0.0.1']);
  assert.equal(p.kind, 'run');
  if (p.kind !== 'run') return;
  assert.deepEqual(p.config.hosts, ['unix:///tmp/x.sock']);
  assert.equal(p.config.dataRoot, '/d');
  assert.equal(p.config.execRoot, '/e');
  assert.equal(p.config.runtime, 'crun');
  assert.equal(p.config.logLevel, 'debug');
  assert.deepEqual(p.config.dns, ['127.0.0.1']);
  assert.throws(() => parseDaemonArgs(['--bogus']), /unknown flag: --bogus/);
  assert.throws(() => parseDaemonArgs(['--runtime', 'kata']), /unknown runtime "kata"/);
  assert.throws(() => parseDaemonArgs(['--data-root']), /flag needs an argument/);
  assert.deepEqual(parseDaemonArgs(['--help']), { kind: 'help' });
});

test('the default socket lives under the exec root', () => {
  const p = parseDaemonArgs([]);
  assert.ok(p.kind === 'run');
  if (p.kind === 'run') assert.deepEqual(effectiveHosts(p.config), ['unix:///run/berth/berthd.sock']);
});

test('daemon.json applies, and a key set twice is a conflict', async () => {
  const dir = await fs.mkdtemp('/tmp/berth-test-cfg-');
  try {
    const file = `${dir}/daemon.json`;
    await fs.writeFile(file, JSON.stringify({ dns: ['127.0.0.1'], 'data-root': '/x', 'unknown-key': 1 }));
    const p = parseDaemonArgs(['--config-file', file]);
    assert.ok(p.kind === 'run');
    if (p.kind !== 'run') return;
    await applyConfigFile(p.config, p.fromFlags);
    assert.deepEqual(p.config.dns, ['127.0.0.1']);
    assert.equal(p.config.dataRoot, '/x');
    const q = parseDaemonArgs(['--config-file', file, '--dns', '1.1.1.1']);
    assert.ok(q.kind === 'run');
    if (q.kind === 'run') await assert.rejects(applyConfigFile(q.config, q.fromFlags), /specified both as a flag and in the configuration file/);
    await fs.writeFile(file, '{bad');
    const r = parseDaemonArgs(['--config-file', file]);
    if (r.kind === 'run') await assert.rejects(applyConfigFile(r.config, r.fromFlags), /unable to configure the berth daemon/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
