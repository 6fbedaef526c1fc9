import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { lex } from './lexer.js';

const kinds = (text: string): string[] =>
  lex(text).map((t) => (t.type === 'space' || t.type === 'eof' ? t.type : `${t.type}:${t.val}`));

describe('lex', () => {
  it('splits text and actions', () => {
    assert.deepEqual(kinds('a {{.B.C | printf "%d" $x}} z'), [
      'text:a ', 'leftDelim:{{', 'field:.B', 'field:.C', 'space', 'pipe:|', 'space', 'identifier:printf', 'space',
      'string:"%d"', 'space', 'variable:$x', 'rightDelim:}}', 'text: z', 'eof',
    ]);
  });

  it('recognises keywords, literals and punctuation', () => {
    assert.deepEqual(kinds("{{if $i, $v := range (nil) true 'c' `r` -1.5e3 0x1F .}}"), [
      'leftDelim:{{', 'keyword:if', 'space', 'variable:$i', 'char:,', 'space', 'variable:$v', 'space', 'declare::=',
      'space', 'keyword:range', 'space', 'leftParen:(', 'nil:nil', 'rightParen:)', 'space', 'bool:true', 'space',
      "charConstant:'c'", 'space', 'rawString:`r`', 'space', 'number:-1.5e3', 'space', 'number:0x1F', 'space',
      'dot:.', 'rightDelim:}}', 'eof',
    ]);
  });

  it('applies trim markers and drops comments', () => {
    assert.deepEqual(kinds('a \n {{- 1 -}} \n b {{/* c */}}d{{- /* e */ -}}  f'), [
      'text:a', 'leftDelim:{{', 'number:1', 'rightDelim:}}', 'text:b ', 'text:d', 'text:f', 'eof',
    ]);
  });

  it('does not take a minus without a following space as a trim marker', () => {
    assert.deepEqual(kinds('{{-3}}'), ['leftDelim:{{', 'number:-3', 'rightDelim:}}', 'eof']);
  });

  it('tracks lines across text and actions', () => {
    const tokens = lex('a\nb{{\n.X\n}}\nc');
    const x = tokens.find((t) => t.val === '.X');
    const c = tokens.find((t) => t.val === '\nc');
    assert.equal(x?.line, 3);
    assert.equal(c?.line, 4);
  });

  it('ends with an error token on bad input', () => {
    const last = (text: string): string => lex(text).at(-1)?.val ?? '';
    assert.equal(last('{{.X'), 'unclosed action');
    assert.equal(last('{{"x}}'), 'unterminated quoted string');
    assert.equal(last('{{/* x'), 'unclosed comment');
    assert.equal(last('{{ €}}'), "unrecognized character in action: U+20AC '€'");
  });
});
