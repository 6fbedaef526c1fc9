import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventTime } from './event-time.js';

test('since/until accept unix seconds with fractions, RFC 3339 and durations', () => {
  assert.equal(parseEventTime('1700000000'), 1700000000e9);
  assert.equal(parseEventTime('1700000000.5'), 1700000000e9 + 500_000_000);
  assert.equal(parseEventTime('2023-11-14T22:13:20Z'), 1700000000e9);
  const ago = parseEventTime('10m');
  assert.ok(Math.abs(Date.now() * 1e6 - 600e9 - ago) < 5e9);
  assert.throws(() => parseEventTime('yesterday'), /failed to parse value "yesterday" as time/);
});
