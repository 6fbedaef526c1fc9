/**
 * A parsed Go text/template with the docker CLI's functions, as
 * `templates.Parse(format)` gives the docker CLI.
 *
 * Lifecycle: parseTemplate() lexes and parses once (syntax errors, unknown
 * functions and undefined variables throw here); execute() can then run any
 * number of times against different data, optionally overriding functions
 * (as the CLI swaps in header functions to print a table's header row).
 */
import { builtinFunctions } from './builtins.js';
import { dockerFunctions } from './docker-functions.js';
import type { FuncMap, GoFunc } from './functions.js';
import { State } from './exec.js';
import type { ListNode } from './nodes.js';
import { parseTrees } from './parser.js';
import { GoFloat, MISSING } from './values.js';

export interface ParseOptions {
  /** The template's name; docker uses "" (hence `template: :1: …`). */
  name?: string;
  /** Functions beyond Go's builtins and docker's. */
  funcs?: FuncMap;
}

export interface ExecuteOptions {
  /** Functions that replace same-named ones for this execution only. */
  funcs?: FuncMap;
}

const BUILTINS = builtinFunctions();
const BUILTIN_SET = new Set<GoFunc>(BUILTINS.values());
const DOCKER = dockerFunctions();

function wrap(f: FuncMap[string]): GoFunc {
  const call = f as (...a: unknown[]) => unknown;
  return {
    params: [],
    variadic: 'any',
    call: (...args: unknown[]) => call(...args.map((a) => (a instanceof GoFloat ? a.value : a))),
  };
}

function withFuncs(base: ReadonlyMap<string, GoFunc>, extra: FuncMap | undefined): Map<string, GoFunc> {
  const m = new Map(base);
  for (const [k, f] of Object.entries(extra ?? {})) m.set(k, wrap(f));
  return m;
}

export class Template {
  readonly name: string;
  private readonly text: string;
  private readonly trees: ReadonlyMap<string, ListNode>;
  private readonly funcs: ReadonlyMap<string, GoFunc>;

  /** Use parseTemplate(). */
  constructor(text: string, options: ParseOptions = {}) {
    this.name = options.name ?? '';
    this.text = text;
    const base = new Map<string, GoFunc>([...BUILTINS, ...DOCKER]);
    this.funcs = withFuncs(base, options.funcs);
    this.trees = parseTrees(this.name, text, (f) => this.funcs.has(f)).trees;
  }

  /** Names of the templates defined with {{define}} or {{block}}, sorted. */
  definedTemplates(): string[] {
    return [...this.trees.keys()].filter((k) => k !== this.name).sort();
  }

  /** Runs the template against data; throws TemplateError on failure. */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    const funcs = options.funcs ? withFuncs(this.funcs, options.funcs) : this.funcs;
    const root = this.trees.get(this.name) as ListNode;
    const dot = data === null || data === undefined ? MISSING : data;
    const state = new State(
      { parseName: this.name, text: this.text, trees: this.trees, funcs, isBuiltin: (f) => BUILTIN_SET.has(f) },
      this.name,
      dot,
    );
    return state.run(root, dot);
  }
}

/** Parses a Go template; throws TemplateError (`template: :1: …`) on bad syntax. */
export function parseTemplate(text: string, options?: ParseOptions): Template {
  return new Template(text, options);
}

/** parseTemplate(text).execute(data). */
export function renderTemplate(text: string, data: unknown, options?: ParseOptions): string {
  return parseTemplate(text, options).execute(data);
}
