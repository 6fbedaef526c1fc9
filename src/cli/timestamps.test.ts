import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimestampError, getTimestamp, parseGoDuration } from './timestamps.js';

test('Go durations', () => {
  assert.equal(parseGoDuration('10m'), 600e9);
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration('abc'), undefined);
});

test('a duration is that long before now, in unix seconds', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  assert.equal(getTimestamp('10m', now), String(Date.parse('2026-01-01T00:00:00Z') / 1000));
});

test('RFC3339 with a zone', () => {
  assert.equal(getTimestamp('2020-01-01T00:00:00Z'), '1577836800.000000000');
  assert.equal(getTimestamp('2020-01-01T01:00:00+01:00'), '1577836800.000000000');
  assert.equal(getTimestamp('2020-01-01T00:00:00.5Z'), '1577836800.500000000');
});

test('dates without a zone are local time', () => {
  const local = new Date(2020, 0, 1).getTime() / 1000;
  assert.equal(getTimestamp('2020-01-01'), `${local}.000000000`);
});

test('unix timestamps pass through', () => {
  assert.equal(getTimestamp('1577836800'), '1577836800');
  assert.equal(getTimestamp('1577836800.123'), '1577836800.123');
});

test('errors use docker wording', () => {
  assert.throws(() => getTimestamp('xx'), new TimestampError('failed to parse value as time or duration: "xx"'));
  assert.throws(() => getTimestamp('2020-13-01'), new TimestampError('parsing time "2020-13-01": month out of range'));
});
