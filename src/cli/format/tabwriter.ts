/**
 * Go's text/tabwriter as the docker CLI uses it for tables: NewWriter(out, minwidth 10, tabwidth 1,
 * padding 3, ' ', 0). Cells end at a tab; the text after a line's last tab is not a column cell.
 * A column's width is that of its widest cell plus the padding (at least minwidth), computed over each
 * block of consecutive lines that have a cell in that column, as Go does.
 */
export interface TabwriterOptions {
  minwidth?: number;
  padding?: number;
}

const runeWidth = (s: string): number => [...s].length;

export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 10;
  const padding = opts.padding ?? 3;
  const rawLines = text.split('\n');
  const trailing = rawLines.pop() ?? ''; // text after the last newline stays as it is
  const lines = rawLines.map((l) => l.split('\t'));
  const widths: number[] = [];
  let out = '';

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i];
      cells.forEach((cell, j) => {
        out += cell;
        if (j < widths.length && j < cells.length - 1) out += ' '.repeat(Math.max(0, widths[j] - runeWidth(cell)));
      });
      out += '\n';
    }
  };

  // Go's format(): writes lines [line0, line1) once, recursing into each block of a column.
  const format = (line0: number, line1: number, column: number): void => {
    let pos = line0;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      writeLines(pos, cur);
      let width = minwidth;
      let end = cur;
      for (; end < line1 && column < lines[end].length - 1; end++) {
        width = Math.max(width, runeWidth(lines[end][column]) + padding);
      }
      widths.push(width);
      format(cur, end, column + 1);
      widths.pop();
      pos = end;
      cur = end - 1;
    }
    writeLines(pos, line1);
  };
  format(0, lines.length, 0);
  return out + trailing;
}
