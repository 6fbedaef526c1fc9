/**
 * The CLI's use of the Go text/template engine (./template/): docker's error prefixes and the
 * header row of a table (the template run over the column titles with header functions).
 */
import { StatusError } from '../command.js';
import { TemplateError, dockerHeaderFunctions, parseTemplate, splitTableFormat, type Template } from './template/index.js';

export { splitTableFormat };

export interface TemplatePrefixes {
  parse: string;
  exec: string;
}

/** What most docker commands say (formatter.Context): both kinds of failure read "template parsing error". */
export const DEFAULT_PREFIXES: TemplatePrefixes = { parse: 'template parsing error', exec: 'template parsing error' };

function wrap(err: unknown, prefix: string): never {
  if (err instanceof TemplateError) throw new StatusError(`${prefix}: ${err.message}`, 1);
  throw err;
}

export function compileTemplate(text: string, prefixes: TemplatePrefixes = DEFAULT_PREFIXES): Template {
  try {
    return parseTemplate(text);
  } catch (e) {
    return wrap(e, prefixes.parse);
  }
}

export function execTemplate(t: Template, data: unknown, prefixes: TemplatePrefixes = DEFAULT_PREFIXES): string {
  try {
    return t.execute(data);
  } catch (e) {
    return wrap(e, prefixes.exec);
  }
}

/** The header row: the same template over the titles, json/upper/… passing them through. */
export function execHeader(t: Template, headers: Record<string, unknown>): string {
  try {
    return t.execute(headers, { funcs: dockerHeaderFunctions });
  } catch {
    return '';
  }
}

/** One-shot rendering for inspect, version, info and events formats. */
export function renderFormat(text: string, data: unknown, prefixes: TemplatePrefixes = DEFAULT_PREFIXES): string {
  return execTemplate(compileTemplate(text, prefixes), data, prefixes);
}
