import type { StepEvent } from '../../api/types/build.js';
/**
 * `berth build --progress`: step events from berthd (`{"berthStep": …}` lines, asked for with
 * berthprogress=1) drawn the way Docker's BuildKit output looks.
 *
 * - plain: a block per step, lines prefixed `#<step>`: the instruction, its output (with the seconds since
 *   the step started), then `CACHED`, `DONE <s>` or `ERROR`. Stages running side by side interleave, each
 *   line still says which step it belongs to.
 * - tty: compact. A finished step is one line (` => [stage n/M] RUN …   0.5s`, `CACHED` for the cache); the
 *   steps running now are a footer redrawn in place, with their last output line and a running clock. A
 *   failing step's last output lines are printed with its error.
 */
export type ProgressMode = 'plain' | 'tty';

export type { StepEvent };

/** Docker's `--progress` value and the terminal decide; undefined = the classic stream, untouched. */
export function progressMode(flag: string, quiet: boolean, isTTY: boolean): ProgressMode | undefined | 'quiet' {
  switch (flag) {
    case '':
      return quiet ? undefined : isTTY ? 'tty' : undefined;
    case 'auto':
      return quiet ? undefined : isTTY ? 'tty' : 'plain';
    case 'plain':
    case 'tty':
      return quiet ? undefined : flag;
    case 'quiet':
      return 'quiet';
    default:
      throw new Error(`invalid progress mode "${flag}": use auto, plain, tty or quiet`);
  }
}

const secs = (ms: number) => (ms / 1000).toFixed(1) + 's';

function label(e: StepEvent): string {
  const stage = e.stage === '' ? '' : /^\d+$/.test(e.stage) ? `stage-${e.stage} ` : `${e.stage} `;
  return `[${stage}${e.step}/${e.total}]`;
}

export class PlainProgress {
  private readonly started = new Map<number, number>();
  private readonly partial = new Map<number, string>();

  constructor(private readonly write: (s: string) => void) {}

  event(e: StepEvent): void {
    const now = Date.now();
    switch (e.status) {
      case 'start':
        this.started.set(e.step, now);
        this.write(`#${e.step} ${label(e)} ${e.text}\n`);
        break;
      case 'log': {
        const at = ((now - (this.started.get(e.step) ?? now)) / 1000).toFixed(3);
        const text = (this.partial.get(e.step) ?? '') + e.text;
        const lines = text.split('\n');
        this.partial.set(e.step, lines.pop()!);
        for (const l of lines) this.write(`#${e.step} ${at} ${l}\n`);
        break;
      }
      default: {
        const rest = this.partial.get(e.step);
        if (rest) this.write(`#${e.step} ${rest}\n`);
        this.partial.delete(e.step);
        if (e.status === 'cached') this.write(`#${e.step} CACHED\n\n`);
        else if (e.status === 'done') this.write(`#${e.step} DONE ${secs(e.ms ?? 0)}\n\n`);
        else this.write(`#${e.step} ERROR: ${e.error ?? ''}\n\n`);
      }
    }
  }

  /** Text outside the steps (`Successfully built …`). */
  text(s: string): void {
    this.write(s);
  }

  finish(_ok: boolean): void {}
}

interface Running {
  e: StepEvent;
  since: number;
  last: string;
  log: string[];
}

export class TtyProgress {
  private readonly running = new Map<number, Running>();
  private footerLines = 0;
  private readonly t0 = Date.now();
  private done = 0;
  private total = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (s: string) => void,
    private readonly columns: () => number,
  ) {
    this.timer = setInterval(() => this.redraw([]), 200);
    this.timer.unref();
  }

  private fit(s: string): string {
    const w = Math.max(20, this.columns());
    return s.length > w ? s.slice(0, w - 1) + '…' : s;
  }

  private line(e: StepEvent, right: string, prefix = ''): string {
    const left = ` => ${prefix}${label(e)} ${e.text.replace(/\s+/g, ' ')}`;
    const w = Math.max(20, this.columns());
    const room = w - right.length - 1;
    const l = left.length > room ? left.slice(0, Math.max(0, room - 1)) + '…' : left.padEnd(room);
    return `${l} ${right}`;
  }

  /** Clears the footer, prints `lines` above it for good, draws the footer again. */
  private redraw(lines: string[]): void {
    let out = this.footerLines ? `\x1b[${this.footerLines}A\r\x1b[J` : '';
    for (const l of lines) out += l + '\n';
    const now = Date.now();
    const footer = [`[+] Building ${secs(now - this.t0)} (${this.done}/${this.total || '?'})`];
    for (const r of this.running.values()) {
      footer.push(this.line(r.e, secs(now - r.since)));
      if (r.last) footer.push(this.fit(`    ${r.last}`));
    }
    out += footer.join('\n') + '\n';
    this.footerLines = footer.length;
    this.write(out);
  }

  event(e: StepEvent): void {
    this.total = e.total;
    const r = this.running.get(e.step);
    switch (e.status) {
      case 'start':
        this.running.set(e.step, { e, since: Date.now(), last: '', log: [] });
        this.redraw([]);
        return;
      case 'log': {
        if (!r) return;
        const lines = e.text.split('\n').filter((l) => l.trim() !== '');
        r.log.push(...lines);
        if (r.log.length > 10) r.log.splice(0, r.log.length - 10);
        if (lines.length) r.last = lines[lines.length - 1]!;
        this.redraw([]);
        return;
      }
      case 'cached':
        this.running.delete(e.step);
        this.done++;
        this.redraw([this.line(e, '0.0s', 'CACHED ')]);
        return;
      case 'done':
        this.running.delete(e.step);
        this.done++;
        this.redraw([this.line(e, secs(e.ms ?? 0))]);
        return;
      case 'error': {
        this.running.delete(e.step);
        const lines = [this.line(e, `ERROR ${secs(e.ms ?? 0)}`)];
        for (const l of r?.log ?? []) lines.push(this.fit(`    ${l}`));
        this.redraw(lines);
      }
    }
  }

  text(s: string): void {
    this.clearFooter();
    this.write(s);
  }

  private clearFooter(): void {
    if (this.footerLines) this.write(`\x1b[${this.footerLines}A\r\x1b[J`);
    this.footerLines = 0;
  }

  finish(ok: boolean): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearFooter();
    if (ok) this.write(`[+] Built in ${secs(Date.now() - this.t0)} (${this.done}/${this.total} steps)\n`);
  }
}
