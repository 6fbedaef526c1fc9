import type { Heredoc, Node, ParseResult } from './node.js';
import { ShellLex } from './shell-lex.js';

/**
 * The Dockerfile parser (BuildKit's frontend/dockerfile/parser, pure, no I/O): parser directives at the
 * top (`# escape=`, `# syntax=`, `# check=`), comments, line continuations with the escape token, the
 * per-instruction argument forms (JSON or shell, whitespace lists, name=value pairs, ONBUILD nesting),
 * leading `--flags`, and heredoc bodies for RUN/COPY/ADD. Args are kept raw: substitution and quote
 * removal happen when instructions are built (instructions.ts).
 */
export class DockerfileParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const RE_DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const VALID_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const RE_WHITESPACE = /[\t\v\f\r ]+/;
const HEREDOC_INSTRUCTIONS = new Set(['run', 'copy', 'add']);

class Directives {
  escape: '\\' | '`' = '\\';
  syntax?: string;
  private done = false;
  private readonly seen = new Set<string>();

  possible(line: string, lineNo: number): void {
    if (this.done) return;
    const m = RE_DIRECTIVE.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !VALID_DIRECTIVES.has(key)) {
      this.done = true;
      return;
    }
    if (this.seen.has(key)) throw new DockerfileParseError(`only one ${key} parser directive can be used`, lineNo);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw new DockerfileParseError(`invalid escape token '${value}' does not match \` or \\`, lineNo);
      this.escape = value;
    } else if (key === 'syntax') this.syntax = value;
  }

  /** The line without its continuation token, and whether the instruction ends here. */
  trimContinuation(line: string): { line: string; end: boolean } {
    const e = this.escape === '\\' ? '\\\\' : '`';
    const re = new RegExp(`(^|[^${e}])${e}[ \\t]*$`);
    const m = re.exec(line);
    if (!m) return { line, end: true };
    return { line: line.slice(0, m.index) + m[1], end: false };
  }
}

const trimLeadingWhitespace = (s: string) => s.replace(/^[ \t]+/, '');
const trimNewline = (s: string) => s.replace(/\r?\n$/, '');
const isComment = (s: string) => /^#/.test(trimLeadingWhitespace(trimNewline(s)));

/** Splits text into lines keeping their newlines (bufio.Scanner with BuildKit's scanLines). */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = text.indexOf('\n', start);
    if (i < 0) {
      if (start < text.length) out.push(text.slice(start));
      return out;
    }
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
}

export function parseDockerfile(text: string): ParseResult {
  const d = new Directives();
  const lines = splitLines(text.replace(/^\ufeff/, ''));
  const children: Node[] = [];
  const warnings: string[] = [];
  let i = 0;
  let current = 0;
  const processLine = (raw: string, stripLeft: boolean): string => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeadingWhitespace(token);
    d.possible(token, current + 1);
    return isComment(token) ? '' : token;
  };
  while (i < lines.length) {
    const raw = lines[i++]!;
    const bytes = processLine(raw, true);
    current++;
    const startLine = current;
    let { line, end } = d.trimContinuation(bytes);
    if (end && line === '') continue;
    let emptyContinuation = false;
    while (!end && i < lines.length) {
      const next = lines[i++]!;
      const b = processLine(next, false);
      current++;
      if (isComment(next)) continue;
      if (trimLeadingWhitespace(b) === '') {
        emptyContinuation = true;
        continue;
      }
      const t = d.trimContinuation(b);
      line += t.line;
      end = t.end;
    }
    if (emptyContinuation) warnings.push(`[WARNING]: Empty continuation line found in: ${line}`);
    let child: Node;
    try {
      child = nodeFromLine(line, d.escape);
    } catch (err) {
      throw new DockerfileParseError((err as Error).message, startLine);
    }
    if (HEREDOC_INSTRUCTIONS.has(child.value) && line.includes('<<')) {
      for (const h of heredocsFromLine(line)) {
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i++]!;
          current++;
          let possible = trimNewline(body);
          if (h.chomp) possible = possible.replace(/^\t+/, '');
          if (possible === h.name) {
            terminated = true;
            break;
          }
          h.content += body;
        }
        if (!terminated) throw new DockerfileParseError('unterminated heredoc', startLine);
        child.heredocs.push(h);
      }
    }
    child.startLine = startLine;
    child.endLine = current;
    children.push(child);
  }
  if (children.length === 0) throw new DockerfileParseError('file with no instructions', current);
  return { children, escapeToken: d.escape, ...(d.syntax ? { syntax: d.syntax } : {}), warnings };
}

