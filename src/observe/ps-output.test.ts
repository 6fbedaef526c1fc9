import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePsOutput, psPidsArg, validatePsArgs } from './ps-output.js';

test('ps -ef output keeps the container\'s rows, commands with spaces in one column', () => {
  const out = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 10:00 ?        00:00:01 /sbin/init',
    'root        4242    4200  0 10:01 ?        00:00:00 sleep 1000',
    'root        4243    4242  0 10:01 ?        00:00:00 sh -c while true; do :; done',
  ].join('\n');
  const r = parsePsOutput(out, [4242, 4243]);
  assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.Processes.map((p) => p[1]), ['4242', '4243']);
  assert.equal(r.Processes[1]![7], 'sh -c while true; do :; done');
});

test('thread rows follow their process; no PID column is an error', () => {
  const r = parsePsOutput('PID TID CMD\n7 - sleep\n- 7 -\n8 - other\n- 8 -\n', [7]);
  assert.deepEqual(r.Processes, [['7', '-', 'sleep'], ['-', '7', '-']]);
  assert.throws(() => parsePsOutput('USER CMD\nroot x\n', [1]), /Couldn't find PID field in ps output/);
  assert.equal(psPidsArg([1, 2]), '-q1,2');
  assert.throws(() => validatePsArgs('-o user=PID'), /specifying "user=PID" is not allowed/);
  validatePsArgs('-o pid=PID');
});
