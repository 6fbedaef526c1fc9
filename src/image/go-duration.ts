import { invalidArgument } from '../errdefs/index.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("10m", "1h30m", "1.5h", "300ms") in milliseconds; undefined if not one. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return s === '0' ? 0 : undefined;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += parseFloat(part[1] ?? '0') * (UNIT_MS[part[2] ?? 's'] ?? 0);
  }
  return m[1] === '-' ? -total : total;
}

/**
 * Docker's timestamp filters (`until`, `since` of events): a Go duration relative to now, unix seconds
 * (optionally with a fraction), or an RFC 3339 date/time. Returns ms since the epoch.
 */
export function parseTimestamp(value: string, now = Date.now()): number {
  const d = parseGoDuration(value);
  if (d !== undefined) return now - d;
  if (/^\d+(\.\d+)?$/.test(value)) return parseFloat(value) * 1000;
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return t;
  throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
}
