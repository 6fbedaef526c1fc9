import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { goUnquote, parseGoFloat, parseGoInt } from './go-literals.js';

describe('goUnquote', () => {
  const cases: [string, string | undefined][] = [
    ['"plain"', 'plain'],
    ['"a\\tb\\n\\\\\\""', 'a\tb\n\\"'],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
    ['`raw\\n`', 'raw\\n'],
    ['`a\r\nb`', 'a\nb'],
    ["'x'", 'x'],
    ["'\\n'", '\n'],
    ["'\\''", "'"],
    ['"bad \\q"', undefined],
    ['"it\\\'s"', undefined],
    ["'ab'", undefined],
    ['"\\uD800"', undefined],
  ];
  for (const [q, want] of cases) it(q, () => assert.equal(goUnquote(q), want));
});

describe('parseGoInt and parseGoFloat', () => {
  it('reads Go integer literals', () => {
    assert.equal(parseGoInt('42'), 42n);
    assert.equal(parseGoInt('-0x1f'), -31n);
    assert.equal(parseGoInt('0o17'), 15n);
    assert.equal(parseGoInt('017'), 15n);
    assert.equal(parseGoInt('0b1_01'), 5n);
    assert.equal(parseGoInt('1_000_000'), 1000000n);
    assert.equal(parseGoInt('1__0'), undefined);
    assert.equal(parseGoInt('09'), undefined);
    assert.equal(parseGoInt('1.5'), undefined);
  });
  it('reads Go float literals', () => {
    assert.equal(parseGoFloat('1.5'), 1.5);
    assert.equal(parseGoFloat('.5'), 0.5);
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('1_0.2_5'), 10.25);
    assert.equal(parseGoFloat('0x1p-2'), 0.25);
    assert.equal(parseGoFloat('0x1.8p1'), 3);
    assert.equal(parseGoFloat('1e'), undefined);
  });
});
