/**
 * The Dockerfile shell lexer (BuildKit's frontend/dockerfile/shell): quote removal and variable
 * substitution for the instructions that take it. `$v`, `${v}`, `${v:-w}`, `${v:+w}`, `${v?w}`, `${v:?w}`,
 * single quotes (literal), double quotes (where the escape token escapes only `"`, `$` and itself) and the
 * escape token (`\` or `` ` ``) outside quotes. processWords also splits into words, as the shell would:
 * spaces that come from a variable outside quotes split words, quoted ones do not.
 */
export type Env = (name: string) => string | undefined;

export class ShellLexError extends Error {}

const EOF = '';

class Words {
  word = '';
  words: string[] = [];
  inWord = false;
  addChar(ch: string): void {
    if (isSpace(ch) && this.inWord) {
      if (this.word.length !== 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else if (!isSpace(ch)) this.addRawChar(ch);
  }
  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  getWords(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

const isSpace = (ch: string) => /^\s$/u.test(ch);
const isDigit = (ch: string) => /^\p{Nd}$/u.test(ch);
const isLetter = (ch: string) => /^\p{L}$/u.test(ch);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

class Scanner {
  private pos = 0;
  private readonly chars: string[];
  constructor(src: string) {
    this.chars = Array.from(src);
  }
  peek(): string {
    return this.chars[this.pos] ?? EOF;
  }
  next(): string {
    const c = this.chars[this.pos] ?? EOF;
    if (this.pos < this.chars.length) this.pos++;
    return c;
  }
}

class ShellWord {
  private readonly s: Scanner;
  constructor(
    src: string,
    private readonly escape: string,
    private readonly env: Env,
    /** keep `$name` for unset names (heredoc names) */
    private readonly skipUnset = false,
  ) {
    this.s = new Scanner(src);
  }

  process(): { word: string; words: string[] } {
    return this.stopOn(EOF);
  }

  private stopOn(stop: string): { word: string; words: string[] } {
    let result = '';
    const words = new Words();
    while (this.s.peek() !== EOF) {
      const ch = this.s.peek();
      if (stop !== EOF && ch === stop) {
        this.s.next();
        return { word: result, words: words.getWords() };
      }
      if (ch === "'" || ch === '"' || ch === '$') {
        const tmp = ch === "'" ? this.singleQuote() : ch === '"' ? this.doubleQuote() : this.dollar();
        result += tmp;
        if (ch === '$') words.addString(tmp);
        else words.addRawString(tmp);
        continue;
      }
      let c = this.s.next();
      if (c === this.escape) {
        c = this.s.next();
        if (c === EOF) break;
        words.addRawChar(c);
      } else words.addChar(c);
      result += c;
    }
    if (stop !== EOF) throw new ShellLexError(`unexpected end of statement while looking for matching ${stop}`);
    return { word: result, words: words.getWords() };
  }

  private singleQuote(): string {
    let result = '';
    this.s.next();
    for (;;) {
      const ch = this.s.next();
      if (ch === EOF) throw new ShellLexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return result;
      result += ch;
    }
  }

  private doubleQuote(): string {
    let result = '';
    this.s.next();
    for (;;) {
      const ch = this.s.peek();
      if (ch === EOF) throw new ShellLexError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.s.next();
        return result;
      }
      if (ch === '$') {
        result += this.dollar();
        continue;
      }
      let c = this.s.next();
      if (c === this.escape) {
        const p = this.s.peek();
        if (p === EOF) continue;
        if (p === '"' || p === '$' || p === this.escape) c = this.s.next();
      }
      result += c;
    }
  }

  private dollar(): string {
    this.s.next();
    if (this.s.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const v = this.env(name);
      if (v === undefined && this.skipUnset) return '$' + name;
      return v ?? '';
    }
    this.s.next();
    const first = this.s.peek();
    if (first === EOF) throw new ShellLexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ShellLexError('syntax error: bad substitution');
    const name = this.name();
    const ch = this.s.next();
    if (ch === '}') {
      const v = this.env(name);
      if (v === undefined && this.skipUnset) return '${' + name + '}';
      return v ?? '';
    }
    if (ch === '?') {
      let { word } = this.stopOn('}');
      if (word === '') word = 'is not allowed to be unset';
      const v = this.env(name);
      if (v === undefined) throw new ShellLexError(`${name}: ${word}`);
      return v;
    }
    if (ch === ':') {
      const modifier = this.s.next();
      let word: string;
      try {
        ({ word } = this.stopOn('}'));
      } catch (err) {
        if (this.s.peek() === EOF) throw new ShellLexError("syntax error: missing '}'");
        throw err;
      }
      const v = this.env(name) ?? '';
      if (modifier === '+') return v !== '' ? word : '';
      if (modifier === '-') return v === '' ? word : v;
      if (modifier === '?') {
        if (v === '') throw new ShellLexError(`${name}: ${word || 'is not allowed to be unset'}`);
        return v;
      }
      throw new ShellLexError(`unsupported modifier (${modifier}) in substitution`);
    }
    throw new ShellLexError(`unsupported modifier (${ch}) in substitution`);
  }

  private name(): string {
    let name = '';
    while (this.s.peek() !== EOF) {
      const ch = this.s.peek();
      if (name === '' && isDigit(ch)) {
        while (this.s.peek() !== EOF && isDigit(this.s.peek())) name += this.s.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.s.next();
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.s.next();
    }
    return name;
  }
}

/** A lexer for one escape token. */
export class ShellLex {
  constructor(readonly escape: '\\' | '`' = '\\') {}

  /** One word: quotes removed, variables substituted, spaces kept. */
  processWord(src: string, env: Env, opts: { skipUnset?: boolean } = {}): string {
    return new ShellWord(src, this.escape, env, opts.skipUnset).process().word;
  }

  /** Words, split as the shell splits them after substitution. */
  processWords(src: string, env: Env, opts: { skipUnset?: boolean } = {}): string[] {
    return new ShellWord(src, this.escape, env, opts.skipUnset).process().words;
  }
}

/** An Env over `KEY=value` pairs (later ones win), as Docker keeps them. */
export function envFromList(list: readonly string[]): Env {
  const m = new Map<string, string>();
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) m.set(kv, '');
    else m.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return (name) => m.get(name);
}
