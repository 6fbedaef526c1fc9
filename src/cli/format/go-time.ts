/**
 * Go's time formatting as docker prints it: Time.String() ("2026-11-22 05:25:17 +0000 UTC", local
 * zone) for CreatedAt columns, RFC3339 ("2026-11-22T05:07:57Z") for history and events.
 */
const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0');

function zoneName(d: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
  if (name && !name.startsWith('GMT')) return name;
  return d.getTimezoneOffset() === 0 ? 'UTC' : offset(d, false);
}

function offset(d: Date, colon: boolean): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  return `${sign}${pad(off / 60)}${colon ? ':' : ''}${pad(off % 60)}`;
}

function datePart(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function timePart(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** time.Unix(sec, 0).String() */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${datePart(d)} ${timePart(d)} ${offset(d, false)} ${zoneName(d)}`;
}

/** time.Unix(sec, 0).Format(time.RFC3339) */
export function rfc3339(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const z = d.getTimezoneOffset() === 0 ? 'Z' : offset(d, true);
  return `${datePart(d)}T${timePart(d)}${z}`;
}

/** time.Unix(0, nanos).Format(time.RFC3339Nano), as `events` prints times. */
export function rfc3339Nano(unixNanos: bigint): string {
  const sec = Number(unixNanos / 1000000000n);
  const nanos = Number(unixNanos % 1000000000n);
  const d = new Date(sec * 1000);
  const z = d.getTimezoneOffset() === 0 ? 'Z' : offset(d, true);
  const frac = nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${datePart(d)}T${timePart(d)}${frac}${z}`;
}

/** jsonmessage.RFC3339NanoFixed: always nine fractional digits. */
export function rfc3339NanoFixed(unixNanos: bigint): string {
  const sec = Number(unixNanos / 1000000000n);
  const nanos = Number(unixNanos % 1000000000n);
  const d = new Date(sec * 1000);
  const z = d.getTimezoneOffset() === 0 ? 'Z' : offset(d, true);
  return `${datePart(d)}T${timePart(d)}.${String(nanos).padStart(9, '0')}${z}`;
}
