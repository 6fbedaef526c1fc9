import path from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../errdefs/index.js';
import type { ImageRecord } from '../image/index.js';
import { parseGoDuration } from '../image/index.js';
import type { ImageRunConfig } from '../oci/index.js';
import { shortId } from '../util/index.js';
import type { Build } from './build-run.js';
import { PROXY_ARGS } from './build-run.js';
import { contextTree, dirLayer, imageTree, planCopy, type SourceTree } from './copy-plan.js';
import { expandPorts, goList, parseFlags } from './instruction-flags.js';
import { LayeredFs } from './layered-fs.js';
import { lookupOwner } from './owner.js';
import type { Node } from './parser/node.js';
import { nodeFromLine } from './parser/parser.js';
import { ShellLexError } from './parser/shell-lex.js';
import { runStep } from './run-step.js';
import { checkInstruction, type Stage } from './stages.js';
import type { StageSink } from './step-output.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export interface StageState {
  imageId: string;
  config: ImageRunConfig;
  author?: string;
  /** ARGs declared in this stage, with their values */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
}

/**
 * One stage of a build: its FROM, then its instructions in order, each a step that makes (or reuses from
 * the cache) an image on top of the previous one. RUN is in run-step.ts; the rest is here.
 */
export class StageRun {
  readonly state: StageState = { imageId: '', config: {}, args: new Map(), cmdSet: false };

  constructor(
    readonly b: Build,
    readonly stage: Stage,
    readonly sink: StageSink,
  ) {}

  async run(): Promise<string> {
    this.b.checkAborted();
    await this.from();
    for (const node of this.stage.commands) {
      this.b.checkAborted();
      this.sink.beginStep(this.b.numbers.get(node)!, node.original.trim());
      try {
        await this.dispatch(this.state, node);
      } catch (err) {
        this.sink.failStep((err as Error).message);
        throw err;
      }
      this.sink.endStep(this.state.imageId);
    }
    return this.state.imageId;
  }

  // ------------------------------------------------------------------ variables

  env(state: StageState): (name: string) => string | undefined {
    const env = new Map<string, string>();
    for (const kv of state.config.Env ?? []) {
      const i = kv.indexOf('=');
      env.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
    }
    return (name) => env.get(name) ?? state.args.get(name);
  }

  word(state: StageState, s: string): string {
    try {
      return this.b.lex.processWord(s, this.env(state));
    } catch (err) {
      if (err instanceof ShellLexError) throw invalidArgument(err.message);
      throw err;
    }
  }

  /** Build args in RUN's environment (not overridden by ENV), sorted, as `k=v`. */
  runArgs(state: StageState): string[] {
    const envKeys = new Set((state.config.Env ?? []).map((e) => e.split('=')[0]));
    const out: string[] = [];
    for (const [k, v] of state.args) if (v !== undefined && !envKeys.has(k)) out.push(`${k}=${v}`);
    for (const k of PROXY_ARGS) {
      const v = this.b.opts.buildArgs[k];
      if (v !== undefined && v !== null && !state.args.has(k) && !envKeys.has(k)) out.push(`${k}=${v}`);
    }
    return out.sort();
  }

  /** The image a `--from` / `from=` names: an earlier stage (waited for) or a local image. */
  async imageOf(name: string): Promise<string> {
    const stage = this.b.stageImage(name, this.stage.index, true);
    if (stage) return stage;
    return (await this.b.resolveBase(name, (t) => this.sink.say(t))).id;
  }

  // ------------------------------------------------------------------ FROM

