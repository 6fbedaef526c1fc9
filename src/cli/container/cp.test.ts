import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCpArg } from './cp.js';

test("cp arguments: docker's container:path rule", () => {
  assert.deepEqual(splitCpArg('web:/etc/hosts'), { container: 'web', path: '/etc/hosts' });
  assert.deepEqual(splitCpArg('/abs:with:colons'), { path: '/abs:with:colons' });
  assert.deepEqual(splitCpArg('./rel:x'), { path: './rel:x' });
  assert.deepEqual(splitCpArg('plain'), { path: 'plain' });
  assert.deepEqual(splitCpArg('-'), { path: '-' });
});
