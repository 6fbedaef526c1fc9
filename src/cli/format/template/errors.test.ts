import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TemplateError, parseTemplate, renderTemplate } from './index.js';

const parseErrors: [string, string][] = [
  ['{{foo}}', 'template: :1: function "foo" not defined'],
  ['line1\n{{.X | nosuch}}', 'template: :2: function "nosuch" not defined'],
  ['{{.Foo', 'template: :1: unclosed action'],
  ['{{.Foo\n\n', 'template: :3: unclosed action started at :1'],
  ['{{if .X}}', 'template: :1: unexpected EOF'],
  ['{{end}}', 'template: :1: unexpected {{end}}'],
  ['{{else}}', 'template: :1: unexpected {{else}}'],
  ['{{if .}}{{else}}{{else}}{{end}}', 'template: :1: expected end; found {{else}}'],
  ['{{$x}}', 'template: :1: undefined variable "$x"'],
  ['{{if true}}{{$x := 1}}{{end}}{{$x}}', 'template: :1: undefined variable "$x"'],
  ['{{}}', 'template: :1: missing value for command'],
  ['{{if}}{{end}}', 'template: :1: missing value for if'],
  ['{{range}}{{end}}', 'template: :1: missing value for range'],
  ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
  ['{{continue}}', 'template: :1: {{continue}} outside {{range}}'],
  ['{{(1}}', 'template: :1: unclosed left paren'],
  ['{{1)}}', "template: :1: unexpected right paren U+0029 ')'"],
  ['{{#}}', 'template: :1: unexpected "#" in command'],
  ['{{.X"a"}}', 'template: :1: bad character U+0022 \'"\''],
  ['{{.X | 1}}', 'template: :1: non executable command in pipeline stage 2'],
  ['{{"unterminated}}', 'template: :1: unterminated quoted string'],
  ['{{`raw}}', 'template: :1: unterminated raw quoted string'],
  ["{{'a}}", 'template: :1: unterminated character constant'],
  ['{{/* open', 'template: :1: unclosed comment'],
  ['{{/* c */ .X}}', 'template: :1: comment ends before closing delimiter'],
  ['{{template .X}}', 'template: :1: unexpected ".X" in template clause'],
  ['{{define "x"}}a{{end}}{{define "x"}}b{{end}}', 'template: :1: template: multiple definition of template "x"'],
  ['{{range $a, $b, $c := .}}{{end}}', 'template: :1: too many declarations in range'],
  ['{{$a, $b := 1}}', 'template: :1: too many declarations in command'],
  ['{{end x}}', 'template: :1: unexpected "x" in end'],
  ['{{3x}}', 'template: :1: bad number syntax: "3x"'],
  ['{{99999999999999999999}}', 'template: :1: integer overflow: "99999999999999999999"'],
  ['{{"a".X}}', 'template: :1: unexpected . after term "\\"a\\""'],
  ['{{é}}', "template: :1: function \"é\" not defined"],
  ['{{.X := 1}}', 'template: :1: unexpected ":=" in operand'],
  ['{{a:b}}', 'template: :1: function "a" not defined'],
  ['{{template .}}', 'template: :1: unexpected <.> in template clause'],
  ['{{range .}}{{else if .}}{{end}}', 'template: :1: unexpected <if> in input'],
  ['{{define "a"}}{{define "b"}}{{end}}{{end}}', 'template: :1: unexpected <define> in command'],
  ['{{if 1}}{{end "abcdefghijklmno"}}', 'template: :1: unexpected "\\"abcdefghi"... in end'],
];

