/**
 * The parts of Go's fmt package that templates reach: Sprint, Sprintln,
 * Sprintf and the %v form of every value. Bad verbs and missing or extra
 * operands are reported inline as fmt does (`%!d(string=x)`, `%!s(MISSING)`).
 *
 * One deliberate leniency: an integral JS number is a Go int, but %e %f %g
 * still format it as a float, since JS cannot say which one the data meant.
 */
import {
  GoFloat,
  MISSING,
  goTypeName,
  isGoMap,
  isGoStruct,
  isPrintRune,
  sortedEntries,
  structFields,
  toNumber,
  utf8Bytes,
} from './values.js';

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function noFlags(): Flags {
  return {
    minus: false,
    plus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    width: undefined,
    prec: undefined,
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Flags, zeroOK = false): string {
  if (f.width === undefined) return s;
  const n = f.width - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && zeroOK) {
    // Zeros go after any sign.
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

/** strconv.Quote (or QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    if (asciiOnly ? cp < 0x7f && cp >= 0x20 : isPrintRune(cp)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

/** The shortest decimal digits of |v| and its decimal exponent (d.ddd × 10^exp). */
function shortestDigits(v: number, prec?: number): { digits: string; exp: number } {
  const e = prec === undefined ? Math.abs(v).toExponential() : Math.abs(v).toExponential(prec);
  const [mant = '0', ex = '0'] = e.split('e');
  return { digits: mant.replace('.', ''), exp: Number(ex) };
}

function expSuffix(exp: number, upper: boolean): string {
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return (upper ? 'E' : 'e') + sign + (abs < 10 ? '0' + abs : String(abs));
}

function fixed(v: number, prec: number): string {
  const a = Math.abs(v);
  if (a < 1e21) return a.toFixed(Math.min(prec, 100));
  const int = BigInt(a).toString();
  return prec > 0 ? int + '.' + '0'.repeat(prec) : int;
}

/** Go's strconv.FormatFloat for the verbs e, f, g (prec -1 = shortest). */
export function formatFloat(v: number, verb: string, prec: number | undefined, f?: Flags): string {
  let sign = v < 0 || Object.is(v, -0) ? '-' : f?.plus ? '+' : f?.space ? ' ' : '';
  let body: string;
  if (Number.isNaN(v)) {
    sign = f?.plus ? '+' : f?.space ? ' ' : '';
    body = 'NaN';
  } else if (!Number.isFinite(v)) {
    body = 'Inf';
    if (v > 0) sign = f?.space && !f.plus ? ' ' : '+';
  } else {
    const upper = verb === 'E' || verb === 'G';
    switch (verb) {
      case 'f':
      case 'F':
        body = fixed(v, prec ?? 6);
        break;
      case 'e':
      case 'E': {
        const { digits, exp } = shortestDigits(v, prec ?? 6);
        body = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp, upper);
        break;
      }
      default: {
        // %g: shortest digits unless a precision is given, exponent form when
        // the exponent is < -4 or >= the precision (6 when shortest).
        const shortest = prec === undefined || prec < 0;
        let { digits, exp } = shortestDigits(v, shortest ? undefined : Math.max((prec ?? 1) - 1, 0));
        digits = digits.replace(/0+$/, '') || '0';
        let eprec = shortest ? 6 : prec ?? 6;
        if (!shortest && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
        if (shortest) eprec = 6;
        if (v === 0) exp = 0;
        if (exp < -4 || exp >= eprec) {
          body = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp, upper);
        } else if (exp < 0) {
          body = '0.' + '0'.repeat(-exp - 1) + digits;
        } else if (digits.length <= exp + 1) {
          body = digits + '0'.repeat(exp + 1 - digits.length);
        } else {
          body = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
        }
      }
    }
  }
  return sign + body;
}

/** The rune for an integer; invalid code points become U+FFFD as in Go. */
function runeOf(n: bigint): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  return valid ? String.fromCodePoint(Number(n)) : '\uFFFD';
}

