import { invalidArgument } from '../errdefs/index.js';

/**
 * Docker's `filters` query parameter. Clients send either `{"status":["running"]}` (current) or
 * `{"status":{"running":true}}` (old docker CLIs); both decode to a map of key → values.
 */
export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | undefined | null): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidArgument(`invalid filter: ${raw}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidArgument(`invalid filter: ${raw}`);
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (value && typeof value === 'object') {
      out.set(key, Object.entries(value as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => k));
    } else throw invalidArgument(`invalid filter '${key}'`);
  }
  return out;
}

export function validateFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of filters.keys()) {
    if (!allowed.includes(key)) throw invalidArgument(`invalid filter '${key}'`);
  }
}

/** label filters: "key" matches presence, "key=value" matches the value. */
export function matchLabels(labels: Record<string, string> | undefined, wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const have = labels ?? {};
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return Object.prototype.hasOwnProperty.call(have, w);
    const k = w.slice(0, eq);
    return Object.prototype.hasOwnProperty.call(have, k) && have[k] === w.slice(eq + 1);
  });
}
