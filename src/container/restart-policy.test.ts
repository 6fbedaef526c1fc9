import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_DELAY_MS, MAX_DELAY_MS, nextDelay, shouldRestart, startsWithDaemon, validatePolicy } from './restart-policy.js';

test('restart decisions follow Docker\'s policies', () => {
  const f = (exitCode: number, restartCount = 0, manuallyStopped = false) => ({ exitCode, restartCount, manuallyStopped });
  assert.equal(shouldRestart(undefined, f(1)), false);
  assert.equal(shouldRestart({ Name: 'no' }, f(1)), false);
  assert.equal(shouldRestart({ Name: 'always' }, f(0)), true);
  assert.equal(shouldRestart({ Name: 'always' }, f(0, 0, true)), false);
  assert.equal(shouldRestart({ Name: 'unless-stopped' }, f(3)), true);
  assert.equal(shouldRestart({ Name: 'on-failure' }, f(0)), false);
  assert.equal(shouldRestart({ Name: 'on-failure' }, f(1, 99)), true, 'no maximum');
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, f(1, 1)), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, f(1, 2)), false);
});

test('daemon start restarts always, and unless-stopped unless stopped by hand', () => {
  assert.equal(startsWithDaemon({ Name: 'always' }, true), true);
  assert.equal(startsWithDaemon({ Name: 'unless-stopped' }, true), false);
  assert.equal(startsWithDaemon({ Name: 'unless-stopped' }, false), true);
  assert.equal(startsWithDaemon({ Name: 'on-failure' }, false), false);
});

test('back-off doubles to a minute and resets after a 10 s run', () => {
  assert.equal(nextDelay(undefined, 0), INITIAL_DELAY_MS);
  assert.equal(nextDelay(100, 50), 200);
  assert.equal(nextDelay(40_000, 50), MAX_DELAY_MS);
  assert.equal(nextDelay(40_000, 10_000), INITIAL_DELAY_MS);
});

test('invalid policies are refused with Docker\'s wording', () => {
  assert.match(validatePolicy({ Name: 'sometimes' as never })!, /unknown policy 'sometimes'/);
  assert.match(validatePolicy({ Name: 'always', MaximumRetryCount: 3 })!, /can only be used with 'on-failure'/);
  assert.equal(validatePolicy({ Name: 'on-failure', MaximumRetryCount: 3 }), undefined);
});
