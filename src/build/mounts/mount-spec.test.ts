import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountKey, parseRunMount } from './mount-spec.js';

test('RUN --mount specs: defaults per type, aliases, relative targets, refusals', () => {
  const bind = parseRunMount('target=src,from=build,source=/out', '/work');
  assert.equal(bind.type, 'bind');
  assert.equal(bind.target, '/work/src');
  assert.equal(bind.source, 'out');
  assert.equal(bind.from, 'build');
  assert.equal(bind.readonly, true);
  assert.equal(parseRunMount('type=bind,dst=/x,rw', '/').readonly, false);
  assert.equal(parseRunMount('type=bind,destination=/x,readwrite=true', '/').readonly, false);
  const cache = parseRunMount('type=cache,target=/root/.cache,sharing=locked,mode=0700,uid=1000,gid=1000', '/');
  assert.deepEqual([cache.readonly, cache.id, cache.sharing, cache.mode, cache.uid, cache.gid], [false, '/root/.cache', 'locked', 0o700, 1000, 1000]);
  assert.equal(parseRunMount('type=cache,target=/c,id=go,ro', '/').readonly, true);
  assert.equal(parseRunMount('type=tmpfs,target=/t,size=64m', '/').size, 64 * 1024 * 1024);
  assert.equal(parseRunMount('"type=cache","target=/a,b"', '/').target, '/a,b');
  assert.throws(() => parseRunMount('type=secret,id=x', '/'), /type=secret is not supported by berth/);
  assert.throws(() => parseRunMount('type=ssh', '/'), /type=ssh is not supported by berth/);
  assert.throws(() => parseRunMount('type=volume,target=/x', '/'), /unsupported mount type "volume"/);
  assert.throws(() => parseRunMount('type=tmpfs,target=/x,from=y', '/'), /unexpected key 'from'/);
  assert.throws(() => parseRunMount('type=cache', '/'), /a target is required/);
  assert.throws(() => parseRunMount('type=cache,target=/', '/'), /cannot mount over the root/);
  assert.throws(() => parseRunMount('type=cache,target=/c,mode=999', '/'), /invalid mode: 999/);
});

test('the cache key of a mount writes its defaults out, so equal mounts compare equal', () => {
  assert.equal(mountKey(parseRunMount('type=cache,target=/c', '/')), mountKey(parseRunMount('target=/c,type=cache,id=/c,sharing=shared,mode=755', '/')));
  assert.notEqual(mountKey(parseRunMount('type=cache,target=/c', '/')), mountKey(parseRunMount('type=cache,target=/c,id=x', '/')));
  assert.equal(mountKey(parseRunMount('target=/c', '/')), 'type=bind,target=/c,ro');
});
