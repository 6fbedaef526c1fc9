/**
 * Go text/template's predefined functions: and, or, not, len, index, slice,
 * print, printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery, call.
 * Error texts are Go's, because the user sees them after `error calling X:`.
 */
import type { GoFunc } from './functions.js';
import { goFunc } from './functions.js';
import { formatValue, sprint, sprintf, sprintln } from './go-fmt.js';
import {
  GoFloat,
  MISSING,
  compareStrings,
  goTypeName,
  isGoMap,
  isGoStruct,
  isInt,
  isNilish,
  isPrintRune,
  isTrue,
  mapGet,
  mapSize,
  toNumber,
  utf8Bytes,
  utf8Decode,
} from './values.js';

/** A null inside an interface{} unwraps to "no value", as indirectInterface does. */
function unwrap(v: unknown): unknown {
  return v === null || v === undefined ? MISSING : v;
}

function indexArg(index: unknown, cap: number): number {
  const i = unwrap(index);
  if (i === MISSING) throw new Error('cannot index slice/array with nil');
  if (!isInt(i)) throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
  const x = Number(i);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let cur = unwrap(item);
  if (cur === MISSING) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    if (isNilish(cur)) throw new Error('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = utf8Bytes(cur);
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) throw new Error('reflect: string index out of range');
      cur = bytes[x];
    } else if (Array.isArray(cur) || cur instanceof Uint8Array) {
      const x = indexArg(idx, cur.length);
      if (x === cur.length) throw new Error('reflect: slice index out of range');
      const v: unknown = cur[x];
      cur = v === undefined ? null : v;
    } else if (isGoMap(cur)) {
      const key = unwrap(idx);
      if (!(cur instanceof Map)) {
        if (key === MISSING) throw new Error('value is nil; should be of type string');
        if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
      }
      const v = mapGet(cur, key === MISSING ? null : key);
      cur = v === MISSING ? null : v; // the zero value of interface{}
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  const v = unwrap(item);
  if (v === MISSING) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof v === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = utf8Bytes(v).length;
  } else if (Array.isArray(v) || v instanceof Uint8Array) {
    len = v.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(v)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [i = 0, j = len, k = len] = idx;
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new Error(`invalid slice index: ${j} > ${k}`);
  if (typeof v === 'string') return utf8Decode(utf8Bytes(v).slice(i, j));
  return v.slice(i, j);
}

function length(item: unknown): number {
  if (item === MISSING) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null || item === undefined) throw new Error('len of nil pointer');
  if (typeof item === 'string') return utf8Bytes(item).length;
  if (Array.isArray(item) || item instanceof Uint8Array) return item.length;
  if (isGoMap(item)) return mapSize(item);
  throw new Error(`len of type ${goTypeName(item)}`);
}

type BasicKind = 'bool' | 'number' | 'string' | 'invalid' | 'other';

function basicKind(v: unknown): BasicKind {
  if (v === MISSING) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof GoFloat) return 'number';
  return 'other';
}

function numbersEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (isInt(a) && isInt(b)) return BigInt(a) === BigInt(b);
  }
  return toNumber(a as number) === toNumber(b as number);
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  const a1 = unwrap(arg1);
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(a1);
  for (const raw of arg2) {
    const a = unwrap(raw);
    const k2 = basicKind(a);
    let truth = false;
    if (k1 !== k2) {
      if (a1 !== MISSING && a !== MISSING) throw new Error('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          truth = a1 === a;
          break;
        case 'number':
          truth = numbersEqual(a1, a);
          break;
        case 'invalid':
          truth = true;
          break;
        default:
          if (!isGoStruct(a1) || !isGoStruct(a)) {
            throw new Error(`non-comparable type ${formatValue(a)}: ${goTypeName(a)}`);
          }
          truth = a1 === a;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  const a1 = unwrap(arg1);
  const a2 = unwrap(arg2);
  const k1 = basicKind(a1);
  const k2 = basicKind(a2);
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') {
    throw new Error('invalid type for comparison');
  }
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  switch (k1) {
    case 'bool':
      throw new Error('invalid type for comparison');
    case 'string':
      return compareStrings(a1 as string, a2 as string) < 0;
    default:
      if (isInt(a1) && isInt(a2)) return BigInt(a1) < BigInt(a2);
      return toNumber(a1 as number) < toNumber(a2 as number);
  }
}

/** Arguments of html, js and urlquery become one string, as Go's evalArgs does. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (isNilish(a) ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '&': return '&amp;';
      case "'": return '&#39;';
      case '"': return '&#34;';
      default: return '\uFFFD';
    }
  });
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrintRune(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  const f = unwrap(fn);
  if (f === MISSING) throw new Error('call of nil');
  if (typeof f !== 'function') throw new Error(`non-function of type ${goTypeName(f)}`);
  const result: unknown = (f as (...a: unknown[]) => unknown)(...args.map((a) => (a === MISSING ? null : a)));
  return result === undefined ? null : result;
}

export function builtinFunctions(): Map<string, GoFunc> {
  return new Map<string, GoFunc>([
    ['and', { params: ['value'], variadic: 'value', shortCircuit: 'and', call: () => undefined }],
    ['or', { params: ['value'], variadic: 'value', shortCircuit: 'or', call: () => undefined }],
    ['not', goFunc(['value'], (v: unknown) => !isTrue(v))],
    ['len', goFunc(['value'], length)],
    ['index', goFunc(['value'], index, 'value')],
    ['slice', goFunc(['value'], slice, 'value')],
    ['print', goFunc([], (...a: unknown[]) => sprint(a), 'any')],
    ['printf', goFunc(['string'], (f: string, ...a: unknown[]) => sprintf(f, a), 'any')],
    ['println', goFunc([], (...a: unknown[]) => sprintln(a), 'any')],
    ['eq', goFunc(['value'], eq, 'value')],
    ['ne', goFunc(['value', 'value'], (a: unknown, b: unknown) => !eq(a, b))],
    ['lt', goFunc(['value', 'value'], lt)],
    ['le', goFunc(['value', 'value'], (a: unknown, b: unknown) => lt(a, b) || eq(a, b))],
    ['gt', goFunc(['value', 'value'], (a: unknown, b: unknown) => !(lt(a, b) || eq(a, b)))],
    ['ge', goFunc(['value', 'value'], (a: unknown, b: unknown) => !lt(a, b))],
    ['html', goFunc([], (...a: unknown[]) => htmlEscape(evalArgs(a)), 'any')],
    ['js', goFunc([], (...a: unknown[]) => jsEscape(evalArgs(a)), 'any')],
    ['urlquery', goFunc([], (...a: unknown[]) => queryEscape(evalArgs(a)), 'any')],
    ['call', goFunc(['value'], call, 'value')],
  ]);
}
