import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '../../util/index.js';
import type { VolumeService } from '../../volume/index.js';
import { ContainerMounts } from './container-mounts.js';
import type { MountPoint } from './mount-point.js';

// plan() never touches the volume service: it only checks and resolves
const mounts = new ContainerMounts({} as VolumeService, { publish: () => undefined }, new Logger('error'));
const noContainers = (ref: string): never => {
  throw new Error(`no ${ref}`);
};

test('plan: binds override --volumes-from, image volumes only where nothing else is mounted', () => {
  const source: MountPoint[] = [
    { Type: 'volume', Source: '/v/a/_data', Destination: '/a', RW: true, Name: 'a', Driver: 'local', Mode: 'z', Propagation: '', CopyData: true, Named: true },
    { Type: 'volume', Source: '/v/b/_data', Destination: '/b', RW: true, Name: 'b', Driver: 'local', Mode: '', Propagation: '', CopyData: true, Named: false },
  ];
  const plan = mounts.plan(
    { VolumesFrom: ['src:ro'], Binds: ['/host:/b'], Mounts: [{ Type: 'tmpfs', Target: '/t' }], Tmpfs: { '/run': 'size=1m' } },
    { '/a': {}, '/t': {}, '/run': {}, '/new/': {} },
    (ref) => (assert.equal(ref, 'src'), { id: 'x', mountPoints: source }),
  );
  const byDest = Object.fromEntries(plan.map((m) => [m.Destination, m]));
  assert.deepEqual(Object.keys(byDest).sort(), ['/a', '/b', '/new', '/t']);
  assert.equal(byDest['/a']!.RW, false); // :ro
  assert.equal(byDest['/a']!.CopyData, false);
  assert.equal(byDest['/a']!.Name, 'a');
  assert.equal(byDest['/b']!.Type, 'bind');
  assert.equal(byDest['/t']!.Type, 'tmpfs');
  assert.deepEqual([byDest['/new']!.Type, byDest['/new']!.Name, byDest['/new']!.CopyData, byDest['/new']!.Named], ['volume', '', true, false]);
});

test('plan: Docker\'s refusals', () => {
  assert.throws(() => mounts.plan({ Binds: ['v1:/d', '/h:/d'] }, {}, noContainers), /^InvalidArgumentError: Duplicate mount point: \/d$/);
  assert.throws(() => mounts.plan({ Binds: ['v1:/d'], Tmpfs: { '/d': '' } }, {}, noContainers), /Duplicate mount point: \/d/);
  assert.throws(() => mounts.plan({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }] }, {}, noContainers), /error looking up volume plugin nfs/);
  assert.throws(() => mounts.plan({}, { 'rel/path': {} }, noContainers), /invalid mount path: 'rel\/path' mount path must be absolute/);
  assert.throws(() => mounts.plan({ Tmpfs: { '/t': 'nope' } }, {}, noContainers), /invalid tmpfs option \["nope"\]/);
  assert.throws(() => mounts.plan({ VolumesFrom: ['ghost'] }, {}, noContainers), /no ghost/);
});