function fmtInteger(n: bigint, verb: string, f: Flags): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  if (verb === 'c') return pad(runeOf(n), f);
  if (verb === 'q') return pad(goQuote(runeOf(n), f.plus, "'"), f);
  if (verb === 'U') {
    let s = (neg ? '-' : '') + 'U+' + abs.toString(16).toUpperCase().padStart(4, '0');
    if (f.sharp && isPrintRune(Number(abs)) && !neg && abs <= 0x10ffffn) s += " '" + runeOf(n) + "'";
    return pad(s, f);
  }
  let base = 10;
  let prefix = '';
  switch (verb) {
    case 'b': base = 2; if (f.sharp) prefix = '0b'; break;
    case 'o': base = 8; if (f.sharp) prefix = '0'; break;
    case 'O': base = 8; prefix = '0o'; break;
    case 'x': base = 16; if (f.sharp) prefix = '0x'; break;
    case 'X': base = 16; if (f.sharp) prefix = '0X'; break;
  }
  let digits = abs.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (f.prec !== undefined) {
    if (f.prec === 0 && n === 0n) digits = '';
    else digits = digits.padStart(f.prec, '0');
  } else if (f.zero && !f.minus && f.width !== undefined) {
    const signLen = neg || f.plus || f.space ? 1 : 0;
    digits = digits.padStart(f.width - signLen - prefix.length, '0');
  }
  if (prefix === '0' && digits.startsWith('0')) prefix = '';
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + prefix + digits, f);
}

function fmtString(s: string, verb: string, f: Flags): string {
  if (f.prec !== undefined && (verb === 's' || verb === 'v' || verb === 'q' || verb === 'x' || verb === 'X')) {
    s = [...s].slice(0, f.prec).join('');
  }
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(goQuote(s), f);
      return pad(s, f, true);
    case 's':
      return pad(s, f, true);
    case 'q':
      if (f.sharp && !s.includes('`') && [...s].every((c) => c === '\t' || isPrintRune(c.codePointAt(0) ?? 0))) {
        return pad('`' + s + '`', f);
      }
      return pad(goQuote(s, f.plus), f);
    case 'x':
    case 'X': {
      const hex = [...utf8Bytes(s)].map((b) => b.toString(16).padStart(2, '0'));
      const h = verb === 'X' ? hex.map((x) => x.toUpperCase()) : hex;
      const pre = verb === 'X' ? '0X' : '0x';
      let out: string;
      if (f.space) out = h.map((x) => (f.sharp ? pre + x : x)).join(' ');
      else out = (f.sharp && h.length > 0 ? pre : '') + h.join('');
      return pad(out, f);
    }
  }
  return badVerb(s, verb);
}

