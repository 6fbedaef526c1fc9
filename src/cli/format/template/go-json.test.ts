import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { goJSON } from './go-json.js';
import { GoFloat } from './values.js';

describe('goJSON', () => {
  const cases: [unknown, string][] = [
    [null, 'null'],
    [undefined, 'null'],
    [true, 'true'],
    [42, '42'],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-7, '1e-7'],
    [new GoFloat(2), '2'],
    [12345678901234567890n, '12345678901234567890'],
    ['plain', '"plain"'],
    ['quote " backslash \\ slash /', '"quote \\" backslash \\\\ slash /"'],
    ['\n\r\t\b\f\u0001\u001f', '"\\n\\r\\t\\b\\f\\u0001\\u001f"'],
    ['<a href="x">&amp;</a>', '"<a href=\\"x\\">&amp;</a>"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['é世界😀', '"é世界😀"'],
    ['\ud800', '"\\ufffd"'],
    [[], '[]'],
    [[1, 'a', null], '[1,"a",null]'],
    [{ b: 1, a: [true], c: undefined, f: () => 1 }, '{"b":1,"a":[true]}'],
    [new Map([['z', 1], ['a', 2]]), '{"a":2,"z":1}'],
    [new Uint8Array([104, 105]), '"aGk="'],
  ];
  for (const [v, want] of cases) {
    it(want, () => assert.equal(goJSON(v), want));
  }

  it('escapes <, > and & as json.Marshal does when asked', () => {
    assert.equal(goJSON('<&>', true), '"\\u003c\\u0026\\u003e"');
  });

  it('refuses what Go cannot encode', () => {
    assert.throws(() => goJSON(NaN), /unsupported value/);
    assert.throws(() => goJSON(() => 1), /unsupported type/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.throws(() => goJSON(cyclic), /cycle/);
  });
});
