import { invalidArgument } from '../errdefs/index.js';
import type { ContainerService } from '../container/container-service.js';
import type { ImageCommitter, ImageRecord, ImageService } from '../image/index.js';
import type { RootfsManager } from '../snapshot/rootfs-manager.js';
import type { Logger } from '../util/index.js';
import { resolveBaseImage } from './base-image.js';
import type { BasePuller, BuildOptions, BuildOutput } from './build-service.js';
import type { BuildContext } from './context.js';
import type { CacheMounts } from './mounts/cache-mounts.js';
import type { BuildWorkspace } from './mounts/workspace.js';
import type { Node } from './parser/node.js';
import { ShellLex, ShellLexError } from './parser/shell-lex.js';
import { neededStages, type Stage } from './stages.js';
import { StepCache } from './step-cache.js';
import { OrderedOutput, StageSink } from './step-output.js';
import { StageRun } from './stage-run.js';

export interface BuilderDeps {
  images: ImageService & ImageCommitter;
  containers: ContainerService;
  rootfs: RootfsManager;
  logger: Logger;
  /** where RUN --mount=type=cache directories and build scratch space live */
  dataRoot: string;
  /** pulls a base image that is not here (the daemon's registry client); without it, only local images */
  pull?: BasePuller;
}

/** build args usable without an ARG (moby's builtinAllowedBuildArgs) */
export const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

/** A stage stopped because another one failed (never reported: the first failure is). */
class Aborted extends Error {}

/**
 * One build: what every stage shares (the context, options, meta args, the cache, the output) and the
 * schedule. The stages the target needs all start at once; a stage that needs another (FROM an earlier
 * stage, COPY --from, RUN --mount from=) waits for it at the step that needs it. The first failure stops
 * the others (their running step containers are killed) and is the build's error.
 */
export class Build {
  readonly lex: ShellLex;
  readonly metaArgs = new Map<string, string | undefined>();
  readonly usedArgs = new Set<string>();
  cache!: StepCache;
  /** step number of every instruction that gets one */
  readonly numbers = new Map<Node, number>();
  total = 0;
  private readonly stageRuns = new Map<number, Promise<string>>();
  private stages: Stage[] = [];
  /** the step containers running now, killed when another stage fails */
  private readonly running = new Set<string>();
  private failure?: unknown;

  constructor(
    readonly d: BuilderDeps,
    readonly ctx: BuildContext,
    readonly opts: BuildOptions,
    readonly out: BuildOutput,
    readonly workspace: BuildWorkspace,
    readonly caches: CacheMounts,
    escape: '\\' | '`',
  ) {
    this.lex = new ShellLex(escape);
  }

  async run(metaArgs: Node[], allStages: Stage[]): Promise<string> {
    this.cache = new StepCache(this.d.images, this.opts.noCache, this.opts.cacheFrom.length ? await this.cacheFromSet() : undefined);
    for (const node of metaArgs) {
      for (const word of node.args) {
        const { name, value } = this.argWord(word, (k) => this.metaArgs.get(k));
        const given = this.opts.buildArgs[name];
        this.metaArgs.set(name, given !== undefined && given !== null ? given : value);
        if (given !== undefined) this.usedArgs.add(name);
      }
    }
    this.stages = neededStages(allStages, (w) => this.lex.processWord(w, (k) => this.metaArgs.get(k)));
    for (const node of metaArgs) this.numbers.set(node, ++this.total);
    for (const s of this.stages) for (const node of [s.from, ...s.commands]) this.numbers.set(node, ++this.total);

    const quiet = this.opts.quiet;
    const progress = !!this.opts.progress;
    const prelude = new StageSink(this.out, quiet, progress, this.total, '');
    const sinks = this.stages.map((s) => new StageSink(this.out, quiet, progress, this.total, s.name ?? (this.stages.length > 1 ? String(s.index) : '')));
    const output = new OrderedOutput(this.out, [prelude, ...sinks]);
    for (const node of metaArgs) {
      prelude.beginStep(this.numbers.get(node)!, node.original.trim());
      prelude.endStep('', true);
    }
    output.done(prelude);

    this.stages.forEach((stage, i) => {
      const sink = sinks[i]!;
      const run = new StageRun(this, stage, sink).run().then(
        (id) => {
          sink.aux({ ID: id });
          output.done(sink);
          return id;
        },
        (err: unknown) => {
          this.fail(err);
          throw err;
        },
      );
      run.catch(() => undefined);
      this.stageRuns.set(stage.index, run);
    });
    const settled = await Promise.allSettled([...this.stageRuns.values()]);
    if (this.failure !== undefined) {
      output.flushAll();
      throw this.failure;
    }
    const last = settled[settled.length - 1];
    const unused = Object.keys(this.opts.buildArgs).filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.has(k)).sort();
    if (unused.length && !quiet) this.out.stream(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    if (last?.status !== 'fulfilled' || !last.value) throw invalidArgument('No image was generated. Is your Dockerfile empty?');
    return last.value;
  }