function badVerb(v: unknown, verb: string): string {
  if (v === null || v === undefined || v === MISSING) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${printValue(v, 'v', noFlags())})`;
}

function callStringMethod(v: object): string | undefined {
  const m = (v as { String?: unknown; Error?: unknown });
  if (typeof m.Error === 'function') return String((m.Error as () => unknown).call(v));
  if (typeof m.String === 'function') return String((m.String as () => unknown).call(v));
  return undefined;
}

/** Formats one operand with one verb, recursing into slices and maps as fmt does. */
function printValue(v: unknown, verb: string, f: Flags): string {
  if (verb === 'T') return pad(goTypeName(v), f);
  if (v === null || v === undefined || v === MISSING) {
    return verb === 'v' ? pad('<nil>', f) : badVerb(v, verb);
  }
  if (typeof v === 'boolean') {
    return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(v, verb);
  }
  if (typeof v === 'string') return fmtString(v, verb, f);
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) {
    switch (verb) {
      case 'v':
      case 'd':
        return fmtInteger(BigInt(v), 'd', f);
      case 'b': case 'o': case 'O': case 'x': case 'X': case 'c': case 'q': case 'U':
        return fmtInteger(BigInt(v), verb, f);
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        return pad(formatFloat(Number(v), verb, f.prec, f), f, true);
    }
    return badVerb(v, verb);
  }
  if (typeof v === 'number' || v instanceof GoFloat) {
    const x = toNumber(v);
    switch (verb) {
      case 'v':
        return pad(formatFloat(x, 'g', f.prec, f), f, true);
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        return pad(formatFloat(x, verb, f.prec, f), f, true);
    }
    return badVerb(v, verb);
  }
  if (typeof v === 'function') return verb === 'v' || verb === 'p' ? pad('0xc000010000', f) : badVerb(v, verb);
  if (v instanceof Uint8Array) {
    if (verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') {
      return fmtString(new TextDecoder().decode(v), verb, f);
    }
    return '[' + [...v].map((b) => printValue(b, verb, f)).join(' ') + ']';
  }
  if (Array.isArray(v)) {
    return '[' + v.map((e: unknown) => printValue(e, verb, f)).join(' ') + ']';
  }
  if (isGoMap(v)) {
    const parts = sortedEntries(v).map(([k, e]) => printValue(k, verb, f) + ':' + printValue(e, verb, f));
    return 'map[' + parts.join(' ') + ']';
  }
  if (isGoStruct(v)) {
    if (verb === 'v' || verb === 's' || verb === 'q') {
      const s = callStringMethod(v);
      if (s !== undefined) return fmtString(s, verb, f);
    }
    if (v instanceof Date) return fmtString(v.toISOString(), verb === 'v' ? 's' : verb, f);
    const parts = structFields(v).map(([k, e]) => (f.plusV ? k + ':' : '') + printValue(e, verb, f));
    return '{' + parts.join(' ') + '}';
  }
  return badVerb(v, verb);
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += printValue(a, 'v', noFlags());
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands always separated by a space, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => printValue(a, 'v', noFlags())).join(' ') + '\n';
}

/** The %v form of a value, as `{{.}}` prints it. */
export function formatValue(v: unknown): string {
  return printValue(v, 'v', noFlags());
}

function asIntArg(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    // Flags.
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '#': f.sharp = true; break;
        case '0': f.zero = true; break;
        case '+': f.plus = true; break;
        case '-': f.minus = true; break;
        case ' ': f.space = true; break;
        default: break flags;
      }
    }
    const argIndex = (): boolean => {
      if (format[i] !== '[') return true;
      const close = format.indexOf(']', i);
      const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
      if (!Number.isInteger(idx) || idx < 1 || idx > args.length) {
        i = close < 0 ? n : close + 1;
        return false;
      }
      argNum = idx - 1;
      reordered = true;
      i = close + 1;
      return true;
    };
    let goodIndex = argIndex();
    // Width.
    if (format[i] === '*') {
      i++;
      const w = argNum < args.length ? asIntArg(args[argNum]) : undefined;
      argNum++;
      if (w === undefined) out += '%!(BADWIDTH)';
      else {
        f.width = Math.abs(w);
        if (w < 0) f.minus = true;
      }
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        f.width = Number(m[0]);
        i += m[0].length;
      }
    }
    // Precision.
    if (format[i] === '.') {
      i++;
      goodIndex = argIndex() && goodIndex;
      if (format[i] === '*') {
        i++;
        const p = argNum < args.length ? asIntArg(args[argNum]) : undefined;
        argNum++;
        if (p === undefined || p < 0) out += '%!(BADPREC)';
        else f.prec = p;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    goodIndex = argIndex() && goodIndex;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    if (f.minus) f.zero = false;
    out += printValue(args[argNum], verb, f);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) =>
      a === null || a === undefined || a === MISSING ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`,
    );
    out += '%!(EXTRA ' + extra.join(', ') + ')';
  }
  return out;
}
