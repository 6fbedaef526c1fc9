import { invalidArgument } from '../errdefs/index.js';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration ("10m", "1h30m", "1.5h", "300ms"), in nanoseconds; undefined when not a duration. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (!s) return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/**
 * Docker's timestamp filters (`until` of prune, `since` of events): a Go duration meaning that long ago,
 * unix seconds (optionally with a fraction), or an RFC 3339 date/time. Returns ms since the epoch.
 */
export function parseTimestamp(value: string, now = Date.now()): number {
  const d = parseGoDuration(value);
  if (d !== undefined) return now - d / 1e6;
  if (/^\d+(\.\d+)?$/.test(value)) return parseFloat(value) * 1000;
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return t;
  throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
}
