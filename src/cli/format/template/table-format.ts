/**
 * The docker CLI's pre-processing of a --format value (formatter.Context's
 * preFormat): a format is a table format when it starts with "table" — any
 * text after it, not only a space or tab, e.g. "table{{.ID}}" — and that
 * prefix is cut; then spaces are trimmed from both ends and the two-character
 * escapes `\t` and `\n` become a tab and a newline, in every format.
 */
export function splitTableFormat(format: string): { table: boolean; body: string } {
  const table = format.startsWith('table');
  let body = table ? format.slice('table'.length) : format;
  body = body.replace(/^ +| +$/g, '');
  body = body.replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));
  return { table, body };
}
