import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IgnoreMatcher } from './dockerignore.js';

test('dockerignore: docker pattern semantics', () => {
  const m = new IgnoreMatcher('# comment\n*.log\n!keep.log\nsecret/\n**/*.tmp\n/abs\ndocs/**\n!docs/README.md\n');
  assert.equal(m.excludes('a.log'), true);
  assert.equal(m.excludes('keep.log'), false);
  assert.equal(m.excludes('sub/a.log'), false);
  assert.equal(m.excludes('secret'), true);
  assert.equal(m.excludes('secret/x/y'), true);
  assert.equal(m.excludes('x.tmp'), true);
  assert.equal(m.excludes('a/b/c.tmp'), true);
  assert.equal(m.excludes('abs'), true);
  assert.equal(m.excludes('docs/a/b'), true);
  assert.equal(m.excludes('docs/README.md'), false);
  assert.equal(m.excludes('src/main.c'), false);
});
