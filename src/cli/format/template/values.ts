/**
 * How JavaScript values stand in for Go values inside a template.
 *
 * Vocabulary:
 * - MISSING is Go's invalid reflect.Value: a map key that is absent, the data
 *   `nil`, the result of a pipeline that yielded nil. It prints `<no value>`.
 * - null / undefined inside data are Go's nil interface values. They print
 *   `<nil>` inside collections and through print/printf.
 * - numbers: an integral JS number is a Go int; any other number, and a
 *   GoFloat, is a float64 (so 1.5e9 from `{{1.5e9}}` prints `1.5e+09`).
 *   bigint is an int64.
 * - arrays are slices; plain objects and Map instances are maps (keys sorted
 *   wherever Go sorts them); other class instances are structs.
 * - a function-valued property, of a map or a struct, is a method: `.Label "x"`
 *   calls it. Methods are not entries: printing, range, len and json skip them.
 */

export const MISSING: unique symbol = Symbol('no value');
export type Missing = typeof MISSING;

/** A float64 that happens to be integral, e.g. the literal `1.0` or `1.5e9`. */
export class GoFloat {
  constructor(readonly value: number) {}
}

export function isMissing(v: unknown): v is Missing {
  return v === MISSING;
}

/** Go nil: a nil interface or an invalid value. */
export function isNilish(v: unknown): boolean {
  return v === null || v === undefined || v === MISSING;
}

export function isInt(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

export function isFloat(v: unknown): v is number | GoFloat {
  return v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v));
}

export function isNumeric(v: unknown): v is number | bigint | GoFloat {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof GoFloat;
}

export function toNumber(v: number | bigint | GoFloat): number {
  return v instanceof GoFloat ? v.value : Number(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Plain objects and Map instances behave as Go maps. */
export function isGoMap(v: unknown): v is Record<string, unknown> | Map<unknown, unknown> {
  return isPlainObject(v) || v instanceof Map;
}

export function isGoSlice(v: unknown): v is readonly unknown[] | Uint8Array {
  return Array.isArray(v) || v instanceof Uint8Array;
}

/** Any other object (not a slice, map or float) stands for a Go struct. */
export function isGoStruct(v: unknown): v is object {
  return (
    typeof v === 'object' &&
    v !== null &&
    !isGoSlice(v) &&
    !isGoMap(v) &&
    !(v instanceof GoFloat)
  );
}

/** Compare strings by code point, i.e. in UTF-8 byte order as Go sorts them. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

function compareKeys(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return toNumber(a) - toNumber(b);
  return compareStrings(String(a), String(b));
}

/** A map's entries in Go's sorted order (fmt and range both sort map keys). */
export function sortedEntries(m: Record<string, unknown> | Map<unknown, unknown>): [unknown, unknown][] {
  const entries: [unknown, unknown][] = m instanceof Map ? [...m.entries()] : Object.entries(m);
  return entries.filter(([, v]) => isEntryValue(v)).sort((x, y) => compareKeys(x[0], y[0]));
}

/** Undefined values and methods are not map entries. */
function isEntryValue(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function';
}

export function mapSize(m: Record<string, unknown> | Map<unknown, unknown>): number {
  return m instanceof Map ? [...m.values()].filter(isEntryValue).length : Object.values(m).filter(isEntryValue).length;
}

/** Looks a key up in a map; MISSING when absent. */
export function mapGet(m: Record<string, unknown> | Map<unknown, unknown>, key: unknown): unknown {
  if (m instanceof Map) return m.has(key) ? m.get(key) : MISSING;
  if (typeof key !== 'string') return MISSING;
  if (!Object.prototype.hasOwnProperty.call(m, key)) return MISSING;
  const v = m[key];
  return v === undefined ? MISSING : v;
}

/** A struct's fields: its own enumerable properties that are not methods. */
export function structFields(v: object): [string, unknown][] {
  return Object.entries(v).filter(([, x]) => typeof x !== 'function' && x !== undefined);
}

/** The Go type name used in error messages and by %T. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined || v === MISSING) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (v instanceof GoFloat) return 'float64';
  if (typeof v === 'function') return 'func(...interface {}) interface {}';
  if (v instanceof Uint8Array) return '[]uint8';
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === 'string')) return '[]string';
    return '[]interface {}';
  }
  if (isGoMap(v)) return 'map[string]interface {}';
  const ctor = (v as { constructor?: { name?: string } }).constructor;
  return ctor?.name ? `*${ctor.name}` : 'struct';
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined || v === MISSING) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  if (isGoSlice(v)) return v.length > 0;
  if (isGoMap(v)) return mapSize(v) > 0;
  return true; // structs and funcs
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** len(s) in Go counts bytes, not characters. */
export function byteLength(s: string): number {
  return utf8.encode(s).length;
}

/** Go's unicode.IsPrint, close enough: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrintRune(cp: number): boolean {
  if (cp === 0x20) return true;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}
