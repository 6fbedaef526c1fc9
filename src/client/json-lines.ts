import type { Readable } from 'node:stream';

/**
 * Reads a stream of JSON values as Docker writes them (one per line for events and progress; values
 * may also follow each other on a line). Yields each parsed value.
 */
export async function* readJsonLines<T>(stream: Readable, rewrite: (line: string) => string = (l) => l): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of stream) {
    buf += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield* parseConcatenated<T>(rewrite(line));
    }
  }
  if (buf.trim()) yield* parseConcatenated<T>(rewrite(buf.trim()));
}

function* parseConcatenated<T>(text: string): Generator<T> {
  try {
    yield JSON.parse(text) as T;
    return;
  } catch {
    /* several values on one line: split at top-level boundaries */
  }
  let depth = 0;
  let start = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        yield JSON.parse(text.slice(start, i + 1)) as T;
        start = i + 1;
      }
    }
  }
}
