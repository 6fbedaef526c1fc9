/**
 * JSON the way Go's encoding/json writes it, which is what `{{json .}}`
 * prints. Plain objects keep their key order (they stand for the structs and
 * already-sorted maps the Engine API sent); Map instances are sorted like Go
 * maps. Strings are escaped as Go does: control characters as \u00XX,
 * U+2028/U+2029 always, and <, >, & only when escapeHTML is set (docker's
 * `json` function turns HTML escaping off).
 */
import { GoFloat, MISSING, isGoStruct, sortedEntries } from './values.js';

export class JSONUnsupportedError extends Error {}

const HEX = '0123456789abcdef';

export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      switch (ch) {
        case '"': out += '\\"'; continue;
        case '\\': out += '\\\\'; continue;
        case '\n': out += '\\n'; continue;
        case '\r': out += '\\r'; continue;
        case '\t': out += '\\t'; continue;
        case '\b': out += '\\b'; continue;
        case '\f': out += '\\f'; continue;
      }
      if (cp < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) {
        out += '\\u00' + HEX[cp >> 4] + HEX[cp & 0xf];
        continue;
      }
      out += ch;
      continue;
    }
    if (cp === 0x2028 || cp === 0x2029) {
      out += '\\u' + cp.toString(16);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is invalid UTF-8 to Go
      continue;
    }
    out += ch;
  }
  return out + '"';
}

function jsonNumber(v: number, float: boolean): string {
  if (!Number.isFinite(v)) throw new JSONUnsupportedError(`json: unsupported value: ${v}`);
  if (!float && Number.isInteger(v) && Math.abs(v) < 1e21) return BigInt(v).toString();
  // Go uses %f unless the exponent is small or large; JS's String() picks the
  // same cut-offs (1e-6, 1e21) and the same exponent spelling.
  return String(v);
}

/** Encodes a value as Go's json.Encoder would (without the trailing newline). */
export function goJSON(v: unknown, escapeHTML = false): string {
  const seen = new Set<object>();
  const enc = (x: unknown): string => {
    if (x === null || x === undefined || x === MISSING) return 'null';
    switch (typeof x) {
      case 'string':
        return jsonString(x, escapeHTML);
      case 'boolean':
        return String(x);
      case 'number':
        return jsonNumber(x, false);
      case 'bigint':
        return x.toString();
      case 'function':
      case 'symbol':
        throw new JSONUnsupportedError(`json: unsupported type: ${typeof x}`);
    }
    if (x instanceof GoFloat) return jsonNumber(x.value, true);
    const obj = x as object;
    if (seen.has(obj)) throw new JSONUnsupportedError('json: unsupported value: encountered a cycle');
    seen.add(obj);
    try {
      if (obj instanceof Uint8Array) return '"' + Buffer.from(obj).toString('base64') + '"';
      if (Array.isArray(obj)) return '[' + obj.map((e: unknown) => enc(e)).join(',') + ']';
      if (obj instanceof Map) {
        const parts = sortedEntries(obj).map(([k, e]) => jsonString(String(k), escapeHTML) + ':' + enc(e));
        return '{' + parts.join(',') + '}';
      }
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function' && isGoStruct(obj)) return enc((toJSON as () => unknown).call(obj));
      const parts: string[] = [];
      for (const [k, e] of Object.entries(obj)) {
        if (e === undefined || typeof e === 'function') continue;
        parts.push(jsonString(k, escapeHTML) + ':' + enc(e));
      }
      return '{' + parts.join(',') + '}';
    } finally {
      seen.delete(obj);
    }
  };
  return enc(v);
}
