/**
 * Splits template text into tokens as Go's text/template lexer does: text
 * between actions, and inside `{{ }}` the fields, variables, identifiers,
 * literals and punctuation. Trim markers (`{{- ` and ` -}}`) are applied here
 * by dropping the neighbouring white space; comments never become tokens.
 * A lexing error becomes an `error` token, and lexing stops there.
 */

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'number'
  | 'charConstant'
  | 'string'
  | 'rawString'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'assign'
  | 'declare'
  | 'char'
  | 'eof'
  | 'error';

export interface Token {
  type: TokenType;
  val: string;
  /** Offset in the input (UTF-16 units). */
  pos: number;
  line: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const SPACE = ' \t\r\n';

function isSpace(c: string | undefined): boolean {
  return c !== undefined && c !== '' && SPACE.includes(c);
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && c !== '' && /^[_\p{L}\p{Nd}]$/u.test(c);
}

/** Go's %#U: U+0023 '#'. */
export function goRuneString(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;

  const emit = (type: TokenType): void => {
    tokens.push({ type, val: input.slice(start, pos), pos: start, line: startLine });
    line += countNewlines(input.slice(start, pos));
    start = pos;
    startLine = line;
  };
  const ignore = (): void => {
    line += countNewlines(input.slice(start, pos));
    start = pos;
    startLine = line;
  };
  const fail = (msg: string): void => {
    tokens.push({ type: 'error', val: msg, pos: start, line: startLine });
  };
  const peek = (): string => input[pos] ?? '';
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith('}}', pos + 2)) return { delim: true, trim: true };
    if (input.startsWith('}}', pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peek();
    if (c === '' || isSpace(c) || '.,|:()'.includes(c)) return true;
    return input.startsWith('}}', pos);
  };
  const skipTrailingSpace = (): void => {
    while (isSpace(input[pos])) pos++;
    ignore();
  };

  for (;;) {
    // Text up to the next action.
    const x = input.indexOf('{{', pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit('text');
      tokens.push({ type: 'eof', val: '', pos, line });
      return tokens;
    }
    const trimLeft = input[x + 2] === '-' && isSpace(input[x + 3]);
    let textEnd = x;
    if (trimLeft) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    pos = textEnd;
    if (pos > start) emit('text');
    pos = x;
    ignore();
    // The left delimiter, and perhaps a comment.
    pos += trimLeft ? 4 : 2;
    if (input.startsWith('/*', pos)) {
      const end = input.indexOf('*/', pos + 2);
      if (end < 0) {
        fail('unclosed comment');
        return tokens;
      }
      pos = end + 2;
      const r = atRightDelim();
      if (!r.delim) {
        fail('comment ends before closing delimiter');
        return tokens;
      }
      pos += r.trim ? 4 : 2;
      ignore();
      if (r.trim) skipTrailingSpace();
      continue;
    }
    tokens.push({ type: 'leftDelim', val: '{{', pos: x, line: startLine });
    ignore();
    parenDepth = 0;
    // Inside the action.
    let closed = false;
    while (!closed) {
      const r = atRightDelim();
      if (r.delim) {
        if (parenDepth !== 0) {
          fail('unclosed left paren');
          return tokens;
        }
        if (r.trim) {
          pos += 2;
          ignore();
        }
        pos += 2;
        emit('rightDelim');
        if (r.trim) skipTrailingSpace();
        closed = true;
        break;
      }
      const c = peek();
      if (c === '') {
        fail('unclosed action');
        return tokens;
      }
      if (isSpace(c)) {
        let n = 0;
        while (isSpace(peek())) {
          pos++;
          n++;
        }
        // A space may belong to a trim-marked closing delimiter.
        if (input[pos] === '-' && input.startsWith('}}', pos + 1)) {
          pos--;
          if (n === 1) continue;
        }
        emit('space');
        continue;
      }
      pos++;
      switch (c) {
        case '=':
          emit('assign');
          continue;
        case ':':
          if (peek() !== '=') {
            fail('expected :=');
            return tokens;
          }
          pos++;
          emit('declare');
          continue;
        case '|':
          emit('pipe');
          continue;
        case '"':
        case "'": {
          const kind = c === '"' ? 'string' : 'charConstant';
          for (;;) {
            const d = input[pos++];
            if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') {
              pos++;
              continue;
            }
            if (d === undefined || d === '\n' || (d === '\\' && (input[pos] === undefined || input[pos] === '\n'))) {
              fail(kind === 'string' ? 'unterminated quoted string' : 'unterminated character constant');
              return tokens;
            }
            if (d === c) break;
          }
          emit(kind);
          continue;
        }
        case '`': {
          const end = input.indexOf('`', pos);
          if (end < 0) {
            fail('unterminated raw quoted string');
            return tokens;
          }
          pos = end + 1;
          emit('rawString');
          continue;
        }
        case '$':
        case '.': {
          if (c === '.' && /[0-9]/.test(peek())) {
            pos--;
            if (!scanNumber()) return tokens;
            continue;
          }
          if (atTerminator()) {
            emit(c === '$' ? 'variable' : 'dot');
            continue;
          }
          while (isAlphaNumeric(peek())) pos += peek().length;
          if (!atTerminator()) {
            fail(`bad character ${goRuneString(String.fromCodePoint(input.codePointAt(pos) ?? 0))}`);
            return tokens;
          }
          emit(c === '$' ? 'variable' : 'field');
          continue;
        }
        case '(':
          parenDepth++;
          emit('leftParen');
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) {
            fail(`unexpected right paren ${goRuneString(')')}`);
            return tokens;
          }
          emit('rightParen');
          continue;
      }
      if (c === '+' || c === '-' || /[0-9]/.test(c)) {
        pos--;
        if (!scanNumber()) return tokens;
        continue;
      }
      const full = String.fromCodePoint(input.codePointAt(pos - 1) ?? 0);
      if (isAlphaNumeric(full)) {
        pos += full.length - 1;
        while (isAlphaNumeric(String.fromCodePoint(input.codePointAt(pos) ?? 0)) && pos < input.length) {
          pos += String.fromCodePoint(input.codePointAt(pos) ?? 0).length;
        }
        if (!atTerminator()) {
          fail(`bad character ${goRuneString(String.fromCodePoint(input.codePointAt(pos) ?? 0))}`);
          return tokens;
        }
        const word = input.slice(start, pos);
        if (KEYWORDS.has(word)) emit('keyword');
        else if (word === 'true' || word === 'false') emit('bool');
        else if (word === 'nil') emit('nil');
        else emit('identifier');
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x7f && code >= 0x20) {
        emit('char');
        continue;
      }
      fail(`unrecognized character in action: ${goRuneString(full)}`);
      return tokens;
    }
  }

  function scanNumber(): boolean {
    const accept = (set: string): boolean => {
      const c = input[pos];
      if (c !== undefined && set.includes(c)) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (set: string): void => {
      while (accept(set));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[pos])) {
      pos++;
      fail(`bad number syntax: "${input.slice(start, pos)}"`);
      return false;
    }
    emit('number');
    return true;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
