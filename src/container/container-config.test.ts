import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PATH, mergeConfig, mergeEnv, processArgs, validateName } from './container-config.js';
import type { ImageConfig } from '../oci/index.js';

const image = (config: ImageConfig['config']): ImageConfig => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config });

test('Cmd comes from the image unless the request sets Cmd or Entrypoint', () => {
  const img = image({ Cmd: ['sh'], Entrypoint: ['/init'], Env: ['PATH=/bin', 'A=1'] });
  let c = mergeConfig({ Image: 'x' }, img, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/init'], ['sh']]);
  c = mergeConfig({ Image: 'x', Cmd: ['echo', 'hi'] }, img, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/init'], ['echo', 'hi']]);
  c = mergeConfig({ Image: 'x', Entrypoint: ['/bin/echo'] }, img, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/bin/echo'], null]);
  c = mergeConfig({ Image: 'x', Entrypoint: [''], Cmd: ['ls'] }, img, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [null, ['ls']]);
  c = mergeConfig({ Image: 'x', Cmd: 'echo' }, img, 'x');
  assert.deepEqual(c.Cmd, ['echo']);
});

test('Env merges by key and gets the default PATH', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
  const c = mergeConfig({ Image: 'x', Env: ['FOO=bar'] }, image({}), 'x');
  assert.deepEqual(c.Env, [DEFAULT_PATH, 'FOO=bar']);
  const d = mergeConfig({ Image: 'x', Env: ['PATH=/x'] }, image({ Env: ['PATH=/bin'] }), 'x');
  assert.deepEqual(d.Env, ['PATH=/x']);
});

test('WorkingDir, User and Labels fall back to the image', () => {
  const c = mergeConfig({ Image: 'x', Labels: { b: '2' } }, image({ WorkingDir: '/app', User: 'nobody', Labels: { a: '1' } }), 'x');
  assert.equal(c.WorkingDir, '/app');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.Labels, { a: '1', b: '2' });
});

test('a container with no command is refused', () => {
  const c = mergeConfig({ Image: 'x' }, image({}), 'x');
  assert.throws(() => processArgs(c), /No command specified/);
  assert.deepEqual(processArgs(mergeConfig({ Image: 'x', Cmd: ['a', 'b'] }, image({}), 'x')), { path: 'a', args: ['b'] });
});

test('container names follow Docker\'s rule', () => {
  assert.equal(validateName('web'), '/web');
  assert.equal(validateName('/web-1.a_b'), '/web-1.a_b');
  for (const bad of ['a', '-x', 'we b', 'x/y', '']) assert.throws(() => validateName(bad), /Invalid container name/);
});
