import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSize, formatG, humanDuration, humanSize } from './humanize.js';

test('HumanDuration', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(2500), '2 seconds');
  assert.equal(humanDuration(59_000), '59 seconds');
  assert.equal(humanDuration(60_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(3600_000), 'About an hour');
  assert.equal(humanDuration(3 * 3600_000), '3 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(20 * 86400_000), '2 weeks');
  assert.equal(humanDuration(90 * 86400_000), '3 months');
  assert.equal(humanDuration(800 * 86400_000), '2 years');
});

test('HumanSizeWithPrecision(…, 3), decimal units', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(2_170_000), '2.17MB');
  assert.equal(humanSize(1_984_000), '1.98MB');
  assert.equal(humanSize(1_984_000, 4), '1.984MB');
  assert.equal(humanSize(123_456_789_012), '123GB');
});

test("Go's %g", () => {
  assert.equal(formatG(999.5, 3), '1e+03');
  assert.equal(formatG(0.0001234, 3), '0.000123');
  assert.equal(formatG(12.5, 3), '12.5');
  assert.equal(formatG(100, 3), '100');
});

test('BytesSize, binary units', () => {
  assert.equal(bytesSize(25_275_000_000), '23.54GiB');
  assert.equal(bytesSize(1024), '1KiB');
});
