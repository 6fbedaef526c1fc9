import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dump } from './node.js';
import { parseDockerfile } from './parser.js';
import { ShellLex } from './shell-lex.js';

const CORPUS = '/work/shared/conformance/moby-buildkit/frontend/dockerfile';
const root = process.env.BERTH_CONFORMANCE ? path.join(process.env.BERTH_CONFORMANCE, 'moby-buildkit/frontend/dockerfile') : CORPUS;

for (const c of readdirSync(path.join(root, 'parser/testfiles'))) {
  test(`parser corpus: ${c}`, () => {
    const dir = path.join(root, 'parser/testfiles', c);
    const result = parseDockerfile(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    assert.equal(dump(result), readFileSync(path.join(dir, 'result'), 'utf8'));
  });
}

for (const c of readdirSync(path.join(root, 'parser/testfiles-negative'))) {
  test(`parser corpus (must fail): ${c}`, () => {
    assert.throws(() => parseDockerfile(readFileSync(path.join(root, 'parser/testfiles-negative', c, 'Dockerfile'), 'utf8')));
  });
}

test('parser: instruction line ranges', () => {
  const r = parseDockerfile(readFileSync(path.join(root, 'parser/testfile-line/Dockerfile'), 'utf8'));
  assert.deepEqual(r.children.map((c) => [c.startLine, c.endLine]), [[5, 5], [11, 12], [17, 31]]);
});

test('parser: heredocs', () => {
  const r = parseDockerfile('FROM busybox\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-"A" /a\n\tbody $x\n\tA\nRUN echo after\n');
  assert.equal(r.children.length, 4);
  assert.deepEqual(r.children[1]!.heredocs, [{ name: 'EOF', content: 'echo hi\necho there\n', expand: true, chomp: false, fileDescriptor: 0 }]);
  assert.equal(r.children[2]!.heredocs[0]!.expand, false);
  assert.equal(r.children[2]!.heredocs[0]!.content, '\tbody $x\n');
  assert.throws(() => parseDockerfile('FROM x\nRUN <<EOF\nno end\n'), /unterminated heredoc/);
});

const envVarCases = readFileSync(path.join(root, 'shell/envVarTest'), 'utf8').split('\n');
test('shell lexer: envVarTest', () => {
  const env = new Map([['PWD', '/home'], ['SHELL', 'bash'], ['KOREAN', '한국어'], ['NULL', '']]);
  const lex = new ShellLex('\\');
  let n = 0;
  for (const line of envVarCases) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [platform, input, expected] = line.split('|').map((s) => s.trim()) as [string, string, string];
    if (platform === 'W') continue;
    n++;
    if (expected === 'error') {
      assert.throws(() => lex.processWord(input, (k) => env.get(k)), Error, `input ${input}`);
    } else {
      assert.equal(lex.processWord(input, (k) => env.get(k)), expected, `input ${input}`);
    }
  }
  assert.ok(n > 200);
});

test('shell lexer: wordsTest', () => {
  const env = new Map<string, string>();
  const lex = new ShellLex('\\');
  for (const line of readFileSync(path.join(root, 'shell/wordsTest'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (line.startsWith('ENV ')) {
      const kv = line.slice(4);
      const eq = kv.indexOf('=');
      env.set(kv.slice(0, eq), kv.slice(eq + 1));
      continue;
    }
    const bar = line.indexOf('|');
    const input = line.slice(0, bar).trim();
    const expected = line.slice(bar + 1).replace(/^\s+/, '');
    if (expected === 'error') assert.throws(() => lex.processWords(input, (k) => env.get(k)), Error, input);
    else assert.deepEqual(lex.processWords(input, (k) => env.get(k)), expected.split(','), `input ${input}`);
  }
});
