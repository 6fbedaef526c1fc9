/**
 * The parse tree, shaped like Go's text/template/parse nodes. `nodeString`
 * renders a node the way Go's String() methods do, because execution errors
 * quote it: `executing "" at <index .Args 5>: …`.
 */
import { goQuote } from './go-fmt.js';

export interface NodeBase {
  /** Offset of the node in the template text (UTF-16 units). */
  pos: number;
}

export interface TextNode extends NodeBase { type: 'text'; text: string }
export interface FieldNode extends NodeBase { type: 'field'; idents: string[] }
export interface VariableNode extends NodeBase { type: 'variable'; idents: string[] }
export interface IdentifierNode extends NodeBase { type: 'identifier'; name: string }
export interface DotNode extends NodeBase { type: 'dot' }
export interface NilNode extends NodeBase { type: 'nil' }
export interface BoolNode extends NodeBase { type: 'bool'; value: boolean }
export interface StringNode extends NodeBase { type: 'string'; quoted: string; text: string }
export interface NumberNode extends NodeBase {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  float: number;
  isRune: boolean;
}
export interface ChainNode extends NodeBase { type: 'chain'; node: ArgNode; fields: string[] }
export interface PipeNode extends NodeBase {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends NodeBase { type: 'command'; args: ArgNode[] }

export type ArgNode =
  | FieldNode
  | VariableNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | StringNode
  | NumberNode
  | ChainNode
  | PipeNode;

export interface ActionNode extends NodeBase { type: 'action'; pipe: PipeNode }
export interface BranchNode extends NodeBase {
  type: 'if' | 'with' | 'range';
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends NodeBase { type: 'template'; name: string; pipe: PipeNode | null }
export interface BreakNode extends NodeBase { type: 'break' | 'continue' }
export interface ListNode extends NodeBase { type: 'list'; nodes: Node[] }

export type Node = TextNode | ActionNode | BranchNode | TemplateNode | BreakNode | ListNode;

/** Go's String() of a node, as quoted in execution errors. */
export function nodeString(n: ArgNode | CommandNode | Node): string {
  switch (n.type) {
    case 'text':
      return goQuote(n.text);
    case 'field':
      return '.' + n.idents.join('.');
    case 'variable':
      return n.idents.join('.');
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
    case 'chain': {
      const inner = n.node.type === 'pipe' ? '(' + nodeString(n.node) + ')' : nodeString(n.node);
      return inner + '.' + n.fields.join('.');
    }
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map((d) => nodeString(d)).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map((c) => nodeString(c)).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? '(' + nodeString(a) + ')' : nodeString(a))).join(' ');
    case 'action':
      return '{{' + nodeString(n.pipe) + '}}';
    case 'if':
    case 'with':
    case 'range': {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += '{{else}}' + nodeString(n.elseList);
      return s + '{{end}}';
    }
    case 'template':
      return `{{template ${goQuote(n.name)}${n.pipe ? ' ' + nodeString(n.pipe) : ''}}}`;
    case 'break':
    case 'continue':
      return `{{${n.type}}}`;
    case 'list':
      return n.nodes.map((c) => nodeString(c)).join('');
  }
}
