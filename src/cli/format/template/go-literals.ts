/**
 * Go literal syntax used inside actions: quoted strings, raw strings, rune
 * constants, and integer / float numbers (with 0x, 0o, 0b, leading-0 octal
 * and digit-separating underscores). Each function returns undefined when the
 * text is not valid Go, and the parser reports Go's error for it.
 */
import { utf8Bytes, utf8Decode } from './values.js';

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92,
};

/** strconv.Unquote for "…", `…` and '…' (the last yields one rune). */
export function goUnquote(quoted: string): string | undefined {
  const q = quoted[0];
  if (quoted.length < 2 || quoted[quoted.length - 1] !== q) return undefined;
  const body = quoted.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body.replace(/\r/g, '');
  if (q !== '"' && q !== "'") return undefined;
  const bytes: number[] = [];
  let runes = 0;
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (ch === q || ch === '\n') return undefined;
    if (ch !== '\\') {
      bytes.push(...utf8Bytes(ch));
      i += ch.length;
      runes++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    i += 2;
    runes++;
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e] ?? 0);
    } else if (e === q) {
      bytes.push(e.charCodeAt(0));
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      i += n;
      const v = parseInt(hex, 16);
      if (e === 'x') {
        if (q === "'" ) bytes.push(...utf8Bytes(String.fromCodePoint(v)));
        else bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
        bytes.push(...utf8Bytes(String.fromCodePoint(v)));
      }
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const v = parseInt(oct, 8);
      if (v > 255) return undefined;
      i += 2;
      bytes.push(v);
    } else {
      return undefined;
    }
  }
  if (q === "'" && runes !== 1) return undefined;
  return utf8Decode(Uint8Array.from(bytes));
}

const INT_SYNTAX =
  /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/;

/** strconv.ParseInt(text, 0, …) without the range check. */
export function parseGoInt(text: string): bigint | undefined {
  if (!INT_SYNTAX.test(text)) return undefined;
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (/^0[0-7]+$/.test(s)) s = '0o' + s.slice(1);
  if (/^0[xXbBoO]/.test(s)) s = '0' + s[1]?.toLowerCase() + s.slice(2);
  const v = BigInt(s);
  return neg ? -v : v;
}

const DEC_FLOAT = /^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX](_?[0-9a-fA-F]+)*(\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/;

/** strconv.ParseFloat(text, 64) for Go literal syntax. */
export function parseGoFloat(text: string): number | undefined {
  if (DEC_FLOAT.test(text)) return Number(text.replace(/_/g, ''));
  const m = HEX_FLOAT.exec(text.replace(/_/g, ''));
  if (m) {
    const [, sign, , , frac = '', exp = '0'] = m;
    const intPart = text.replace(/_/g, '').replace(/^[+-]?0[xX]/, '').split(/[.pP]/)[0] ?? '';
    let mant = 0;
    for (const d of intPart + frac) mant = mant * 16 + parseInt(d, 16);
    const v = mant * Math.pow(2, Number(exp) - 4 * frac.length);
    return sign === '-' ? -v : v;
  }
  return undefined;
}
