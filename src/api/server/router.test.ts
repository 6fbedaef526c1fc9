import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.js';

test('routes match single-segment and greedy params', () => {
  const r = new Router();
  const h = async () => undefined;
  r.get('/containers/{id}/json', h).get('/images/{name:.*}/json', h).delete('/images/{name:.*}', h);
  const c = r.match('GET', '/containers/abc/json');
  assert.ok('route' in c && c.params.id === 'abc');
  const i = r.match('GET', '/images/127.0.0.1:5000/org/app:v1/json');
  assert.ok('route' in i && i.params.name === '127.0.0.1:5000/org/app:v1');
  const d = r.match('DELETE', '/images/busybox%3Alatest');
  assert.ok('route' in d && d.params.name === 'busybox:latest');
  assert.deepEqual(r.match('POST', '/containers/abc/json'), { methodMismatch: true });
  assert.deepEqual(r.match('GET', '/containers/a/b/json'), { methodMismatch: false });
  const head = r.match('HEAD', '/containers/x/json');
  assert.ok('route' in head, 'HEAD is served by GET routes');
});
