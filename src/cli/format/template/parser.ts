/**
 * Builds parse trees from tokens, following Go's text/template/parse: one
 * tree for the template itself and one per `{{define}}` / `{{block}}`.
 * Functions and variables are checked here, as Go does, so
 * `{{foo}}` fails with `function "foo" not defined` before anything runs.
 */
import { goQuote } from './go-fmt.js';
import { goUnquote, parseGoFloat, parseGoInt } from './go-literals.js';
import { lex, type Token } from './lexer.js';
import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './nodes.js';
import { TemplateError } from './template-error.js';

export interface ParsedTemplates {
  /** Every tree by name; the template's own body is under its name. */
  trees: Map<string, ListNode>;
}

/** What ends an item list: {{end}} or {{else}} (with `if`/`with` perhaps pending). */
interface Terminator {
  type: 'end' | 'else';
  pos: number;
  line: number;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

/** Go's item.String(), as quoted in `unexpected … in …`. */
function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (t.type === 'keyword' || t.type === 'nil' || t.type === 'dot') return `<${t.val}>`;
  const runes = [...t.val];
  if (runes.length > 10) return goQuote(runes.slice(0, 10).join('')) + '...';
  return goQuote(t.val);
}

export function parseTrees(name: string, text: string, hasFunction: (name: string) => boolean): ParsedTemplates {
  const tokens = lex(text);
  let i = 0;
  let last: Token = tokens[0] ?? { type: 'eof', val: '', pos: 0, line: 1 };
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let actionLine = 0;
  const trees = new Map<string, ListNode>();

  const errorf = (msg: string, line = last.line): never => {
    throw new TemplateError('parse', `template: ${name}:${line}: ${msg}`);
  };
  const checkError = (t: Token): Token => {
    if (t.type === 'error') {
      last = t;
      let extra = '';
      if (actionLine !== 0 && actionLine !== t.line) {
        extra = ` in action started at ${name}:${actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      errorf(t.val + extra);
    }
    return t;
  };
  const next = (): Token => {
    const t = tokens[Math.min(i, tokens.length - 1)] as Token;
    if (i < tokens.length) i++;
    last = t;
    return checkError(t);
  };
  const backup = (): void => {
    i--;
  };
  const peek = (): Token => checkError(tokens[Math.min(i, tokens.length - 1)] as Token);
  const nextNonSpace = (): Token => {
    let t = next();
    while (t.type === 'space') t = next();
    return t;
  };
  const peekNonSpace = (): Token => {
    const t = nextNonSpace();
    backup();
    return t;
  };
  const unexpected = (t: Token, context: string): never => errorf(`unexpected ${tokenString(t)} in ${context}`);
  const expect = (type: Token['type'], context: string): Token => {
    const t = nextNonSpace();
    if (t.type !== type) unexpected(t, context);
    return t;
  };

  const add = (treeName: string, list: ListNode): void => {
    const existing = trees.get(treeName);
    if (existing === undefined || isEmptyTree(existing)) {
      trees.set(treeName, list);
      return;
    }
    if (!isEmptyTree(list)) errorf(`template: multiple definition of template ${goQuote(treeName)}`);
  };

  const parseTemplateName = (t: Token, context: string): string => {
    if (t.type === 'string' || t.type === 'rawString') {
      const s = goUnquote(t.val);
      if (s === undefined) errorf('invalid syntax');
      return s as string;
    }
    return unexpected(t, context);
  };

  const newNumber = (t: Token): NumberNode => {
    const n: NumberNode = {
      type: 'number', pos: t.pos, text: t.val,
      isInt: false, isUint: false, isFloat: false, int: 0n, float: 0, isRune: false,
    };
    if (t.type === 'charConstant') {
      const s = goUnquote(t.val);
      if (s === undefined) return errorf(`malformed character constant: ${t.val}`);
      const cp = s.codePointAt(0) ?? 0;
      return { ...n, isInt: true, isUint: true, isFloat: true, int: BigInt(cp), float: cp, isRune: true };
    }
    if (t.val.endsWith('i')) errorf(`illegal number syntax: ${goQuote(t.val)}`);
    const iv = parseGoInt(t.val);
    if (iv !== undefined) {
      if (iv >= INT64_MIN && iv <= INT64_MAX) {
        n.isInt = true;
        n.int = iv;
      }
      if (iv >= 0n && iv <= UINT64_MAX && !t.val.startsWith('+')) {
        n.isUint = true;
        n.int = iv;
      }
    }
    if (n.isInt || n.isUint) {
      n.isFloat = true;
      n.float = Number(n.int);
    } else {
      const f = parseGoFloat(t.val);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(t.val)) errorf(`integer overflow: ${goQuote(t.val)}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f)) {
          const b = BigInt(f);
          if (b >= INT64_MIN && b <= INT64_MAX) {
            n.isInt = true;
            n.int = b;
          }
          if (b >= 0n && b <= UINT64_MAX) n.isUint = true;
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) errorf(`illegal number syntax: ${goQuote(t.val)}`);
    return n;
  };

  const useVar = (t: Token): VariableNode => {
    if (!vars.includes(t.val)) errorf(`undefined variable ${goQuote(t.val)}`);
    return { type: 'variable', pos: t.pos, idents: [t.val] };
  };

  const term = (): ArgNode | null => {
    const t = nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!hasFunction(t.val)) errorf(`function ${goQuote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        return useVar(t);
      case 'field':
        return { type: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'number':
        return newNumber(t);
      case 'leftParen':
        return pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString': {
        const s = goUnquote(t.val);
        if (s === undefined) errorf('invalid syntax');
        return { type: 'string', pos: t.pos, quoted: t.val, text: s as string };
      }
    }
    backup();
    return null;
  };

  const operand = (): ArgNode | null => {
    const node = term();
    if (node === null) return null;
    if (peek().type !== 'field') return node;
    const fields: string[] = [];
    const pos = peek().pos;
    while (peek().type === 'field') fields.push(next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot': {
        const s = node.type === 'string' ? node.quoted : node.type === 'number' ? node.text : node.type === 'bool' ? String(node.value) : node.type === 'nil' ? 'nil' : '.';
        return errorf(`unexpected . after term ${goQuote(s)}`);
      }
    }
    return { type: 'chain', pos, node, fields };
  };

  const command = (): CommandNode => {
    const cmd: CommandNode = { type: 'command', pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const op = operand();
      if (op !== null) cmd.args.push(op);
      const t = next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') backup();
      else if (t.type !== 'pipe') unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) errorf('empty command');
    return cmd;
  };

  function pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      if (peekNonSpace().type !== 'variable') break;
      const save = i;
      const v = next();
      const after = peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        nextNonSpace();
        pipe.isAssign = after.type === 'assign';
        pipe.decl.push({ type: 'variable', pos: v.pos, idents: [v.val] });
        vars.push(v.val);
        break;
      }
      if (after.type === 'char' && after.val === ',') {
        nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, idents: [v.val] });
        vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue decls;
          errorf('range can only initialize variables');
        }
        errorf(`too many declarations in ${context}`);
      }
      i = save;
      break;
    }
    for (;;) {
      const t = nextNonSpace();
      if (t.type === end) {
        if (pipe.cmds.length === 0) errorf(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, k) => {
          const a = c.args[0]?.type;
          if (a === 'bool' || a === 'dot' || a === 'nil' || a === 'number' || a === 'string') {
            errorf(`non executable command in pipeline stage ${k + 2}`);
          }
        });
        return pipe;
      }
      switch (t.type) {
        case 'bool': case 'charConstant': case 'dot': case 'field': case 'identifier': case 'number':
        case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          backup();
          pipe.cmds.push(command());
          continue;
      }
      unexpected(t, context);
    }
  }

  const itemList = (): [ListNode, Terminator] => {
    const list: ListNode = { type: 'list', pos: peek().pos, nodes: [] };
    while (peekNonSpace().type !== 'eof') {
      const n = textOrAction();
      if ('line' in n && (n.type === 'end' || n.type === 'else')) return [list, n];
      list.nodes.push(n as Node);
    }
    return errorf('unexpected EOF');
  };

  const control = (context: 'if' | 'with' | 'range', pos: number): BranchNode => {
    const mark = vars.length;
    const pipe = pipeline(context, 'rightDelim');
    if (context === 'range') rangeDepth++;
    const [list, nextNode] = itemList();
    if (context === 'range') rangeDepth--;
    let elseList: ListNode | null = null;
    if (nextNode.type === 'else') {
      const p = peekNonSpace();
      if ((context === 'if' && p.type === 'keyword' && p.val === 'if') || (context === 'with' && p.type === 'keyword' && p.val === 'with')) {
        const t = next();
        elseList = { type: 'list', pos: nextNode.pos, nodes: [control(context, t.pos)] };
      } else {
        const [els, endNode] = itemList();
        if (endNode.type !== 'end') errorf(`expected end; found {{${endNode.type}}}`);
        elseList = els;
      }
    }
    vars = vars.slice(0, mark);
    return { type: context, pos, pipe, list, elseList };
  };

  function action(): Node | Terminator {
    const t = nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'block': {
          const context = 'block clause';
          const nt = nextNonSpace();
          const blockName = parseTemplateName(nt, context);
          const pipe = pipeline(context, 'rightDelim');
          const [savedVars, savedDepth] = [vars, rangeDepth];
          vars = ['$'];
          rangeDepth = 0;
          const [list, end] = itemList();
          if (end.type !== 'end') errorf(`unexpected {{${end.type}}} in ${context}`);
          vars = savedVars;
          rangeDepth = savedDepth;
          add(blockName, list);
          return { type: 'template', pos: nt.pos, name: blockName, pipe } satisfies TemplateNode;
        }
        case 'break':
        case 'continue': {
          const e = nextNonSpace();
          if (e.type !== 'rightDelim') unexpected(e, `{{${t.val}}}`);
          if (rangeDepth === 0) errorf(`{{${t.val}}} outside {{range}}`);
          return { type: t.val, pos: t.pos };
        }
        case 'else': {
          const p = peekNonSpace();
          if (p.type === 'keyword' && (p.val === 'if' || p.val === 'with')) return { type: 'else', pos: p.pos, line: p.line };
          const e = expect('rightDelim', 'else');
          return { type: 'else', pos: e.pos, line: e.line };
        }
        case 'end': {
          const e = expect('rightDelim', 'end');
          return { type: 'end', pos: e.pos, line: e.line };
        }
        case 'if':
        case 'range':
        case 'with':
          return control(t.val, t.pos);
        case 'template': {
          const context = 'template clause';
          const nt = nextNonSpace();
          const tmplName = parseTemplateName(nt, context);
          let pipe: PipeNode | null = null;
          if (nextNonSpace().type !== 'rightDelim') {
            backup();
            pipe = pipeline(context, 'rightDelim');
          }
          return { type: 'template', pos: nt.pos, name: tmplName, pipe };
        }
      }
    }
    backup();
    const pipe = pipeline('command', 'rightDelim');
    return { type: 'action', pos: pipe.pos, pipe };
  }

  function textOrAction(): Node | Terminator {
    const t = nextNonSpace();
    if (t.type === 'text') return { type: 'text', pos: t.pos, text: t.val };
    if (t.type === 'leftDelim') {
      actionLine = t.line;
      try {
        return action();
      } finally {
        actionLine = 0;
      }
    }
    return unexpected(t, 'input');
  }

  // The top level: text, actions and definitions.
  const root: ListNode = { type: 'list', pos: 0, nodes: [] };
  while (peek().type !== 'eof') {
    if (peek().type === 'leftDelim') {
      const save = i;
      const delim = next();
      const kw = nextNonSpace();
      if (kw.type === 'keyword' && kw.val === 'define') {
        actionLine = delim.line;
        const context = 'define clause';
        const defName = parseTemplateName(nextNonSpace(), context);
        expect('rightDelim', context);
        actionLine = 0;
        vars = ['$'];
        const [list, end] = itemList();
        if (end.type !== 'end') errorf(`unexpected {{${end.type}}} in ${context}`);
        add(defName, list);
        continue;
      }
      i = save;
    }
    const n = textOrAction();
    if ('line' in n && (n.type === 'end' || n.type === 'else')) errorf(`unexpected {{${n.type}}}`);
    root.nodes.push(n as Node);
  }
  add(name, root);
  return { trees };
}
