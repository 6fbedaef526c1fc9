// Kept as the image module's import path; the parsers live in util (shared with containers and the CLI).
export { parseTimestamp } from '../util/go-time.js';
import { parseGoDuration as parseNs } from '../util/go-time.js';

/** Go's time.ParseDuration in milliseconds; undefined if the text is not one. */
export function parseGoDuration(s: string): number | undefined {
  const ns = parseNs(s);
  return ns === undefined ? undefined : ns / 1e6;
}
