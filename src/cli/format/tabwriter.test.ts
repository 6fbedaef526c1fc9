import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tabwrite } from './tabwriter.js';

test("docker's ps header: minwidth 10, padding 3, last column unpadded", () => {
  const out = tabwrite('CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n');
  assert.equal(out, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
});

test('columns widen to the widest cell plus padding', () => {
  const out = tabwrite('A\tB\nlonger-than-ten\tx\n');
  assert.equal(out, `${'A'.padEnd(18)}B\nlonger-than-ten   x\n`);
});

test('widths count runes, not bytes', () => {
  assert.equal(tabwrite('"sh -c …"\tx\n'), '"sh -c …"   x\n');
});

test('a line without tabs ends a column block (Go semantics)', () => {
  const out = tabwrite('a\tb\nno tabs here at all\nccccccccccccc\td\n');
  assert.equal(out, 'a         b\nno tabs here at all\nccccccccccccc   d\n');
});

test('version layout: minwidth 20, padding 1', () => {
  assert.equal(tabwrite('Client:\n Version:\t1\n', { minwidth: 20, padding: 1 }), 'Client:\n Version:           1\n');
});
