import { promises as fs } from 'node:fs';

/** "\040" → " " as /proc/self/mountinfo escapes space, tab, newline and backslash. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points currently in this mount namespace, from /proc/self/mountinfo (field 5). */
export async function mountPoints(): Promise<string[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length > 4) out.push(unescape(fields[4] ?? ''));
  }
  return out;
}

/** How many mounts are stacked on `dir` (0 when none). */
export async function mountCount(dir: string): Promise<number> {
  let real = dir;
  try {
    real = await fs.realpath(dir);
  } catch {
    return 0;
  }
  return (await mountPoints()).filter((m) => m === real).length;
}
