import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchLabels, parseFilters } from './filters.js';

test('filters decode both of Docker\'s shapes', () => {
  assert.deepEqual([...parseFilters('{"status":["running","exited"]}')], [['status', ['running', 'exited']]]);
  assert.deepEqual([...parseFilters('{"status":{"running":true,"exited":false}}')], [['status', ['running']]]);
  assert.equal(parseFilters(undefined).size, 0);
  assert.throws(() => parseFilters('{bad'), /invalid filter/);
  assert.throws(() => parseFilters('[1]'), /invalid filter/);
});

test('label filters match presence and value', () => {
  assert.ok(matchLabels({ a: '1' }, ['a']));
  assert.ok(matchLabels({ a: '1' }, ['a=1']));
  assert.ok(!matchLabels({ a: '1' }, ['a=2']));
  assert.ok(!matchLabels({}, ['a']));
  assert.ok(matchLabels(undefined, []));
});
