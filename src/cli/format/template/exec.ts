/**
 * Executes parse trees against data, following Go's text/template/exec.
 *
 * Lifecycle of one execution: a fresh State holds the output, the variable
 * stack (`$` first), the template being run and the node being evaluated (for
 * error positions). Variables declared inside if/with/range disappear at its
 * {{end}}; `{{template}}` starts a new stack holding only `$`.
 */
import type { GoFunc, ParamKind } from './functions.js';
import { goKindName } from './functions.js';
import { formatValue, goQuote } from './go-fmt.js';
import type {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './nodes.js';
import { nodeString } from './nodes.js';
import { TemplateError } from './template-error.js';
import {
  GoFloat,
  MISSING,
  goTypeName,
  isGoMap,
  isGoSlice,
  isGoStruct,
  isInt,
  isTrue,
  mapGet,
  sortedEntries,
} from './values.js';

/** No pipeline value is being passed on (Go's missingVal). */
const NO_FINAL: unique symbol = Symbol('no final');
type Final = unknown;

const MAX_EXEC_DEPTH = 10000;

class BreakSignal {}
class ContinueSignal {}

export interface ExecContext {
  /** The name the text was parsed under (Go's ParseName); "" for docker. */
  parseName: string;
  text: string;
  trees: ReadonlyMap<string, ListNode>;
  funcs: ReadonlyMap<string, GoFunc>;
  /** Whether a function is one of Go's builtins (and/or are special). */
  isBuiltin: (f: GoFunc) => boolean;
}

interface Variable {
  name: string;
  value: unknown;
}

function toIntValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

/** Finds a struct member: a method (on the prototype) or a field. */
function structMember(recv: object, name: string): { kind: 'method'; fn: unknown } | { kind: 'field'; value: unknown } | undefined {
  if (Object.prototype.hasOwnProperty.call(recv, name)) {
    return { kind: 'field', value: (recv as Record<string, unknown>)[name] };
  }
  for (let p: unknown = Object.getPrototypeOf(recv); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (!d) continue;
    if (d.get) return { kind: 'field', value: (recv as Record<string, unknown>)[name] };
    if (typeof d.value === 'function') return { kind: 'method', fn: d.value };
    return { kind: 'field', value: d.value };
  }
  return undefined;
}

export class State {
  private out = '';
  private vars: Variable[];
  private node: ArgNode | CommandNode | Node | null = null;
  private depth = 0;

  constructor(
    private readonly ctx: ExecContext,
    private tmplName: string,
    dot: unknown,
  ) {
    this.vars = [{ name: '$', value: dot }];
  }

  run(root: ListNode, dot: unknown): string {
    try {
      this.walk(dot, root);
    } catch (e) {
      if (e instanceof RangeError) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      throw e;
    }
    return this.out;
  }

  // Errors.

  private at(n: ArgNode | CommandNode | Node): void {
    this.node = n;
  }

  private errorf(msg: string): never {
    const name = goQuote(this.tmplName);
    if (this.node === null) throw new TemplateError('exec', `template: ${this.tmplName}: ${msg}`);
    const before = this.ctx.text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const line = before.split('\n').length;
    const col = Buffer.byteLength(before.slice(nl + 1));
    let context = nodeString(this.node);
    if ([...context].length > 20) context = [...context].slice(0, 20).join('') + '...';
    throw new TemplateError(
      'exec',
      `template: ${this.ctx.parseName}:${line}:${col}: executing ${name} at <${context}>: ${msg}`,
    );
  }

  // Variables.

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    const v = this.vars[this.vars.length - n];
    if (v) v.value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  // Walking the tree.

  private walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    this.at(node);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const decl = node.pipe.decl;
      const oneIteration = (key: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (node.pipe.isAssign) {
            this.setVar((decl[0] as VariableNode).idents[0] as string, decl.length > 1 ? key : elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar((decl[1] as VariableNode).idents[0] as string, elem);
          else this.setTopVar(2, key);
        }
        try {
          this.walk(elem, node.list);
        } catch (e) {
          if (e instanceof BreakSignal) return false;
          if (!(e instanceof ContinueSignal)) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      if (isGoSlice(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          const e: unknown = val[i];
          if (!oneIteration(i, e === undefined ? null : e)) break;
        }
      } else if (isGoMap(val)) {
        for (const [k, v] of sortedEntries(val)) {
          ran = true;
          if (!oneIteration(k, v === undefined ? null : v)) break;
        }
      } else if (isInt(val)) {
        if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        const n = Number(val);
        for (let i = 0; i < n; i++) {
          ran = true;
          if (!oneIteration(i, i)) break;
        }
      } else if (val !== MISSING && val !== null && val !== undefined) {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, node: TemplateNode): void {
    this.at(node);
    const tree = this.ctx.trees.get(node.name);
    if (tree === undefined) this.errorf(`template ${goQuote(node.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = this.evalPipeline(dot, node.pipe);
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = node.name;
    this.depth++;
    try {
      this.walk(newDot, tree as ListNode);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  // Evaluation.

  private evalPipeline(dot: unknown, pipe: PipeNode | null): unknown {
    if (pipe === null) return MISSING;
    this.at(pipe);
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} result is no value at all (Go digs into interfaces here).
      if (value === null || value === undefined) value = MISSING;
    }
    for (const v of pipe.decl) {
      const name = v.idents[0] as string;
      if (pipe.isAssign) this.setVar(name, value);
      else this.push(name, value);
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    if (n.isFloat && !isHexInt(n.text) && !n.isRune && /[.eEpP]/.test(n.text)) return new GoFloat(n.float);
    if (n.isInt) return toIntValue(n.int);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return new GoFloat(n.float);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.idents, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.idents[0] as string);
    if (v.idents.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: ArgNode,
    idents: readonly string[],
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const n = idents.length;
    let recv = receiver;
    for (let i = 0; i < n - 1; i++) recv = this.evalField(dot, idents[i] as string, node, null, NO_FINAL, recv);
    return this.evalField(dot, idents[n - 1] as string, node, args, final, recv);
  }

  private evalField(
    dot: unknown,
    fieldName: string,
    node: ArgNode,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === MISSING) return MISSING;
    if (receiver === null || receiver === undefined) {
      return this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== NO_FINAL;
    if (isGoMap(receiver)) {
      const v = mapGet(receiver, fieldName);
      if (typeof v === 'function') return this.callMethod(dot, receiver, v, node, fieldName, args, final);
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return v;
    }
    if (isGoStruct(receiver) && !(receiver instanceof GoFloat)) {
      const m = structMember(receiver, fieldName);
      if (m?.kind === 'method') return this.callMethod(dot, receiver, m.fn, node, fieldName, args, final);
      if (m?.kind === 'field' && typeof m.value === 'function') {
        return this.callMethod(dot, receiver, m.value, node, fieldName, args, final);
      }
      if (m?.kind === 'field') {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return m.value === undefined ? null : m.value;
      }
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
  }

  private callMethod(
    dot: unknown,
    receiver: object,
    method: unknown,
    node: ArgNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const bound = (...a: unknown[]): unknown => (method as (...x: unknown[]) => unknown).apply(receiver, a);
    const fn: GoFunc = { params: [], variadic: 'any', call: bound };
    return this.evalCall(dot, fn, node, name, args, final);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    this.at(node);
    const fn = this.ctx.funcs.get(node.name);
    if (fn === undefined) return this.errorf(`${goQuote(node.name)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, node.name, args, final);
  }

  private evalCall(
    dot: unknown,
    fn: GoFunc,
    node: ArgNode | CommandNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    const numFixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
      }
    } else if (numIn !== numFixed) {
      this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (fn.shortCircuit && this.ctx.isBuiltin(fn)) {
      let v: unknown = MISSING;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v) === (fn.shortCircuit === 'or')) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    const kindAt = (i: number): ParamKind => fn.params[i] ?? fn.variadic ?? 'any';
    const argv = argNodes.map((a, i) => this.evalArg(dot, kindAt(i), a));
    if (final !== NO_FINAL) argv.push(this.validateType(final, kindAt(numIn - 1)));
    let result: unknown;
    try {
      result = fn.call(...argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return result === undefined ? null : result;
  }

  private validateType(value: unknown, kind: ParamKind | null): unknown {
    if (value === MISSING) {
      switch (kind) {
        case null:
        case 'value':
          return MISSING;
        case 'any':
        case 'stringSlice':
          return null;
        default:
          return this.errorf(`invalid value; expected ${goKindName(kind)}`);
      }
    }
    if (kind === null || kind === 'value') return value;
    if (kind === 'any') return value instanceof GoFloat ? value : value === undefined ? null : value;
    const wrong = (): never =>
      this.errorf(
        `wrong type for value; expected ${goKindName(kind)}; got ${value === null || value === undefined ? 'interface {}' : goTypeName(value)}`,
      );
    switch (kind) {
      case 'string':
        return typeof value === 'string' ? value : wrong();
      case 'bool':
        return typeof value === 'boolean' ? value : wrong();
      case 'int':
        return isInt(value) ? Number(value) : wrong();
      case 'stringSlice':
        return Array.isArray(value) || value === null ? value : wrong();
    }
  }

  private evalArg(dot: unknown, kind: ParamKind | null, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, kind);
      case 'nil':
        if (kind === null || kind === 'value' || kind === 'any' || kind === 'stringSlice') return kind === 'value' ? MISSING : null;
        return this.errorf(`cannot assign nil to ${goKindName(kind)}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), kind);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, NO_FINAL), kind);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), kind);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, NO_FINAL), kind);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, NO_FINAL), kind);
    }
    switch (kind) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return Number(n.int);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'stringSlice':
        return this.errorf(`can't handle ${nodeString(n)} for arg of type []string`);
    }
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === MISSING) {
      this.out += '<no value>';
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type ${goTypeName(v)}`);
    this.out += formatValue(v);
  }
}