function heredocsFromLine(line: string): Heredoc[] {
  const lex = new ShellLex('\\');
  const out: Heredoc[] = [];
  let words: string[];
  try {
    words = rawWords(line);
  } catch {
    return out;
  }
  for (const w of words) {
    const m = /^(\d*)<<(-?)([^<]*)$/.exec(w);
    if (!m || !m[3]) continue;
    let name: string;
    try {
      const ws = lex.processWords(m[3], () => undefined, { skipUnset: true });
      if (ws.length !== 1) continue;
      name = ws[0]!;
    } catch {
      continue;
    }
    out.push({ name, content: '', expand: !/['"]/.test(m[3]), chomp: m[2] === '-', fileDescriptor: Number(m[1] || 0) });
  }
  return out;
}

/** Whitespace-separated words with quotes and escapes kept (the lexer's raw mode). */
function rawWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      word += c;
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      continue;
    }
    if (/\s/.test(c)) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '\\' && i + 1 < line.length) {
      word += c + line[++i];
      continue;
    }
    word += c;
  }
  if (word) words.push(word);
  return words;
}

export function nodeFromLine(line: string, escape: '\\' | '`'): Node {
  const trimmed = line.trim();
  const m = /[\t\v\f\r ]+/.exec(trimmed);
  const cmd = m ? trimmed.slice(0, m.index) : trimmed;
  let rest = '';
  let flags: string[] = [];
  if (m) ({ rest, flags } = extractBuilderFlags(trimmed.slice(m.index + m[0].length)));
  rest = rest.trim();
  const value = cmd.toLowerCase();
  const node: Node = { value, original: line, flags, args: [], json: false, heredocs: [], startLine: 0, endLine: 0 };
  switch (value) {
    case 'add':
    case 'copy':
    case 'volume':
      Object.assign(node, maybeJsonToList(rest));
      break;
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
      Object.assign(node, maybeJson(rest));
      break;
    case 'arg':
      node.args = parseWords(rest, escape);
      break;
    case 'env':
    case 'label':
      node.args = parseNameVal(rest, value.toUpperCase(), escape);
      break;
    case 'expose':
    case 'from':
      node.args = whitespaceList(rest);
      break;
    case 'user':
    case 'workdir':
    case 'maintainer':
    case 'stopsignal':
      node.args = rest === '' ? [] : [rest];
      break;
    case 'healthcheck': {
      const sep = /\s/.exec(rest);
      const typ = sep ? rest.slice(0, sep.index) : rest;
      if (typ === '') break;
      const after = sep ? rest.slice(sep.index).replace(/^\s+/, '') : '';
      const r = maybeJson(after);
      node.args = [typ, ...r.args];
      node.json = r.json;
      break;
    }
    case 'onbuild':
      if (rest !== '') node.sub = nodeFromLine(rest, escape);
      break;
    default:
      // BuildKit's parseIgnore: an unknown instruction keeps one empty arg; the builder rejects it.
      node.args = [''];
  }
  return node;
}

function whitespaceList(rest: string): string[] {
  return rest === '' ? [] : rest.split(RE_WHITESPACE);
}

class NotStringArray extends Error {
  constructor() {
    super('dockerfile JSON arrays may only contain strings');
  }
}

function parseJson(rest: string): string[] | undefined {
  const s = rest.replace(/^\s+/, '');
  if (!s.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((x) => typeof x === 'string')) throw new NotStringArray();
  return v as string[];
}

function maybeJson(rest: string): { args: string[]; json: boolean } {
  if (rest === '') return { args: [], json: false };
  const j = parseJson(rest);
  if (j) return { args: j, json: true };
  return { args: [rest], json: false };
}

function maybeJsonToList(rest: string): { args: string[]; json: boolean } {
  const j = parseJson(rest);
  if (j) return { args: j, json: true };
  return { args: whitespaceList(rest), json: false };
}

/** Leading `--name[=value]` words; a bare `--` ends them. */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = pos < line.length ? line[pos]! : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (/\s/.test(ch)) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return { rest: line.slice(pos), flags: words };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (/\s/.test(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        ch = line[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      ch = line[++pos]!;
    }
    word += ch;
  }
  return { rest: '', flags: words };
}

/** ARG/ENV/LABEL words: split on spaces outside quotes, quotes and escapes kept. */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = pos < chars.length ? chars[pos]! : '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (/\s/.test(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (/\s/.test(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  return words;
}

function parseNameVal(rest: string, key: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) throw new Error(`${key} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const m = RE_WHITESPACE.exec(rest);
    if (!m) throw new Error(`${key} must have two arguments`);
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ''];
  }
  const out: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) throw new Error(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    out.push(w.slice(0, eq), w.slice(eq + 1), '=');
  }
  return out;
}
