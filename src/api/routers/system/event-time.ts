import { invalidArgument } from '../../../errdefs/index.js';

/**
 * Docker's `since`/`until` for events and logs: unix seconds with an optional fraction ("1700000000.5"),
 * RFC 3339, or a Go duration meaning that long ago ("10m"). Returns nanoseconds since the epoch.
 */
export function parseEventTime(v: string): number {
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const [s, frac = ''] = v.split('.');
    return Number(s) * 1e9 + Number((frac + '000000000').slice(0, 9));
  }
  const d = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  if (d) {
    const mult: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    return Date.now() * 1e6 - Number(d[1]) * mult[d[2]!]!;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value "${v}" as time`);
  return t * 1e6;
}

/** The same as seconds (fractional), what the log reader takes. */
export function parseTimeSeconds(v: string): number {
  return parseEventTime(v) / 1e9;
}
