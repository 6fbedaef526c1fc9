import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProbeResult, initialHealth, MAX_LOG_ENTRIES, probeSettings, type HealthLogEntry } from './health-state.js';

const result = (ExitCode: number, Output = ''): HealthLogEntry => ({ Start: 's', End: 'e', ExitCode, Output });

test('probe settings from Docker\'s Healthcheck config', () => {
  assert.equal(probeSettings(undefined), undefined);
  assert.equal(probeSettings({ Test: ['NONE'] }), undefined);
  const s = probeSettings({ Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 2e9 })!;
  assert.deepEqual(s.args, ['/bin/sh', '-c', 'curl -f localhost']);
  assert.equal(s.intervalMs, 2000);
  assert.equal(s.timeoutMs, 30_000);
  assert.equal(s.retries, 3);
  assert.deepEqual(probeSettings({ Test: ['CMD', 'true'] })!.args, ['true']);
});

test('starting → healthy → unhealthy after `retries` failures', () => {
  const s = probeSettings({ Test: ['CMD', 'x'], Retries: 2 })!;
  let h = initialHealth();
  h = applyProbeResult(h, result(0), s, 100);
  assert.equal(h.Status, 'healthy');
  h = applyProbeResult(h, result(1), s, 200);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 1]);
  h = applyProbeResult(h, result(1), s, 300);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 2]);
  h = applyProbeResult(h, result(0), s, 400);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
});

test('failures inside the start period do not count while starting', () => {
  const s = probeSettings({ Test: ['CMD', 'x'], Retries: 1, StartPeriod: 10e9 })!;
  let h = applyProbeResult(initialHealth(), result(1), s, 1000);
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 0]);
  h = applyProbeResult(h, result(1), s, 11_000);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 1]);
});

test('the log keeps the last five results', () => {
  const s = probeSettings({ Test: ['CMD', 'x'] })!;
  let h = initialHealth();
  for (let i = 0; i < 8; i++) h = applyProbeResult(h, result(0, `run ${i}`), s, i);
  assert.equal(h.Log.length, MAX_LOG_ENTRIES);
  assert.equal(h.Log[0]!.Output, 'run 3');
});
