import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import { parseGoDuration, parseTimestamp } from './go-duration.js';

test('Go durations', () => {
  assert.equal(parseGoDuration('10m'), 600_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('-2s'), -2000);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration('abc'), undefined);
});

test('timestamps: duration, unix seconds, RFC 3339', () => {
  const now = 1_700_000_000_000;
  assert.equal(parseTimestamp('1h', now), now - 3_600_000);
  assert.equal(parseTimestamp('1600000000', now), 1_600_000_000_000);
  assert.equal(parseTimestamp('1600000000.5', now), 1_600_000_000_500);
  assert.equal(parseTimestamp('2020-09-13T12:26:40Z', now), 1_600_000_000_000);
  assert.throws(() => parseTimestamp('yesterday', now), (e) => isKind(e, 'InvalidArgument'));
});
