import { tabwrite } from './tabwriter.js';
import { type TemplatePrefixes, compileTemplate, execHeader, execTemplate, splitTableFormat } from './templates.js';

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
  prefixes?: TemplatePrefixes;
}

export function resolveFormat(format: string, defaultTable: string, quiet: boolean, quietFormat = '{{.ID}}'): string {
  if (format === '' || format === 'table') return quiet ? quietFormat : defaultTable;
  if (format === 'json') return '{{json .}}';
  return format;
}

export function renderList<R>(opts: ListFormat<R>): string {
  const { table, body } = splitTableFormat(resolveFormat(opts.format, opts.defaultTable, !!opts.quiet, opts.quietFormat));
  const tmpl = compileTemplate(body, opts.prefixes);
  let out = '';
  // docker's formatter contexts marshal themselves with json.Marshal, which escapes <, > and &
  const wholeRowJson = body.trim() === '{{json .}}';
  for (const row of opts.rows) out += `${wholeRowJson ? marshalRow(row) : execTemplate(tmpl, row, opts.prefixes)}\n`;
  if (!table) return out;
  return tabwrite(`${execHeader(tmpl, headerContext(opts.headers))}\n${out}`);
}

function marshalRow(row: unknown): string {
  return JSON.stringify(row)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The header object: every field renders as its title; `.Label "x"` as x, as docker's does. */
function headerContext(headers: Record<string, string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...headers };
  if (!('Label' in ctx)) ctx.Label = (name: string) => name;
  return ctx;
}

/**
 * A row of a list: a class instance, so the template engine treats it as a Go struct (an unknown
 * field is an error, as in docker, not `<no value>`). Fields keep their insertion order for {{json .}}.
 */
export class FormatterContext {
  [field: string]: unknown;
  constructor(fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }
}

/** Defines a non-enumerable method on a row (kept out of {{json .}}). */
export function withMethod<T extends object>(row: T, name: string, fn: (...args: string[]) => unknown): T {
  Object.defineProperty(row, name, { value: fn, enumerable: false });
  return row;
}