  private fail(err: unknown): void {
    if (err instanceof Aborted || this.failure !== undefined) return;
    this.failure = err;
    for (const id of this.running) this.d.containers.kill(id, 'SIGKILL').catch(() => undefined);
  }

  /** Throws when another stage has failed: a stage stops between steps. */
  checkAborted(): void {
    if (this.failure !== undefined) throw new Aborted('another stage failed');
  }

  /** A step container starts/ends (killed if the build fails meanwhile). */
  trackContainer(id: string, running: boolean): void {
    if (!running) this.running.delete(id);
    else if (this.failure !== undefined) {
      this.d.containers.kill(id, 'SIGKILL').catch(() => undefined);
    } else this.running.add(id);
  }

  /**
   * The image of the stage `ref` names, waiting for the stage: by name (FROM, --from) or, with byIndex,
   * by number; only stages before `current`. undefined when `ref` is no such stage (then it names an image).
   */
  stageImage(ref: string, current: number, byIndex: boolean): Promise<string> | undefined {
    const lower = ref.toLowerCase();
    let stage: Stage | undefined;
    if (/^\d+$/.test(lower)) {
      if (!byIndex) return undefined;
      const n = Number(lower);
      if (n >= current) throw invalidArgument(`invalid from flag value ${ref}: refers to current build stage or a stage not yet built`);
      stage = this.stages.find((s) => s.index === n);
    } else {
      stage = this.stages.find((s) => s.name === lower && s.index < current);
      if (!stage) return undefined;
    }
    const run = stage && this.stageRuns.get(stage.index);
    if (!run) throw invalidArgument(`stage ${ref} is not part of this build's plan`);
    return run;
  }

  /** FROM's (or --from's) image: local, else pulled; always pulled with --pull. */
  resolveBase(ref: string, say?: (text: string) => void): Promise<ImageRecord> {
    return resolveBaseImage(this.d.images, this.d.pull, ref, this.opts, say);
  }

  argWord(word: string, env: (k: string) => string | undefined): { name: string; value: string | undefined } {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    if (!name) throw invalidArgument(`ARG names can not be blank`);
    if (eq < 0) return { name, value: undefined };
    try {
      return { name, value: this.lex.processWord(word.slice(eq + 1), env) };
    } catch (err) {
      if (err instanceof ShellLexError) throw invalidArgument(err.message);
      throw err;
    }
  }

  private async cacheFromSet(): Promise<Set<string>> {
    const set = new Set<string>();
    for (const ref of this.opts.cacheFrom) {
      let img = await this.d.images.resolve(ref).catch(() => undefined);
      while (img && !set.has(img.id)) {
        set.add(img.id);
        img = img.parent ? await this.d.images.resolve(img.parent).catch(() => undefined) : undefined;
      }
    }
    return set;
  }
}
