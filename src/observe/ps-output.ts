import { invalidArgument } from '../errdefs/index.js';

/** `docker top`: ps output filtered to a container's processes, as moby's top_unix.go reads it. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Docker refuses `ps -o user=PID`-like renames of the PID column (they would defeat the filtering). */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (m[1] !== 'pid') throw invalidArgument(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

/** `-q1,2,3`: ps limited to the given pids (retried without it by the caller for options that refuse -q). */
export function psPidsArg(pids: number[]): string {
  return `-q${pids.join(',')}`;
}

/**
 * Keeps the rows whose PID column is one of `pids`; thread rows (`-`, with `m`) follow their process. The
 * last column (the command) keeps its spaces.
 */
export function parsePsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n');
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter(Boolean);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new Error("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: string[][] = [];
  const row = (fields: string[]): string[] => [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  let lastContained = false;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const pidField = fields[pidIndex] ?? '';
    if (pidField === '-') {
      if (lastContained) processes.push(row(fields));
      continue;
    }
    const pid = Number(pidField);
    if (!Number.isInteger(pid)) throw new Error(`Unexpected pid '${pidField}'`);
    lastContained = wanted.has(pid);
    if (lastContained) processes.push(row(fields));
  }
  return { Titles: titles, Processes: processes };
}
