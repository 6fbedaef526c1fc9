import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import { parseFilters } from '../util/index.js';
import { matchesFilters } from './container-filters.js';
import { initialState, type ContainerRecord } from './container-record.js';
import type { MountPoint } from './mounts/mount-point.js';

const rec = {
  id: 'a'.repeat(64),
  name: '/web',
  created: '2026-01-01T00:00:00Z',
  image: 'sha256:' + 'b'.repeat(64),
  path: 'sleep',
  args: ['300'],
  config: { Env: [], Cmd: null, Entrypoint: null, Labels: {}, Image: 'busybox', ExposedPorts: { '8080/tcp': {} } },
  hostConfig: { PortBindings: { '80/tcp': [{ HostPort: '' }], '53/udp': [{ HostPort: '5353' }] } },
  state: initialState(),
  restartCount: 0,
  hasBeenManuallyStopped: false,
  logPath: '',
  resolvConfPath: '',
  hostnamePath: '',
  hostsPath: '',
  runtime: 'runc',
  networks: { appnet: { NetworkID: 'c'.repeat(64) } },
  mountPoints: [
    { Type: 'volume', Name: 'data', Source: '/var/lib/berth/volumes/data/_data', Destination: '/data' } as MountPoint,
    { Type: 'bind', Name: '', Source: '/srv/conf', Destination: '/etc/app' } as MountPoint,
  ],
} as unknown as ContainerRecord;

const matches = (filters: Record<string, string[]>) =>
  matchesFilters(rec, parseFilters(JSON.stringify(filters)), () => rec, () => undefined);

describe('container filters', () => {
  test('volume: a volume name, a bind source or a mount destination', () => {
    for (const v of ['data', '/data', '/srv/conf', '/etc/app']) assert.equal(matches({ volume: [v] }), true, v);
    assert.equal(matches({ volume: ['/nothing'] }), false);
    assert.equal(matches({ volume: ['other', 'data'] }), true, 'values of one key are OR-ed');
  });

  test('network: a network name, ID or ID prefix', () => {
    for (const v of ['appnet', 'c'.repeat(64), 'ccccc']) assert.equal(matches({ network: [v] }), true, v);
    assert.equal(matches({ network: ['bridge'] }), false);
  });

  test('publish and expose: container ports, with protocol and ranges; a host part is refused', () => {
    assert.equal(matches({ publish: ['80'] }), true);
    assert.equal(matches({ publish: ['80/udp'] }), false);
    assert.equal(matches({ publish: ['53/udp'] }), true);
    assert.equal(matches({ publish: ['8080'] }), false, 'exposed, not published');
    assert.equal(matches({ expose: ['8080'] }), true);
    assert.equal(matches({ expose: ['79-81/tcp'] }), true, 'published ports are exposed too');
    assert.equal(matches({ expose: ['9000-9010'] }), false);
    assert.throws(() => matches({ publish: ['8080:80'] }), (err: unknown) => isKind(err, 'InvalidArgument') && /should not contain ':'/.test((err as Error).message));
  });
});
