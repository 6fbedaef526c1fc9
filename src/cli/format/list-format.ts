import { tabwrite } from './tabwriter.js';
import { templateEngine } from './templates.js';

/**
 * Docker's list formatting (cli/command/formatter): the --format value picks a Go template; "table …"
 * prints a header (the template run over the column titles) and aligns everything with tabwriter.
 *   ""/"table" → the command's default table (or its quiet format with -q), "json" → {{json .}}.
 */
export interface ListFormat<R> {
  format: string;
  defaultTable: string;
  quiet?: boolean;
  quietFormat?: string;
  /** Column titles keyed by field name: { ID: 'CONTAINER ID', … }. */
  headers: Record<string, string>;
  rows: R[];
}

export function resolveFormat(format: string, defaultTable: string, quiet: boolean, quietFormat = '{{.ID}}'): string {
  if (format === '' || format === 'table') return quiet ? quietFormat : defaultTable;
  if (format === 'json') return '{{json .}}';
  return format;
}

export function renderList<R>(opts: ListFormat<R>): string {
  const engine = templateEngine();
  const { table, body } = engine.splitTableFormat(resolveFormat(opts.format, opts.defaultTable, !!opts.quiet, opts.quietFormat));
  let out = '';
  for (const row of opts.rows) out += `${engine.renderTemplate(body, row)}\n`;
  if (!table) return out;
  let header = '';
  try {
    header = engine.renderTemplate(body, headerContext(opts.headers));
  } catch {
    header = '';
  }
  return tabwrite(`${header}\n${out}`);
}

/** The header object: every field renders as its title; functions (Label "x") as their upper-cased name. */
function headerContext(headers: Record<string, string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...headers };
  if (!('Label' in ctx)) ctx.Label = () => 'LABEL';
  return ctx;
}

/** Defines a non-enumerable method on a row (kept out of {{json .}}). */
export function withMethod<T extends object>(row: T, name: string, fn: (...args: string[]) => unknown): T {
  Object.defineProperty(row, name, { value: fn, enumerable: false });
  return row;
}
