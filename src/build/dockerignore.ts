import path from 'node:path';

/**
 * `.dockerignore` with moby's patternmatcher semantics: patterns are cleaned paths relative to the
 * context root (a leading `/` is dropped), `*` and `?` stay within a path element, `**` spans any number
 * of them, a `!` pattern re-includes, the last matching pattern wins, and a pattern matching a parent
 * directory matches everything below it.
 */
interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

function toRegExp(p: string): RegExp {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        while (p[i + 1] === '*') i++;
        if (p[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < p.length) out += '\\' + p[++i];
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let cls = p.slice(i + 1, end);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
        out += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += /[.+^${}()|\]]/.test(c) ? '\\' + c : c;
  }
  return new RegExp(`^${out}$`);
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (let line of text.split('\n')) {
      line = line.replace(/\r$/, '').trim();
      if (!line || line.startsWith('#')) continue;
      const exclusion = line.startsWith('!');
      if (exclusion) line = line.slice(1).trim();
      if (!line) continue;
      let p = path.posix.normalize(line);
      p = p.replace(/^\/+/, '').replace(/\/+$/, '');
      if (p === '' || p === '.') continue;
      this.patterns.push({ re: toRegExp(p), exclusion });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether a context path (relative, "/"-separated) is excluded. */
  excludes(file: string): boolean {
    let matched = false;
    const parents = file.split('/').slice(0, -1);
    for (const pat of this.patterns) {
      if (pat.exclusion !== matched) continue;
      let match = pat.re.test(file);
      for (let i = 0; !match && i < parents.length; i++) match = pat.re.test(parents.slice(0, i + 1).join('/'));
      if (match) matched = !pat.exclusion;
    }
    return matched;
  }
}