const execErrors: [string, string][] = [
  ['{{.Name.Foo}}', 'template: :1:2: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string'],
  ['a\n  {{.Name.X}}', 'template: :2:4: executing "" at <.Name.X>: can\'t evaluate field X in type string'],
  ['{{.Nil.X}}', 'template: :1:2: executing "" at <.Nil.X>: nil pointer evaluating interface {}.X'],
  ['{{index .Args 5}}', 'template: :1:2: executing "" at <index .Args 5>: error calling index: index out of range: 5'],
  ['{{index .Args 2}}', 'template: :1:2: executing "" at <index .Args 2>: error calling index: reflect: slice index out of range'],
  ['{{index .Args "a"}}', 'template: :1:2: executing "" at <index .Args "a">: error calling index: cannot index slice/array with type string'],
  ['{{index .Labels 1}}', 'template: :1:2: executing "" at <index .Labels 1>: error calling index: value has type int; should be string'],
  ['{{index .Missing 1}}', 'template: :1:2: executing "" at <index .Missing 1>: error calling index: index of untyped nil'],
  ['{{index 5 1}}', 'template: :1:2: executing "" at <index 5 1>: error calling index: can\'t index item of type int'],
  ['{{slice .Args 2 1}}', 'template: :1:2: executing "" at <slice .Args 2 1>: error calling slice: invalid slice index: 2 > 1'],
  ['{{len 3}}', 'template: :1:2: executing "" at <len 3>: error calling len: len of type int'],
  ['{{len .Nil}}', 'template: :1:2: executing "" at <len .Nil>: error calling len: len of nil pointer'],
  ['{{upper 5}}', 'template: :1:8: executing "" at <5>: expected string; found 5'],
  ['{{upper .Labels}}', 'template: :1:8: executing "" at <.Labels>: wrong type for value; expected string; got map[string]interface {}'],
  ['{{upper .Missing}}', 'template: :1:8: executing "" at <.Missing>: invalid value; expected string'],
  ['{{upper "a" "b"}}', 'template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 2'],
  ['{{and}}', 'template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0'],
  ['{{truncate .Name 1.5}}', 'template: :1:17: executing "" at <1.5>: expected integer; found 1.5'],
  ['{{template "nope"}}', 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined'],
  ['{{range .Name}}{{end}}', 'template: :1:8: executing "" at <.Name>: range can\'t iterate over web'],
  ['{{"x" 1}}', 'template: :1:2: executing "" at <"x">: can\'t give argument to non-function "x"'],
  ['{{nil}}', 'template: :1:2: executing "" at <nil>: nil is not a command'],
  ['{{.Labels.a 1}}', 'template: :1:2: executing "" at <.Labels.a>: a is not a method but has arguments'],
  ['{{eq 1 "a"}}', 'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison'],
  ['{{lt true false}}', 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison'],
  ['{{eq .Args .Args}}', 'template: :1:2: executing "" at <eq .Args .Args>: error calling eq: non-comparable type [a b]: []string'],
  ['{{call .Name}}', 'template: :1:2: executing "" at <call .Name>: error calling call: non-function of type string'],
  ['{{call .Missing}}', 'template: :1:2: executing "" at <call .Missing>: error calling call: call of nil'],
  ['{{call .Boom}}', 'template: :1:7: executing "" at <.Boom>: error calling Boom: boom'],
  ['{{.MakeFn}}', 'template: :1:2: executing "" at <{{.MakeFn}}>: can\'t print {{.MakeFn}} of type func(...interface {}) interface {}'],
  ['{{.Upper 1 2}}', 'template: :1:2: executing "" at <.Upper>: error calling Upper: boom 1,2'],
  ['{{define "t"}}{{.X.Y}}{{end}}{{template "t" .Name}}', 'template: :1:16: executing "t" at <.X.Y>: can\'t evaluate field X in type string'],
  ['{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', 'exceeded maximum template depth'],
  ['{{$x := 1}}{{range $x = .Name}}{{end}}', 'range can\'t iterate over web'],
  ['{{index .Labels "a" "b"}}', 'error calling index: cannot index slice/array with type string'],
  ['{{printf "%s" "a" | printf 5}}', 'expected string; found 5'],
  ['{{.Name | .Labels.a}}', 'a is not a method but has arguments'],
];

const data = {
  Name: 'web',
  Args: ['a', 'b'],
  Labels: { a: '1' },
  Nil: null,
  MakeFn: () => () => 1,
  Upper: (...a: unknown[]) => {
    throw new Error(`boom ${a.join(',')}`);
  },
  Boom: () => {
    throw new Error('boom');
  },
};

describe('parse errors', () => {
  for (const [text, want] of parseErrors) {
    it(text, () => {
      assert.throws(
        () => parseTemplate(text),
        (e: unknown) => e instanceof TemplateError && e.phase === 'parse' && e.message === want,
      );
    });
  }
});

describe('execution errors', () => {
  for (const [text, want] of execErrors) {
    it(text, () => {
      let message = '';
      try {
        message = renderTemplate(text, data);
      } catch (e) {
        assert.ok(e instanceof TemplateError, String(e));
        assert.equal(e.phase, 'exec');
        message = e.message;
      }
      if (want.startsWith('template:')) assert.equal(message, want);
      else assert.ok(message.includes(want), message);
    });
  }
});
