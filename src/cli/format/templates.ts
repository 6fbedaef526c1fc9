/**
 * Access to the Go text/template engine (./template/, written separately). It is loaded once at start-up
 * (loadTemplateEngine) so rendering stays synchronous. Until that module exists, a small fallback
 * renders the common forms: {{.Field}}, {{.A.B}}, {{json .}}, {{json .X}}, {{.Label "k"}}.
 */
export interface TemplateEngine {
  renderTemplate(text: string, data: unknown): string;
  splitTableFormat(format: string): { table: boolean; body: string };
}

let engine: TemplateEngine | undefined;

export async function loadTemplateEngine(): Promise<TemplateEngine> {
  if (engine) return engine;
  const modulePath = './template/index.js';
  try {
    const mod = (await import(modulePath)) as Partial<TemplateEngine>;
    if (typeof mod.renderTemplate === 'function') {
      engine = {
        renderTemplate: mod.renderTemplate,
        splitTableFormat: typeof mod.splitTableFormat === 'function' ? mod.splitTableFormat : fallbackEngine.splitTableFormat,
      };
      return engine;
    }
  } catch {
    /* not there yet */
  }
  engine = fallbackEngine;
  return engine;
}

export function templateEngine(): TemplateEngine {
  return engine ?? fallbackEngine;
}

/** Docker's preFormat: strip "table", trim spaces, turn the two-character escapes \t and \n into the characters. */
function splitTableFormat(format: string): { table: boolean; body: string } {
  let body = format;
  const table = body.startsWith('table');
  if (table) body = body.slice('table'.length);
  body = body.trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, body };
}

function lookup(data: unknown, path: string): unknown {
  if (path === '.') return data;
  let cur: unknown = data;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || cur === undefined) throw new Error(`template: :1: nil pointer evaluating .${part}`);
    const obj = cur as Record<string, unknown>;
    if (!(part in obj)) throw new Error(`template: :1: can't evaluate field ${part}`);
    cur = obj[part];
  }
  return cur;
}

function goString(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${goString(x)}`).join(' ')}]`;
  }
  return String(v);
}

const fallbackEngine: TemplateEngine = {
  splitTableFormat,
  renderTemplate(text: string, data: unknown): string {
    return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, expr: string) => {
      const json = /^json\s+(\S+)$/.exec(expr);
      if (json) return JSON.stringify(lookup(data, json[1]) ?? null);
      const call = /^(\.[\w.]*?)\s+"([^"]*)"$/.exec(expr);
      if (call) {
        const fn = lookup(data, call[1]);
        if (typeof fn === 'function') return goString((fn as (a: string) => unknown)(call[2]));
      }
      if (/^\.[\w.]*$/.test(expr)) {
        const v = lookup(data, expr);
        return goString(typeof v === 'function' ? (v as () => unknown)() : v);
      }
      throw new Error(`template: :1: unsupported expression "${expr}"`);
    });
  },
};
