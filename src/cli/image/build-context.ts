import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The build context as the docker CLI sends it: every file under the context directory in lexical
 * walk order, minus what .dockerignore excludes (moby's patternmatcher rules: `*`, `?`, `**`, `!`
 * exceptions, a matched directory excludes its contents), the Dockerfile and .dockerignore always kept.
 */
interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

function patternToRegExp(p: string): RegExp {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < p.length) out += `\\${p[++i]}`;
    else out += /[.+^${}()|[\]]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${out}$`);
}

export function parseDockerignore(text: string): Pattern[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const exclusion = l.startsWith('!');
      let p = exclusion ? l.slice(1).trim() : l;
      p = path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
      if (p === '.') p = '';
      return { re: patternToRegExp(p), exclusion };
    });
}

/** Whether `rel` (posix, relative to the context) is excluded. */
export function isExcluded(rel: string, patterns: Pattern[]): boolean {
  const parents: string[] = [];
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  let excluded = false;
  for (const p of patterns) {
    const match = p.re.test(rel) || parents.some((d) => p.re.test(d));
    if (match) excluded = !p.exclusion;
  }
  return excluded;
}

export interface ContextEntry {
  rel: string;
  abs: string;
}

/** Lists what goes into the context tar, in the order docker writes it. */
export async function listContext(root: string, dockerfileRel: string): Promise<ContextEntry[]> {
  const ignore = await fs.readFile(path.join(root, '.dockerignore'), 'utf8').catch(() => '');
  const patterns = parseDockerignore(ignore);
  const always = new Set([dockerfileRel, '.dockerignore']);
  const out: ContextEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await fs.readdir(dir)).sort();
    for (const name of names) {
      const rel = prefix ? `${prefix}/${name}` : name;
      const abs = path.join(dir, name);
      const st = await fs.lstat(abs);
      const keep = always.has(rel) || !isExcluded(rel, patterns);
      if (st.isDirectory()) {
        if (keep) out.push({ rel, abs });
        // an excluded directory may still hold an exception (!dir/keep), so walk it when there are exceptions
        if (keep || patterns.some((p) => p.exclusion)) await walk(abs, rel);
      } else if (keep) out.push({ rel, abs });
    }
  };
  await walk(root, '');
  return out;
}
