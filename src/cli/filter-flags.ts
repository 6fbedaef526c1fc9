import { FlagError } from './flags.js';

/** --filter key=value (repeatable) → the API's filters object; a bad value is a flag error, as in docker. */
export function parseFilterFlags(values: string[], flagTitle = '-f, --filter'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) throw new FlagError(`invalid argument "${v}" for "${flagTitle}" flag: bad format of filter (expected name=value)`);
    const k = v.slice(0, eq).trim().toLowerCase();
    (out[k] ??= []).push(v.slice(eq + 1));
  }
  return out;
}
