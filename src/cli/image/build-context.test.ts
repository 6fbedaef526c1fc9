import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isExcluded, listContext, parseDockerignore } from './build-context.js';

test('.dockerignore patterns: globs, **, directories and ! exceptions', () => {
  const p = parseDockerignore('# comment\n*.log\n/tmp\n**/node_modules\nskip\n!skip/keep\ndocs/?.md\n');
  assert.equal(isExcluded('a.log', p), true);
  assert.equal(isExcluded('sub/a.log', p), false, '* does not cross directories');
  assert.equal(isExcluded('tmp/x', p), true, 'a matched directory excludes its contents');
  assert.equal(isExcluded('a/b/node_modules/x', p), true);
  assert.equal(isExcluded('node_modules', p), true);
  assert.equal(isExcluded('skip/c', p), true);
  assert.equal(isExcluded('skip/keep', p), false);
  assert.equal(isExcluded('docs/a.md', p), true);
  assert.equal(isExcluded('docs/ab.md', p), false);
  assert.equal(isExcluded('src/main.ts', p), false);
});

test('the context keeps the Dockerfile and .dockerignore even when ignored', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-ctx-'));
  try {
    mkdirSync(path.join(dir, 'sub'));
    for (const f of ['Dockerfile', 'a', 'sub/b', 'c.log']) writeFileSync(path.join(dir, f), f);
    writeFileSync(path.join(dir, '.dockerignore'), '*\n!a\n!sub\n');
    const rels = (await listContext(dir, 'Dockerfile')).map((e) => e.rel);
    assert.deepEqual(rels, ['.dockerignore', 'Dockerfile', 'a', 'sub', 'sub/b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
