import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDetachKeys } from './hijacked-streams.js';

test("detach keys in docker's notation", () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [0x10, 0x11]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x'), [0x01, 0x78]);
  assert.deepEqual(parseDetachKeys('ctrl-@'), [0x00]);
  assert.equal(parseDetachKeys('ctrl-pp'), undefined);
  assert.equal(parseDetachKeys(''), undefined);
});
