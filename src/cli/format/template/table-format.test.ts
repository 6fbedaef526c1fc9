import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { splitTableFormat } from './table-format.js';

describe('splitTableFormat', () => {
  const cases: [string, { table: boolean; body: string }][] = [
    ['table {{.ID}}\\t{{.Names}}', { table: true, body: '{{.ID}}\t{{.Names}}' }],
    ['table\t{{.ID}}', { table: true, body: '\t{{.ID}}' }],
    ['table\\t{{.ID}}', { table: true, body: '\t{{.ID}}' }],
    ['table{{.ID}}', { table: true, body: '{{.ID}}' }],
    ['table', { table: true, body: '' }],
    ['{{.ID}}\\n{{.Names}}', { table: false, body: '{{.ID}}\n{{.Names}}' }],
    ['  {{.ID}}  ', { table: false, body: '{{.ID}}' }],
    ['{{json .}}', { table: false, body: '{{json .}}' }],
    ['\\\\t', { table: false, body: '\\\t' }],
    ['Table {{.ID}}', { table: false, body: 'Table {{.ID}}' }],
  ];
  for (const [format, want] of cases) {
    it(JSON.stringify(format), () => assert.deepEqual(splitTableFormat(format), want));
  }
});
