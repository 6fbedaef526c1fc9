import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from './signals.js';

test('signals parse from names and numbers', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('term'), 15);
  assert.equal(parseSignal('KILL'), 9);
  assert.equal(parseSignal('1'), 1);
  assert.equal(parseSignal(undefined), 9);
  assert.equal(parseSignal('SIGRTMIN+3'), 37);
  assert.throws(() => parseSignal('SIGFOO'), /Invalid signal: SIGFOO/);
  assert.throws(() => parseSignal('99'), /Invalid signal/);
});
