/**
 * The Dockerfile AST as BuildKit's parser makes it: one Node per instruction, its args raw (no quote
 * removal, no substitution), flags as written, ONBUILD's instruction nested, heredoc bodies attached.
 */
export interface Heredoc {
  name: string;
  content: string;
  /** false when the name was quoted (`<<"EOF"`): the body is taken literally */
  expand: boolean;
  /** `<<-`: leading tabs stripped */
  chomp: boolean;
  fileDescriptor: number;
}

export interface Node {
  /** the instruction keyword, lower case */
  value: string;
  /** the instruction as written, continuation lines joined */
  original: string;
  flags: string[];
  args: string[];
  /** ONBUILD's nested instruction */
  sub?: Node;
  /** the args came from a JSON array */
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface ParseResult {
  children: Node[];
  escapeToken: '\\' | '`';
  /** `# syntax=` when given */
  syntax?: string;
  warnings: string[];
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\t': out += '\\t'; continue;
      case '\r': out += '\\r'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\x07': out += '\\a'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0x80 && cp <= 0x9f) out += '\\u' + cp.toString(16).padStart(4, '0');
    else if (cp === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (cp > 0xffff) out += '\\U' + cp.toString(16).padStart(8, '0');
    else out += '\\u' + cp.toString(16).padStart(4, '0');
  }
  return out + '"';
}

/** BuildKit's Node.Dump(), the form its parser corpus is written in. */
export function dumpNode(node: Node): string {
  let str = node.value.toLowerCase();
  if (node.flags.length) str += ' [' + node.flags.map(goQuote).join(' ') + ']';
  if (node.sub) str += ' (' + dumpNode(node.sub) + ')';
  for (const a of node.args) str += ' ' + goQuote(a);
  return str.trim();
}

export function dump(result: ParseResult): string {
  return result.children.map((c) => `(${dumpNode(c)})\n`).join('');
}
