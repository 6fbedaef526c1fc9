/**
 * The docker CLI's --since/--until values (moby's api/types/time.GetTimestamp): a Go duration ("10m",
 * "1h30m": that long before now, sent as unix seconds), an RFC3339-like date or date-time (local time
 * when it has no zone), or a unix timestamp ("1700000000[.123456789]", passed through).
 */
import { parseGoDuration } from '../util/go-time.js';

export { parseGoDuration };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

export class TimestampError extends Error {}

/** Returns the value to send to the daemon: "<unix seconds>[.<nanoseconds>]". */
export function getTimestamp(value: string, now: Date = new Date()): string {
  const d = parseGoDuration(value);
  if (value !== '0' && d !== undefined) return String(Math.floor((now.getTime() - d / 1e6) / 1000));
  const m = DATE_RE.exec(value);
  if (m) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const nanos = frac ? Number(frac.slice(1).padEnd(9, '0').slice(0, 9)) : 0;
    let ms: number;
    if (zone) {
      ms = Date.UTC(+y, +mo - 1, +da, +h, +mi, +se);
      if (zone !== 'Z' && zone !== 'z') {
        const sign = zone[0] === '-' ? -1 : 1;
        ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60000;
      }
    } else ms = new Date(+y, +mo - 1, +da, +h, +mi, +se).getTime();
    const range = (what: string): never => {
      throw new TimestampError(`parsing time "${value}": ${what} out of range`);
    };
    if (+mo < 1 || +mo > 12) range('month');
    if (+da < 1 || +da > new Date(Date.UTC(+y, +mo, 0)).getUTCDate()) range('day');
    if (+h > 23) range('hour');
    if (+mi > 59) range('minute');
    if (+se > 59) range('second');
    return `${Math.floor(ms / 1000)}.${String(nanos).padStart(9, '0')}`;
  }
  if (value.includes('-')) throw new TimestampError(`parsing time "${value}" as "2006-01-02T15:04:05Z07:00": cannot parse "${value}" as "2006"`);
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  throw new TimestampError(`failed to parse value as time or duration: "${value}"`);
}
