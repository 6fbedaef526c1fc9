/**
 * Docker's progress messages (jsonmessage.JSONMessage), one JSON object a line: the docker CLI draws its
 * bars from `progressDetail`, older clients print `progress`.
 */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  aux?: unknown;
  errorDetail?: { message: string };
  error?: string;
}

export type ProgressSink = (m: ProgressMessage) => void;

/** units.HumanSize: decimal units, 3 significant digits ("10.5MB", "100MB", "512B"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** JSONProgress.String() at its default width. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const width = 50;
  const filled = Math.min(width, Math.floor((current / total) * width));
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled === width ? '=' : '>') : '') ;
  return `[${bar.padEnd(width, ' ')}]  ${humanSize(current)}/${humanSize(total)}`;
}

/** Sends `status` with progress for `id`, at most every 100 ms (and always the last). */
export function throttledProgress(sink: ProgressSink, id: string, status: string, total: number): (current: number) => void {
  let last = 0;
  return (current) => {
    const now = Date.now();
    if (now - last < 100 && current < total) return;
    last = now;
    sink({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  };
}

export const shortDigest = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);