  private async from(): Promise<void> {
    const node = this.stage.from;
    this.sink.beginStep(this.b.numbers.get(node)!, node.original.trim());
    parseFlags(node, ['platform']);
    let base: string;
    try {
      base = this.b.lex.processWord(node.args[0]!, (k) => this.b.metaArgs.get(k));
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
    if (!base) throw invalidArgument(`base name (${node.args[0]}) should not be blank`);
    const state = this.state;
    if (base.toLowerCase() !== 'scratch') {
      const earlier = this.b.stageImage(base, this.stage.index, false);
      const image = earlier ? await this.b.d.images.resolve(await earlier) : await this.b.resolveBase(base, (t) => this.sink.say(t));
      state.imageId = image.id;
      state.config = structuredClone(image.config.config ?? {});
      if (image.config.author) state.author = image.config.author;
    }
    this.sink.endStep(state.imageId);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      this.sink.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      delete state.config.OnBuild;
      for (const t of triggers) {
        const trigger = nodeFromLine(t, this.b.lex.escape);
        checkInstruction(trigger);
        await this.dispatch(state, trigger);
      }
      this.sink.say(` ---> ${shortId(state.imageId)}\n`);
    }
  }

  // ------------------------------------------------------------------ dispatch

  async dispatch(state: StageState, node: Node): Promise<void> {
    const c = state.config;
    const shell = c.Shell?.length ? c.Shell : DEFAULT_SHELL;
    switch (node.value) {
      case 'env': {
        const pairs: string[] = [];
        const env = [...(c.Env ?? [])];
        for (let i = 0; i + 2 < node.args.length + 1; i += 3) {
          const k = this.word(state, node.args[i]!);
          const v = this.word(state, node.args[i + 1]!);
          if (!k) throw invalidArgument('ENV names can not be blank');
          const at = env.findIndex((e) => e.split('=')[0] === k);
          if (at >= 0) env[at] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
          pairs.push(`${k}=${v}`);
        }
        c.Env = env;
        return this.commitMeta(state, `ENV ${pairs.join(' ')}`);
      }
      case 'label': {
        const labels = { ...(c.Labels ?? {}) };
        const pairs: string[] = [];
        for (let i = 0; i + 2 < node.args.length + 1; i += 3) {
          const k = this.word(state, node.args[i]!);
          const v = this.word(state, node.args[i + 1]!);
          if (!k) throw invalidArgument('LABEL names can not be blank');
          labels[k] = v;
          pairs.push(`${JSON.stringify(k)}=${JSON.stringify(v)}`);
        }
        c.Labels = labels;
        return this.commitMeta(state, `LABEL ${pairs.join(' ')}`);
      }
      case 'arg': {
        const shown: string[] = [];
        for (const word of node.args) {
          const { name, value } = this.b.argWord(word, this.env(state));
          const given = this.b.opts.buildArgs[name];
          let v = value;
          if (given !== undefined && given !== null) v = given;
          else if (v === undefined && this.b.metaArgs.has(name)) v = this.b.metaArgs.get(name);
          if (given !== undefined) this.b.usedArgs.add(name);
          state.args.set(name, v);
          shown.push(value !== undefined ? `${name}=${value}` : name);
        }
        return this.commitMeta(state, `ARG ${shown.join(' ')}`);
      }
      case 'workdir': {
        const dir = this.word(state, node.args[0]!);
        const wd = path.posix.resolve(c.WorkingDir || '/', dir);
        c.WorkingDir = wd;
        const view = await this.view(state);
        const { entry, comps } = await view.resolve(wd);
        if (entry?.type === 'dir') return this.commitMeta(state, `WORKDIR ${wd}`);
        return this.commitLayer(state, `WORKDIR ${wd}`, () => dirLayer(view, comps));
      }
      case 'user':
        c.User = this.word(state, node.args[0]!);
        return this.commitMeta(state, `USER ${c.User}`);
      case 'stopsignal':
        c.StopSignal = this.word(state, node.args[0]!);
        return this.commitMeta(state, `STOPSIGNAL ${c.StopSignal}`);
      case 'maintainer':
        state.author = node.args[0]!;
        return this.commitMeta(state, `MAINTAINER ${state.author}`);
      case 'expose': {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const a of node.args) {
          for (const p of expandPorts(this.word(state, a))) ports[p] = {};
        }
        c.ExposedPorts = ports;
        return this.commitMeta(state, `EXPOSE ${Object.keys(ports).sort().join(' ')}`);
      }
      case 'volume': {
        const vols = { ...(c.Volumes ?? {}) };
        for (const a of node.args) {
          const v = this.word(state, a).trim();
          if (!v) throw invalidArgument('VOLUME specified can not be an empty string');
          vols[v] = {};
        }
        c.Volumes = vols;
        return this.commitMeta(state, `VOLUME [${node.args.map((a) => this.word(state, a)).join(' ')}]`);
      }
      case 'cmd':
        c.Cmd = node.json ? node.args : [...shell, node.args[0] ?? ''];
        c.ArgsEscaped = !node.json || undefined;
        if (!c.ArgsEscaped) delete c.ArgsEscaped;
        state.cmdSet = true;
        return this.commitMeta(state, `CMD ${goList(c.Cmd)}`);
      case 'entrypoint':
        c.Entrypoint = node.json ? node.args : node.args.length ? [...shell, node.args[0]!] : null;
        if (!state.cmdSet) c.Cmd = null;
        return this.commitMeta(state, `ENTRYPOINT ${goList(c.Entrypoint ?? [])}`);
      case 'shell':
        c.Shell = node.args;
        return this.commitMeta(state, `SHELL ${goList(node.args)}`);
      case 'onbuild': {
        const text = node.original.trim().replace(/^onbuild\s+/i, '');
        c.OnBuild = [...(c.OnBuild ?? []), text];
        return this.commitMeta(state, `ONBUILD ${text}`);
      }
      case 'healthcheck':
        c.Healthcheck = this.healthcheck(node, shell);
        return this.commitMeta(state, `HEALTHCHECK &{${goList(c.Healthcheck.Test ?? [])}}`);
      case 'run':
        return runStep(this, node, shell);
      case 'copy':
      case 'add':
        return this.copyStep(state, node);
      default:
        throw invalidArgument(`unknown instruction: ${node.value.toUpperCase()}`);
    }
  }

  private healthcheck(node: Node, shell: string[]): NonNullable<ImageRunConfig['Healthcheck']> {
    const typ = node.args[0]!.toUpperCase();
    if (typ === 'NONE') {
      if (node.args.length > 1 || node.flags.length) throw invalidArgument('HEALTHCHECK NONE takes no arguments');
      return { Test: ['NONE'] };
    }
    if (typ !== 'CMD') throw invalidArgument(`Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
    const rest = node.args.slice(1);
    if (rest.length === 0) throw invalidArgument('Missing command after HEALTHCHECK CMD');
    const flags = parseFlags(node, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
    const hc: NonNullable<ImageRunConfig['Healthcheck']> = { Test: node.json ? ['CMD', ...rest] : ['CMD-SHELL', rest[0]!] };
    void shell;
    const dur = (name: string, field: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval') => {
      const v = flags.get(name);
      if (v === undefined) return;
      const ms = parseGoDuration(v);
      if (ms === undefined) throw invalidArgument(`time: invalid duration "${v}"`);
      if (ms !== 0 && ms < 1) throw invalidArgument(`Interval "${name}" cannot be less than 1ms`);
      hc[field] = Math.round(ms * 1e6);
    };
    dur('interval', 'Interval');
    dur('timeout', 'Timeout');
    dur('start-period', 'StartPeriod');
    dur('start-interval', 'StartInterval');
    const retries = flags.get('retries');
    if (retries !== undefined) {
      const n = Number(retries);
      if (!Number.isInteger(n) || n < 0) throw invalidArgument(`--retries cannot be negative (${retries})`);
      hc.Retries = n;
    }
    return hc;
  }

  // ------------------------------------------------------------------ cache and commits

  async view(state: StageState): Promise<LayeredFs> {
    return new LayeredFs(state.imageId ? await this.b.d.images.layerDirs(state.imageId) : []);
  }

  useCache(state: StageState, img: ImageRecord): void {
    this.sink.usingCache();
    state.imageId = img.id;
    state.config = structuredClone(img.config.config ?? {});
    if (img.config.author) state.author = img.config.author;
  }

  /** The step's image from the cache, or made by `make`. */
  async step(state: StageState, cc: ImageRunConfig, make: () => Promise<ImageRecord>): Promise<void> {
    const { image, cached } = await this.b.cache.step(state.imageId, cc, make);
    if (cached) this.useCache(state, image);
    else state.imageId = image.id;
  }

  private commentConfig(state: StageState, comment: string): ImageRunConfig {
    const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
    return { ...structuredClone(state.config), Cmd: [...shell, `#(nop) ${comment}`] };
  }

  private commitMeta(state: StageState, comment: string): Promise<void> {
    return this.commitLayer(state, ` ${comment}`);
  }

  private commitLayer(state: StageState, comment: string, tar?: () => Readable): Promise<void> {
    const cc = this.commentConfig(state, comment);
    return this.step(state, cc, () =>
      this.b.d.images.commit({
        parent: state.imageId,
        ...(tar ? { diff: tar() } : {}),
        config: state.config,
        containerConfig: cc,
        createdBy: (cc.Cmd ?? []).join(' '),
        ...(state.author ? { author: state.author } : {}),
      }),
    );
  }

  // ------------------------------------------------------------------ COPY / ADD

  private async copyStep(state: StageState, node: Node): Promise<void> {
    const instr = node.value === 'add' ? 'ADD' : 'COPY';
    const flags = parseFlags(node, node.value === 'add' ? ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'] : ['from', 'chown', 'chmod', 'link', 'parents', 'exclude']);
    const args = node.args.map((a) => this.word(state, a));
    const destRaw = args.pop()!;
    const inline = new Map<string, Buffer>();
    const sources = args.map((s) => {
      const h = node.heredocs.find((x) => /^\d*<<-?/.test(s) && s.replace(/^\d*<<-?/, '').replace(/['"]/g, '') === x.name);
      if (!h) return s;
      inline.set(h.name, Buffer.from(h.content));
      return h.name;
    });
    if (sources.length === 0) throw invalidArgument(`${instr} requires at least two arguments`);
    const wd = state.config.WorkingDir || '/';
    let dest = destRaw.startsWith('/') ? destRaw : path.posix.join(wd, destRaw) + (destRaw.endsWith('/') || destRaw === '.' ? '/' : '');
    if (destRaw.endsWith('/') && !dest.endsWith('/')) dest += '/';
    const view = await this.view(state);
    let tree: SourceTree = contextTree(this.b.ctx);
    const from = flags.get('from');
    if (from !== undefined) {
      const name = this.word(state, from);
      const imageId = await this.imageOf(name);
      tree = imageTree(new LayeredFs(imageId ? await this.b.d.images.layerDirs(imageId) : []));
    }
    const chownRaw = flags.get('chown');
    const chown = chownRaw ? await lookupOwner(view, this.word(state, chownRaw)) : undefined;
    const chmodRaw = flags.get('chmod');
    let chmod: number | undefined;
    if (chmodRaw !== undefined) {
      if (!/^[0-7]{3,4}$/.test(chmodRaw)) throw invalidArgument(`invalid chmod parameter: ${chmodRaw}`);
      chmod = parseInt(chmodRaw, 8);
    }
    const plan = await planCopy({ sources, dest, tree, image: view, add: instr === 'ADD' && from === undefined, instruction: instr, inline, ...(chown ? { chown } : {}), ...(chmod !== undefined ? { chmod } : {}) });
    const opts = [from !== undefined ? `--from=${from}` : '', chownRaw ? `--chown=${chownRaw}` : '', chmodRaw ? `--chmod=${chmodRaw}` : ''].filter(Boolean).join(' ');
    await this.commitLayer(state, `${instr} ${opts ? opts + ' ' : ''}${plan.identity} in ${dest} `, () => plan.tar());
  }
}
