import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBind, parseMountSpec, parseVolumesFrom, tmpfsData, tmpfsMountOptions, validMountMode } from './mount-parser.js';

const err = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => (assert.equal(e.message, message), true));

test('-v strings as Docker parses them', () => {
  assert.deepEqual(parseBind('/host:/ctr'), {
    Type: 'bind', Source: '/host', Destination: '/ctr', RW: true, Name: '', Driver: '', Mode: '', Propagation: 'rprivate', CopyData: false, Named: false,
  });
  const ro = parseBind('/host/:/ctr/:ro,rshared');
  assert.equal(ro.Source, '/host');
  assert.equal(ro.Destination, '/ctr');
  assert.equal(ro.RW, false);
  assert.equal(ro.Propagation, 'rshared');
  assert.equal(ro.Mode, 'ro,rshared');
  const named = parseBind('data:/d:nocopy');
  assert.equal(named.Type, 'volume');
  assert.equal(named.Name, 'data');
  assert.equal(named.Named, true);
  assert.equal(named.CopyData, false);
  const anon = parseBind('/only/target');
  assert.equal(anon.Type, 'volume');
  assert.equal(anon.Name, '');
  assert.equal(anon.CopyData, true);
  assert.equal(parseBind('/h:/c:z').RW, true);
});

test('-v errors carry Docker\'s wording', () => {
  err(() => parseBind(':/x'), "invalid volume specification: ':/x'");
  err(() => parseBind('/x:rw'), "invalid volume specification: '/x:rw'");
  err(() => parseBind('a:b:c:d'), "invalid volume specification: 'a:b:c:d'");
  err(() => parseBind('/h:/c:bogus'), 'invalid mode: bogus');
  err(() => parseBind('/h:/c:ro,rw'), 'invalid mode: ro,rw');
  err(() => parseBind('vol:relative'), "invalid volume specification: 'vol:relative': invalid mount config for type \"volume\": invalid mount path: 'relative' mount path must be absolute");
  err(() => parseBind('/h:/'), "invalid volume specification: '/h:/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'");
  err(() => parseBind('vol:/d:rshared'), "invalid volume specification: 'vol:/d:rshared': invalid mount config for type \"volume\": field BindOptions must not be specified");
});

test('--mount specs and their checks', () => {
  const b = parseMountSpec({ Type: 'bind', Source: '/tmp', Target: '/t', ReadOnly: true, BindOptions: { Propagation: 'rslave', NonRecursive: true } });
  assert.deepEqual([b.Source, b.RW, b.Propagation, b.NonRecursive], ['/tmp', false, 'rslave', true]);
  err(() => parseMountSpec({ Type: 'bind', Source: '/no/such/dir/anywhere', Target: '/t' }), 'invalid mount config for type "bind": bind source path does not exist: /no/such/dir/anywhere');
  assert.equal(parseMountSpec({ Type: 'bind', Source: '/no/such/dir/anywhere', Target: '/t', BindOptions: { CreateMountpoint: true } }).Source, '/no/such/dir/anywhere');
  err(() => parseMountSpec({ Type: 'bind', Source: 'rel', Target: '/t' }), "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute");
  err(() => parseMountSpec({ Type: 'bind', Target: '/t' }), 'invalid mount config for type "bind": field Source must not be empty');
  err(() => parseMountSpec({ Type: 'bind', Source: '/tmp', Target: '/t', BindOptions: { Propagation: 'sideways' } }), 'invalid mount config for type "bind": invalid propagation mode: sideways');
  err(() => parseMountSpec({ Type: 'volume', Target: 't' }), "invalid mount config for type \"volume\": invalid mount path: 't' mount path must be absolute");
  err(() => parseMountSpec({ Type: 'volume', Source: 'v' }), 'invalid mount config for type "volume": field Target must not be empty');
  err(() => parseMountSpec({ Type: 'volume', Target: '/t', ReadOnly: true }), 'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes');
  err(() => parseMountSpec({ Type: 'tmpfs', Source: 'x', Target: '/t' }), 'invalid mount config for type "tmpfs": field Source must not be specified');
  err(() => parseMountSpec({ Type: 'nfs', Target: '/t' }), 'invalid mount config for type "nfs": mount type unknown');
  const v = parseMountSpec({ Type: 'volume', Source: 'v1', Target: '/d/', VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } });
  assert.deepEqual([v.Name, v.Destination, v.CopyData, v.Named, v.VolumeLabels], ['v1', '/d', false, true, { a: 'b' }]);
  const t = parseMountSpec({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 3 * 2 ** 20, Mode: 0o1770 } });
  assert.equal(t.Data, 'mode=1770,size=3m');
});

test('--volumes-from specs', () => {
  assert.deepEqual(parseVolumesFrom('c1'), ['c1', 'rw']);
  assert.deepEqual(parseVolumesFrom('c1:ro'), ['c1', 'ro']);
  err(() => parseVolumesFrom('c1:rshared'), 'invalid mode: rshared');
  err(() => parseVolumesFrom('c1:nocopy'), 'invalid mode: nocopy');
  err(() => parseVolumesFrom(''), 'volumes-from specification cannot be an empty string');
});

test('tmpfs options: Docker\'s defaults, later options win, unknown ones refused', () => {
  assert.deepEqual(tmpfsMountOptions(''), ['noexec', 'nosuid', 'nodev', 'rprivate']);
  assert.deepEqual(tmpfsMountOptions('exec,size=1m,size=2m'), ['nosuid', 'nodev', 'rprivate', 'exec', 'size=2m']);
  assert.deepEqual(tmpfsMountOptions('ro,mode=1777'), ['noexec', 'nosuid', 'nodev', 'rprivate', 'ro', 'mode=1777']);
  err(() => tmpfsMountOptions('bogus'), 'invalid tmpfs option ["bogus"]');
  err(() => tmpfsMountOptions('colour=red'), 'invalid tmpfs option ["colour" "red"]');
  assert.equal(tmpfsData({ SizeBytes: 1000 }, true), 'ro,size=1000');
  assert.equal(tmpfsData({ SizeBytes: 2 ** 30 }, false), 'size=1g');
});

test('mount modes', () => {
  assert.ok(validMountMode('ro,z,rslave,nocopy'));
  assert.ok(!validMountMode('ro,ro'));
  assert.ok(!validMountMode('z,Z'));
});
