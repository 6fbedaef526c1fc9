import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { goLower, goSplit, goTitle, goUpper } from './docker-functions.js';

describe('docker template functions', () => {
  it('maps case rune by rune as Go does', () => {
    assert.equal(goUpper('straße'), 'STRAßE');
    assert.equal(goLower('İSTANBUL'), 'istanbul');
    assert.equal(goUpper('héllo'), 'HÉLLO');
  });
  it('titles words the way strings.Title does', () => {
    assert.equal(goTitle('hello world'), 'Hello World');
    assert.equal(goTitle('foo_bar baz-qux'), 'Foo_bar Baz-Qux');
    assert.equal(goTitle('élan vital'), 'Élan Vital');
    assert.equal(goTitle('a.b/c'), 'A.B/C');
  });
  it('splits as strings.Split does', () => {
    assert.deepEqual(goSplit('a,b,,c', ','), ['a', 'b', '', 'c']);
    assert.deepEqual(goSplit('', ','), ['']);
    assert.deepEqual(goSplit('日本', ''), ['日', '本']);
  });
});
