/**
 * The functions the docker CLI adds to every template
 * (github.com/docker/cli/templates): json, split, join, title, lower, upper,
 * pad, truncate; and the header variants the CLI swaps in to render a table's
 * header row, which leave the column titles untouched.
 */
import type { FuncMap, GoFunc } from './functions.js';
import { goFunc } from './functions.js';
import { formatValue } from './go-fmt.js';
import { goJSON } from './go-json.js';
import { utf8Bytes, utf8Decode } from './values.js';

/** unicode.ToUpper / ToLower map one rune to one rune; JS may give several. */
function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

export function goUpper(s: string): string {
  return mapRunes(s, (c) => c.toUpperCase());
}

export function goLower(s: string): string {
  return mapRunes(s, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()));
}

/** strings.Title's idea of a word boundary. */
function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

/** strings.Title: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let out = '';
  let prev = ' ';
  for (const c of s) {
    out += isSeparator(prev) ? goUpper(c) : c;
    prev = c;
  }
  return out;
}

/** strings.Split: an empty separator splits after each UTF-8 sequence. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

export function dockerFunctions(): Map<string, GoFunc> {
  return new Map<string, GoFunc>([
    [
      'json',
      goFunc(['any'], (v: unknown) => {
        try {
          return goJSON(v, false);
        } catch {
          return ''; // the docker CLI ignores the encoder's error
        }
      }),
    ],
    ['split', goFunc(['string', 'string'], goSplit)],
    [
      'join',
      goFunc(['stringSlice', 'string'], (elems: unknown[] | null, sep: string) =>
        (elems ?? []).map((e) => (typeof e === 'string' ? e : formatValue(e))).join(sep),
      ),
    ],
    ['title', goFunc(['string'], goTitle)],
    ['lower', goFunc(['string'], goLower)],
    ['upper', goFunc(['string'], goUpper)],
    [
      'pad',
      goFunc(['string', 'int', 'int'], (s: string, prefix: number, suffix: number) =>
        s === '' ? s : ' '.repeat(Math.max(prefix, 0)) + s + ' '.repeat(Math.max(suffix, 0)),
      ),
    ],
    [
      'truncate',
      goFunc(['string', 'int'], (s: string, n: number) => {
        const b = utf8Bytes(s);
        return b.length < n ? s : utf8Decode(b.slice(0, Math.max(n, 0)));
      }),
    ],
  ]);
}

/**
 * docker's HeaderFunctions: execute a table format against the header
 * context with these to print the column titles (pad is kept on purpose, so
 * headers stay aligned with their columns).
 */
export const dockerHeaderFunctions: FuncMap = {
  json: (v: string) => v,
  split: (v: string, _sep: string) => v,
  join: (v: string, _sep: string) => v,
  title: (v: string) => v,
  lower: (v: string) => v,
  upper: (v: string) => v,
  truncate: (v: string, _n: number) => v,
};
