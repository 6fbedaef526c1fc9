import { invalidArgument } from '../errdefs/index.js';
import type { Node } from './parser/node.js';

/**
 * Leading `--name=value` flags of an instruction; unknown names are refused. A flag given more than once
 * keeps its last value here; `flagValues` has them all (RUN's `--mount`).
 */
export function parseFlags(node: Node, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of node.flags) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(f);
    if (!m || !allowed.includes(m[1]!)) throw invalidArgument(`Dockerfile parse error line ${node.startLine}: unknown flag: ${m?.[1] ?? f}`);
    out.set(m[1]!, m[2] ?? 'true');
  }
  return out;
}

export function flagValues(node: Node, name: string): string[] {
  const out: string[] = [];
  for (const f of node.flags) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(f);
    if (m && m[1] === name) out.push(m[2] ?? '');
  }
  return out;
}

export function expandPorts(spec: string): string[] {
  const m = /^(?:([0-9.]+):)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw invalidArgument(`Invalid containerPort: ${spec}`);
  const lo = Number(m[2]);
  const hi = m[3] ? Number(m[3]) : lo;
  const proto = (m[4] ?? 'tcp').toLowerCase();
  if (hi < lo || hi > 65535) throw invalidArgument(`Invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

export function goList(list: readonly string[]): string {
  return '[' + list.map((s) => JSON.stringify(s)).join(' ') + ']';
}
