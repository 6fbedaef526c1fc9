import { constants } from 'node:os';
import { invalidArgument } from '../errdefs/index.js';

/** "SIGTERM", "TERM", "term", "15" → 15; anything else is Docker's `Invalid signal: x`. */
export function parseSignal(sig: string | number | undefined, def = 'SIGKILL'): number {
  const s = String(sig ?? def).trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= 64) return n;
    throw invalidArgument(`Invalid signal: ${s}`);
  }
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  const n = (constants.signals as Record<string, number>)[name];
  if (n === undefined) {
    const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
    if (rt) return name.startsWith('SIGRTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[1] ?? 0);
    throw invalidArgument(`Invalid signal: ${s}`);
  }
  return n;
}
