import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FlagSpec, FlagError, parseFlags } from './flags.js';

const SPECS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'detach', short: 'd', type: 'bool' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'name', type: 'string' },
  { name: 'last', short: 'n', type: 'int', default: -1 },
  { name: 'rm', type: 'bool' },
];

test('combined short booleans and values', () => {
  const { flags, args } = parseFlags(SPECS, ['-it', '-e', 'A=1', '-eB=2', '-e=C=3', '--name', 'x', 'busybox']);
  assert.equal(flags.bool('interactive'), true);
  assert.equal(flags.bool('tty'), true);
  assert.equal(flags.bool('detach'), false);
  assert.deepEqual(flags.list('env'), ['A=1', 'B=2', 'C=3']);
  assert.equal(flags.string('name'), 'x');
  assert.deepEqual(args, ['busybox']);
});

test('--flag=value, bool=false, int flags and defaults', () => {
  const { flags } = parseFlags(SPECS, ['--name=y', '--rm=false', '-n5']);
  assert.equal(flags.string('name'), 'y');
  assert.equal(flags.bool('rm'), false);
  assert.equal(flags.isSet('rm'), true);
  assert.equal(flags.int('last'), 5);
  assert.equal(parseFlags(SPECS, []).flags.int('last'), -1);
});

test('interspersed: flags after positionals are parsed, unless disabled', () => {
  assert.equal(parseFlags(SPECS, ['a', '-d']).flags.bool('detach'), true);
  const r = parseFlags(SPECS, ['busybox', 'ls', '-d', '--rm'], { interspersed: false });
  assert.equal(r.flags.bool('detach'), false);
  assert.deepEqual(r.args, ['busybox', 'ls', '-d', '--rm']);
});

test('-- ends flags and - is an argument', () => {
  const r = parseFlags(SPECS, ['-d', '--', '-i', '-']);
  assert.equal(r.flags.bool('interactive'), false);
  assert.deepEqual(r.args, ['-i', '-']);
  assert.deepEqual(parseFlags(SPECS, ['-']).args, ['-']);
});

test("pflag's error wording", () => {
  assert.throws(() => parseFlags(SPECS, ['--foo']), new FlagError('unknown flag: --foo'));
  assert.throws(() => parseFlags(SPECS, ['-x']), new FlagError("unknown shorthand flag: 'x' in -x"));
  assert.throws(() => parseFlags(SPECS, ['-ix']), new FlagError("unknown shorthand flag: 'x' in -ix"));
  assert.throws(() => parseFlags(SPECS, ['-e']), new FlagError("flag needs an argument: 'e' in -e"));
  assert.throws(() => parseFlags(SPECS, ['--name']), new FlagError('flag needs an argument: --name'));
  assert.throws(
    () => parseFlags(SPECS, ['-n', 'x']),
    new FlagError('invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax'),
  );
  assert.throws(
    () => parseFlags(SPECS, ['--rm=maybe']),
    new FlagError('invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax'),
  );
});

test('--help is recognised', () => {
  assert.equal(parseFlags(SPECS, ['--help']).help, true);
});
