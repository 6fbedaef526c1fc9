import { invalidArgument } from '../errdefs/index.js';
import type { Node, ParseResult } from './parser/node.js';

/**
 * A parsed Dockerfile cut into what the builder dispatches: the ARGs before the first FROM (meta args,
 * visible to FROM lines) and the stages, each a FROM and its instructions. Every instruction is checked
 * here, before anything runs, as the classic builder does.
 */
export interface Stage {
  index: number;
  /** `AS name`, lower case */
  name?: string;
  from: Node;
  commands: Node[];
}

export interface Plan {
  metaArgs: Node[];
  stages: Stage[];
}

export const INSTRUCTIONS = new Set(['add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer', 'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir']);

export class DockerfileError extends Error {
  readonly kind = 'InvalidArgument' as const;
}

export function lineError(node: Node, message: string): DockerfileError {
  return new DockerfileError(`Dockerfile parse error line ${node.startLine}: ${message}`);
}

export function checkInstruction(node: Node, inOnbuild = false): void {
  if (!INSTRUCTIONS.has(node.value)) throw lineError(node, `unknown instruction: ${node.value.toUpperCase()}`);
  const n = node.args.length;
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw lineError(node, msg);
  };
  switch (node.value) {
    case 'from':
      need(n === 1 || (n === 3 && node.args[1]!.toLowerCase() === 'as'), 'FROM requires either one or three arguments');
      if (n === 3) need(/^[a-z][a-z0-9-_.]*$/.test(node.args[2]!.toLowerCase()), `invalid name for build stage: "${node.args[2]}", name can't start with a number or contain symbols`);
      break;
    case 'copy':
    case 'add':
      need(n >= 2 || (n >= 1 && node.heredocs.length > 0), `${node.value.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      break;
    case 'run':
    case 'expose':
    case 'volume':
    case 'user':
    case 'workdir':
    case 'stopsignal':
    case 'maintainer':
    case 'arg':
    case 'shell':
    case 'label':
    case 'env':
      need(n > 0, `${node.value.toUpperCase()} requires at least one argument`);
      break;
    case 'shell':
      break;
    case 'healthcheck':
      need(n > 0, 'HEALTHCHECK requires an argument');
      break;
    case 'onbuild':
      need(!!node.sub, 'ONBUILD requires at least one argument');
      if (inOnbuild) throw lineError(node, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (node.sub!.value === 'from' || node.sub!.value === 'maintainer') throw lineError(node, `${node.sub!.value.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      checkInstruction(node.sub!, true);
      break;
  }
  if (node.value === 'shell') need(node.json, 'SHELL requires the arguments to be in JSON form');
}

export function planStages(ast: ParseResult): Plan {
  const metaArgs: Node[] = [];
  const stages: Stage[] = [];
  for (const node of ast.children) {
    checkInstruction(node);
    if (node.value === 'from') {
      const name = node.args.length === 3 ? node.args[2]!.toLowerCase() : undefined;
      if (name && stages.some((s) => s.name === name)) throw lineError(node, `duplicate stage name "${name}"`);
      stages.push({ index: stages.length, ...(name ? { name } : {}), from: node, commands: [] });
    } else if (stages.length === 0) {
      if (node.value !== 'arg') throw invalidArgument('failed to parse Dockerfile: no build stage in current context');
      metaArgs.push(node);
    } else stages[stages.length - 1]!.commands.push(node);
  }
  if (stages.length === 0) throw invalidArgument('failed to parse Dockerfile: no build stage in current context');
  return { metaArgs, stages };
}

/**
 * BuildKit's rule rather than the classic builder's: only the target stage (the last one given) and the
 * stages it needs — as its base, through COPY --from or RUN --mount from=, transitively — are built; the
 * others are skipped. `expandFrom` substitutes the meta args in a FROM line, as the build will. A --from
 * that names a stage through a variable is only known while the stage runs: then every earlier stage counts
 * as needed.
 */
export function neededStages(stages: Stage[], expandFrom: (word: string) => string): Stage[] {
  const byRef = new Map<string, Stage>();
  for (const s of stages) {
    byRef.set(String(s.index), s);
    if (s.name) byRef.set(s.name, s);
  }
  const needed = new Set<Stage>();
  const visit = (s: Stage) => {
    if (needed.has(s)) return;
    needed.add(s);
    let base = s.from.args[0] ?? '';
    try {
      base = expandFrom(base);
    } catch {
      /* the build reports it */
    }
    const b = byRef.get(base.toLowerCase());
    if (b && b.index < s.index && !/^\d+$/.test(base)) visit(b);
    for (const c of s.commands) {
      for (const ref of fromRefs(c)) {
        if (ref.includes('$')) {
          for (const e of stages) if (e.index < s.index) visit(e);
          continue;
        }
        const dep = byRef.get(ref.toLowerCase());
        if (dep && dep.index < s.index) visit(dep);
      }
    }
  };
  visit(stages[stages.length - 1]!);
  return stages.filter((s) => needed.has(s));
}

/** The stage/image references of an instruction's flags: COPY --from=x, RUN --mount=…,from=x. */
function fromRefs(node: Node): string[] {
  const out: string[] = [];
  for (const f of node.flags) {
    let m = /^--from=(.*)$/s.exec(f);
    if (m) out.push(m[1]!);
    m = /^--mount=(.*)$/s.exec(f);
    if (m) {
      for (const part of m[1]!.split(',')) {
        const kv = /^\s*"?from=(.*?)"?\s*$/i.exec(part);
        if (kv) out.push(kv[1]!);
      }
    }
  }
  return out;
}
