import { shortId } from '../util/index.js';
import type { BuildOutput, StepEvent } from './build-service.js';

/**
 * The build's output when stages run side by side. The classic JSON stream stays in Dockerfile order:
 * one sink per stage, the first unfinished stage (the *head*) writes through, the others buffer and are
 * written when they become the head — so the text is the one a serial build prints, only sooner. Step
 * numbers are fixed before anything runs (Dockerfile order over the stages built), never by completion.
 *
 * In progress mode (`berth build --progress`) step text is not written to the stream: each step's start,
 * output and end go out at once, unordered, as StepEvents tagged with the step number.
 *
 * Lifecycle: new OrderedOutput(out, sinks) → sinks write while their stages run → done(sink) per stage
 * → flushAll() at the end (also after a failure: what the stopped stages printed, in order).
 */
export class OrderedOutput {
  private head = 0;

  constructor(
    private readonly out: BuildOutput,
    readonly sinks: StageSink[],
  ) {
    sinks[0]?.goLive();
  }

  /** A stage finished: when it is the head, it and the finished stages after it are written. */
  done(sink: StageSink): void {
    sink.finished = true;
    while (this.head < this.sinks.length && this.sinks[this.head]!.finished) {
      this.head++;
      this.sinks[this.head]?.goLive();
    }
  }

  /** Writes whatever is still buffered, in stage order. */
  flushAll(): void {
    for (const s of this.sinks) s.goLive();
    this.head = this.sinks.length;
  }

  get output(): BuildOutput {
    return this.out;
  }
}

type Item = { text: string } | { aux: unknown };

/** One stage's (or the meta args') share of the output. */
export class StageSink {
  private readonly buffer: Item[] = [];
  private live = false;
  finished = false;
  /** the step being run: its number, and when it started */
  private step?: { n: number; started: number; text: string; cached?: boolean };

  constructor(
    private readonly out: BuildOutput,
    private readonly quiet: boolean,
    private readonly progress: boolean,
    private readonly total: number,
    readonly stage: string,
  ) {}

  goLive(): void {
    if (this.live) return;
    this.live = true;
    for (const item of this.buffer.splice(0)) this.emit(item);
  }

  private emit(item: Item): void {
    if ('text' in item) this.out.stream(item.text);
    else this.out.aux(item.aux);
  }

  private push(item: Item): void {
    if (this.live) this.emit(item);
    else this.buffer.push(item);
  }

  /** Step text (` ---> Running in …`, RUN's output). */
  say(text: string): void {
    if (this.quiet) return;
    if (this.progress) {
      if (this.step) this.out.event?.({ step: this.step.n, total: this.total, stage: this.stage, status: 'log', text });
      else this.out.stream(text);
      return;
    }
    this.push({ text });
  }

  /** Text only the classic stream has (` ---> Running in …`): step events say it otherwise. */
  classic(text: string): void {
    if (!this.progress) this.say(text);
  }

  aux(value: unknown): void {
    this.push({ aux: value });
  }

  beginStep(n: number, instruction: string): void {
    this.step = { n, started: Date.now(), text: instruction };
    if (this.progress && !this.quiet) this.out.event?.({ step: n, total: this.total, stage: this.stage, status: 'start', text: instruction });
    else this.say(`Step ${n}/${this.total} : ${instruction}\n`);
  }

  /** The step is reused from the cache (` ---> Using cache`). */
  usingCache(): void {
    if (this.step) this.step.cached = true;
    if (!this.progress) this.say(' ---> Using cache\n');
  }

  /** The step made (or reused) image `id` (` ---> <short id>`; empty for FROM scratch). */
  endStep(id: string, quietly = false): void {
    const s = this.step;
    if (this.progress) {
      if (s && !this.quiet) {
        const e: StepEvent = { step: s.n, total: this.total, stage: this.stage, status: s.cached ? 'cached' : 'done', text: s.text, ms: Date.now() - s.started };
        if (id) e.id = id;
        this.out.event?.(e);
      }
    } else if (!quietly) this.say(` ---> ${id ? shortId(id) : ''}\n`);
    this.step = undefined;
  }

  /** The step failed (progress mode only: the classic stream carries the error at its end). */
  failStep(message: string): void {
    const s = this.step;
    if (this.progress && s && !this.quiet) this.out.event?.({ step: s.n, total: this.total, stage: this.stage, status: 'error', text: s.text, ms: Date.now() - s.started, error: message });
    this.step = undefined;
  }
}
