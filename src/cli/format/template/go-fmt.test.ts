import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatValue, sprint, sprintf, sprintln } from './go-fmt.js';
import { GoFloat } from './values.js';

const f = (v: number): GoFloat => new GoFloat(v);

const printfCases: [string, unknown[], string][] = [
  ['%d|%5d|%-5d|%05d|%+d|% d', [42, 42, 42, 42, 42, 42], '42|   42|42   |00042|+42| 42'],
  ['%x|%X|%#x|%o|%#o|%O|%b|%#b', [255, 255, 255, 8, 8, 8, 5, 5], 'ff|FF|0xff|10|010|0o10|101|0b101'],
  ['%d', [-42], '-42'],
  ['%05d', [-42], '-0042'],
  ['%.3d', [7], '007'],
  ['%c|%q|%U|%#U', [0x41, 0x41, 0x41, 0x41], "A|'A'|U+0041|U+0041 'A'"],
  ['%c|%c', [0x110000, -1], '\uFFFD|\uFFFD'],
  ['%s|%10s|%-10s|%.2s', ['go', 'go', 'go', 'gopher'], 'go|        go|go        |go'],
  ['%q|%+q|%#q', ['héllo\n', 'é', 'raw'], '"héllo\\n"|"\\u00e9"|`raw`'],
  ['%x|% x|%X', ['hi', 'hi', 'hi'], '6869|68 69|6869'],
  ['%t|%v', [true, false], 'true|false'],
  ['%f|%.2f|%8.3f|%-8.1f|%08.3f', [3.14159, 3.14159, 3.14159, 3.14159, -3.14159], '3.141590|3.14|   3.142|3.1     |-003.142'],
  ['%e|%E|%.2e', [1234.5678, 1234.5678, 1234.5678], '1.234568e+03|1.234568E+03|1.23e+03'],
  ['%g|%g|%g|%g|%.3g|%.3g', [f(100000), f(1000000), 0.00001, 0.0001, 1234.5678, f(1)], '100000|1e+06|1e-05|0.0001|1.23e+03|1'],
  ['%v|%v|%v', [f(1.5e9), 2.5, f(1e21)], '1.5e+09|2.5|1e+21'],
  ['%.1f', [2], '2.0'],
  ['%v', [[1, 'a', null, [true]]], '[1 a <nil> [true]]'],
  ['%v', [{ b: 1, a: { c: null } }], 'map[a:map[c:<nil>] b:1]'],
  ['%d', [[1, 2, 3]], '[1 2 3]'],
  ['%q', [['a', 'b']], '["a" "b"]'],
  ['%s', [5], '%!s(int=5)'],
  ['%d', ['x'], '%!d(string=x)'],
  ['%d', [1.5], '%!d(float64=1.5)'],
  ['%s', [null], '%!s(<nil>)'],
  ['%v', [null], '<nil>'],
  ['%z', [1], '%!z(int=1)'],
  ['%d %d', [1], '1 %!d(MISSING)'],
  ['%d', [1, 'x', null], '1%!(EXTRA string=x, <nil>)'],
  ['%', [], '%!(NOVERB)'],
  ['100%%', [], '100%'],
  ['%*d|%-*d|%.*f', [5, 42, 4, 7, 2, 3.14159], '   42|7   |3.14'],
  ['%[2]s %[1]s', ['a', 'b'], 'b a'],
  ['%T %T %T %T %T %T', [1, 1.5, 's', true, ['a'], null], 'int float64 string bool []string <nil>'],
  ['%v|%+v', [f(Infinity), f(NaN)], '+Inf|NaN'],
  ['%6.2f%%', [f(99.5)], ' 99.50%'],
  ['%-4s|%4s', ['日本', 'é'], '日本  |   é'],
];

describe('sprintf', () => {
  for (const [format, args, want] of printfCases) {
    it(`${format} ${JSON.stringify(args)}`, () => {
      assert.equal(sprintf(format, args), want);
    });
  }
});

describe('sprint and sprintln', () => {
  it('adds spaces only between non-string operands', () => {
    assert.equal(sprint([1, 2, 'a', 'b', 3, true]), '1 2ab3 true');
    assert.equal(sprint(['a', 1, 'b']), 'a1b');
  });
  it('always separates with spaces and ends with a newline', () => {
    assert.equal(sprintln(['a', 1, 'b']), 'a 1 b\n');
    assert.equal(sprintln([]), '\n');
  });
});

describe('formatValue (%v)', () => {
  const cases: [unknown, string][] = [
    [42, '42'],
    [-0.5, '-0.5'],
    [1e-7, '1e-07'],
    [123456789.5, '1.234567895e+08'],
    [12345.5, '12345.5'],
    [9007199254740993n, '9007199254740993'],
    ['text', 'text'],
    [[], '[]'],
    [{}, 'map[]'],
    [['sh', '-c', 'echo hi'], '[sh -c echo hi]'],
    [{ 'b': [1, 2], 'a': 'x', 'é': true, 'Z': null }, 'map[Z:<nil> a:x b:[1 2] é:true]'],
    [new Map([[2, 'b'], [10, 'a']]), 'map[2:b 10:a]'],
  ];
  for (const [v, want] of cases) {
    it(want, () => assert.equal(formatValue(v), want));
  }
  it('prints structs as {field …} and uses String() methods', () => {
    class Port {
      constructor(readonly Port: number, readonly Proto: string) {}
    }
    class Named {
      String(): string {
        return 'named!';
      }
    }
    assert.equal(formatValue(new Port(80, 'tcp')), '{80 tcp}');
    assert.equal(sprintf('%+v', [new Port(80, 'tcp')]), '{Port:80 Proto:tcp}');
    assert.equal(formatValue(new Named()), 'named!');
  });
});
