import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { gunzipSync } from 'node:zlib';
import { EngineError, invalidArgument, notFound } from '../errdefs/index.js';
import type { ContainerService } from '../container/container-service.js';
import { isRuntimePlaceholder } from '../container/archive/changes.js';
import type { ImageCommitter, ImageRecord, ImageService } from '../image/index.js';
import { parseGoDuration } from '../image/index.js';
import type { ImageRunConfig } from '../oci/index.js';
import { familiarName, normalizeName, parseReference } from '../oci/index.js';
import { layerDiffTar } from '../snapshot/layer-diff.js';
import type { RootfsManager } from '../snapshot/rootfs-manager.js';
import { type Logger, shortId } from '../util/index.js';
import { type BuildOptions, type BuildOutput, type BuildResult, type BuildService, BuildStepError } from './build-service.js';
import { BuildContext } from './context.js';
import { contextTree, imageTree, planCopy, dirLayer, type SourceTree } from './copy-plan.js';
import { IgnoreMatcher } from './dockerignore.js';
import { LayeredFs } from './layered-fs.js';
import type { Node } from './parser/node.js';
import { DockerfileParseError, nodeFromLine, parseDockerfile } from './parser/parser.js';
import { ShellLex, ShellLexError } from './parser/shell-lex.js';
import { checkInstruction, DockerfileError, planStages, type Stage } from './stages.js';
import { lookupOwner } from './owner.js';

export interface BuilderDeps {
  images: ImageService & ImageCommitter;
  containers: ContainerService;
  rootfs: RootfsManager;
  logger: Logger;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** build args usable without an ARG (moby's builtinAllowedBuildArgs) */
const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

interface StageState {
  imageId: string;
  config: ImageRunConfig;
  author?: string;
  /** ARGs declared in this stage, with their values */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
}

/** One build: its context, options, output and what the stages produced. */
class Build {
  private readonly lex: ShellLex;
  private readonly metaArgs = new Map<string, string | undefined>();
  private readonly usedArgs = new Set<string>();
  private readonly stageResults = new Map<string, string>();
  private step = 0;
  private total = 0;
  private cacheCandidates?: Set<string>;

  constructor(
    private readonly d: BuilderDeps,
    private readonly ctx: BuildContext,
    private readonly opts: BuildOptions,
    private readonly out: BuildOutput,
    escape: '\\' | '`',
  ) {
    this.lex = new ShellLex(escape);
  }

  private say(text: string): void {
    if (!this.opts.quiet) this.out.stream(text);
  }

  async run(metaArgs: Node[], stages: Stage[]): Promise<string> {
    if (this.opts.cacheFrom.length) this.cacheCandidates = await this.cacheFromSet();
    this.total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
    for (const node of metaArgs) {
      this.printStep(node);
      for (const word of node.args) {
        const { name, value } = this.argWord(word, (k) => this.metaArgs.get(k));
        const given = this.opts.buildArgs[name];
        this.metaArgs.set(name, given !== undefined && given !== null ? given : value);
        if (given !== undefined) this.usedArgs.add(name);
      }
    }
    let last = '';
    for (const stage of stages) {
      const state = await this.from(stage);
      for (const node of stage.commands) {
        this.printStep(node);
        await this.dispatch(state, node);
        this.say(` ---> ${shortId(state.imageId)}\n`);
      }
      this.out.aux({ ID: state.imageId });
      if (stage.name) this.stageResults.set(stage.name, state.imageId);
      this.stageResults.set(String(stage.index), state.imageId);
      last = state.imageId;
    }
    const unused = Object.keys(this.opts.buildArgs).filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.has(k)).sort();
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    if (!last) throw invalidArgument('No image was generated. Is your Dockerfile empty?');
    return last;
  }

  private printStep(node: Node): void {
    this.step++;
    this.say(`Step ${this.step}/${this.total} : ${node.original.trim()}\n`);
  }

  // ------------------------------------------------------------------ variables

  private env(state: StageState): (name: string) => string | undefined {
    const env = new Map<string, string>();
    for (const kv of state.config.Env ?? []) {
      const i = kv.indexOf('=');
      env.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
    }
    return (name) => env.get(name) ?? state.args.get(name);
  }

  private word(state: StageState, s: string): string {
    try {
      return this.lex.processWord(s, this.env(state));
    } catch (err) {
      if (err instanceof ShellLexError) throw invalidArgument(err.message);
      throw err;
    }
  }

  private argWord(word: string, env: (k: string) => string | undefined): { name: string; value: string | undefined } {
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

  /** Build args in RUN's environment (not overridden by ENV), sorted, as `k=v`. */
  private runArgs(state: StageState): string[] {
    const envKeys = new Set((state.config.Env ?? []).map((e) => e.split('=')[0]));
    const out: string[] = [];
    for (const [k, v] of state.args) if (v !== undefined && !envKeys.has(k)) out.push(`${k}=${v}`);
    for (const k of PROXY_ARGS) {
      const v = this.opts.buildArgs[k];
      if (v !== undefined && v !== null && !state.args.has(k) && !envKeys.has(k)) out.push(`${k}=${v}`);
    }
    return out.sort();
  }

  // ------------------------------------------------------------------ FROM

  private async from(stage: Stage): Promise<StageState> {
    this.printStep(stage.from);
    const flags = parseFlags(stage.from, ['platform']);
    void flags;
    let base: string;
    try {
      base = this.lex.processWord(stage.from.args[0]!, (k) => this.metaArgs.get(k));
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
    if (!base) throw invalidArgument(`base name (${stage.from.args[0]}) should not be blank`);
    const state: StageState = { imageId: '', config: {}, args: new Map(), cmdSet: false };
    const earlier = this.stageResults.get(base.toLowerCase());
    if (base.toLowerCase() === 'scratch') {
      state.config = {};
    } else {
      let image: ImageRecord;
      if (earlier !== undefined && !/^\d+$/.test(base)) image = await this.d.images.resolve(earlier);
      else image = await this.resolveBase(base);
      state.imageId = image.id;
      state.config = structuredClone(image.config.config ?? {});
      if (image.config.author) state.author = image.config.author;
    }
    this.say(` ---> ${state.imageId ? shortId(state.imageId) : ''}\n`);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      delete state.config.OnBuild;
      for (const t of triggers) {
        const node = nodeFromLine(t, this.lex.escape);
        checkInstruction(node);
        await this.dispatch(state, node);
      }
      this.say(` ---> ${shortId(state.imageId)}\n`);
    }
    return state;
  }

  private async resolveBase(ref: string): Promise<ImageRecord> {
    let normalized: string;
    try {
      normalized = normalizeName(ref);
    } catch {
      throw invalidArgument(`invalid reference format: ${ref}`);
    }
    try {
      return await this.d.images.resolve(ref);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'NotFound') {
        const repo = familiarName(normalized).replace(/:[^:/]+$/, '');
        throw notFound(`pull access denied for ${repo}, repository does not exist or may require 'docker login': berth builds only from local images (no registry access); load or build ${familiarName(normalized)} first`);
      }
      throw err;
    }
  }

  // ------------------------------------------------------------------ dispatch

  private async dispatch(state: StageState, node: Node): Promise<void> {
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
          const { name, value } = this.argWord(word, this.env(state));
          const given = this.opts.buildArgs[name];
          let v = value;
          if (given !== undefined && given !== null) v = given;
          else if (v === undefined && this.metaArgs.has(name)) v = this.metaArgs.get(name);
          if (given !== undefined) this.usedArgs.add(name);
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
        return this.runStep(state, node, shell);
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

  private async view(state: StageState): Promise<LayeredFs> {
    return new LayeredFs(state.imageId ? await this.d.images.layerDirs(state.imageId) : []);
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

  /** An image made from `parent` by a step with this container config, if one exists. */
  private async probe(parent: string, cc: ImageRunConfig): Promise<ImageRecord | undefined> {
    if (this.opts.noCache) return undefined;
    const key = canonical(cc);
    for (const img of await this.d.images.list()) {
      if ((img.parent ?? '') !== parent || !img.config.container_config) continue;
      if (this.cacheCandidates && !this.cacheCandidates.has(img.id)) continue;
      if (canonical(img.config.container_config) === key) return img;
    }
    return undefined;
  }

  private useCache(state: StageState, img: ImageRecord): void {
    this.say(' ---> Using cache\n');
    state.imageId = img.id;
    state.config = structuredClone(img.config.config ?? {});
    if (img.config.author) state.author = img.config.author;
  }

  private commentConfig(state: StageState, comment: string): ImageRunConfig {
    const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
    return { ...structuredClone(state.config), Cmd: [...shell, `#(nop) ${comment}`] };
  }

  private async commitMeta(state: StageState, comment: string): Promise<void> {
    const cc = this.commentConfig(state, ` ${comment}`);
    const hit = await this.probe(state.imageId, cc);
    if (hit) return this.useCache(state, hit);
    const img = await this.d.images.commit({
      parent: state.imageId,
      config: state.config,
      containerConfig: cc,
      createdBy: (cc.Cmd ?? []).join(' '),
      ...(state.author ? { author: state.author } : {}),
    });
    state.imageId = img.id;
  }

  private async commitLayer(state: StageState, comment: string, tar: () => Readable, identity?: string): Promise<void> {
    void identity;
    const cc = this.commentConfig(state, comment);
    const hit = await this.probe(state.imageId, cc);
    if (hit) return this.useCache(state, hit);
    const img = await this.d.images.commit({
      parent: state.imageId,
      diff: tar(),
      config: state.config,
      containerConfig: cc,
      createdBy: (cc.Cmd ?? []).join(' '),
      ...(state.author ? { author: state.author } : {}),
    });
    state.imageId = img.id;
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
    let tree: SourceTree = contextTree(this.ctx);
    const from = flags.get('from');
    if (from !== undefined) {
      const name = this.word(state, from);
      const stageImage = this.stageResults.get(name.toLowerCase());
      let imageId: string;
      if (stageImage !== undefined) imageId = stageImage;
      else {
        if (/^\d+$/.test(name)) throw invalidArgument(`invalid from flag value ${name}: refers to current build stage or a stage not yet built`);
        imageId = (await this.resolveBase(name)).id;
      }
      tree = imageTree(new LayeredFs(imageId ? await this.d.images.layerDirs(imageId) : []));
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

  // ------------------------------------------------------------------ RUN

  private async runStep(state: StageState, node: Node, shell: string[]): Promise<void> {
    const flags = parseFlags(node, ['network', 'mount', 'security']);
    if (flags.has('mount')) throw invalidArgument('RUN --mount is a BuildKit feature the classic builder does not have');
    if (flags.has('security')) throw invalidArgument('RUN --security is a BuildKit feature the classic builder does not have');
    let cmd: string[];
    if (node.json) cmd = node.args;
    else {
      let script = node.args[0] ?? '';
      if (node.heredocs.length) {
        const only = /^\s*\d*<<-?\S+\s*$/.test(script) && node.heredocs.length === 1;
        script = only ? node.heredocs[0]!.content : script + '\n' + node.heredocs.map((h) => h.content + h.name + '\n').join('');
      }
      cmd = [...shell, script];
    }
    const argEnv = this.runArgs(state);
    const cc: ImageRunConfig = { ...structuredClone(state.config), Cmd: argEnv.length ? [`|${argEnv.length}`, ...argEnv, ...cmd] : cmd };
    const hit = await this.probe(state.imageId, cc);
    if (hit) return this.useCache(state, hit);
    if (!state.imageId) throw invalidArgument(`The command '${cmd.join(' ')}' cannot run: the stage has no base image (FROM scratch) and so no shell`);
    const network = flags.get('network') ?? this.opts.networkMode;
    const mode = network === 'default' || network === '' ? 'bridge' : network;
    if (!['bridge', 'none', 'host'].includes(mode)) throw invalidArgument(`unsupported network mode for RUN: ${network}`);
    const created = await this.d.containers.create({
      Image: state.imageId,
      Cmd: cmd,
      Entrypoint: [''],
      Env: [...(state.config.Env ?? []), ...argEnv],
      WorkingDir: state.config.WorkingDir ?? '',
      User: state.config.User ?? '',
      Healthcheck: { Test: ['NONE'] },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: mode },
    } as never);
    const id = created.Id;
    this.say(` ---> Running in ${shortId(id)}\n`);
    let removed = false;
    try {
      const dec = new StringDecoder('utf8');
      let ended!: () => void;
      const end = new Promise<void>((r) => (ended = r));
      await this.d.containers.attach(id, {
        onData: (_s, data) => {
          const t = dec.write(data);
          if (t) this.say(t);
        },
        onEnd: () => ended(),
      });
      const exit = this.d.containers.wait(id, 'next-exit');
      await this.d.containers.start(id);
      const { StatusCode } = await exit;
      await Promise.race([end, new Promise((r) => setTimeout(r, 2000))]);
      const rest = dec.end();
      if (rest) this.say(rest);
      if (StatusCode !== 0) throw new BuildStepError(`The command '${cmd.join(' ')}' returned a non-zero code: ${StatusCode}`, StatusCode);
      const upper = this.d.rootfs.upperDir(id);
      const lowerDirs = await this.d.images.layerDirs(state.imageId);
      const img = await this.d.images.commit({
        parent: state.imageId,
        diff: layerDiffTar(upper, { skip: (rel, st) => isRuntimePlaceholder(upper, lowerDirs, rel, st) }),
        config: state.config,
        containerConfig: cc,
        containerId: id,
        createdBy: (cc.Cmd ?? []).join(' '),
        ...(state.author ? { author: state.author } : {}),
      });
      state.imageId = img.id;
    } finally {
      await this.d.containers.remove(id, { force: true }).then(() => (removed = true), (err) => this.d.logger.warn('could not remove build container', { id, error: err }));
      if (removed) this.say(` ---> Removed intermediate container ${shortId(id)}\n`);
    }
  }
}

/** The classic builder over berth's image store and container lifecycle. */
export class ClassicBuilder implements BuildService {
  constructor(private readonly d: BuilderDeps) {}

  async build(body: Readable, opts: BuildOptions, out: BuildOutput): Promise<BuildResult> {
    const tags = opts.tags.map((t) => {
      try {
        const ref = parseReference(t);
        if (ref.digest) throw new Error('digest');
        return normalizeName(t);
      } catch {
        throw invalidArgument(`invalid reference format: repository name (${t}) must be lowercase`.replace(/: repository name.*$/, `: ${t}`));
      }
    });
    const ctx = await readContext(body);
    const dfName = ctx.resolve(opts.dockerfile || 'Dockerfile');
    const dfData = ctx.readFile(dfName) ?? (opts.dockerfile ? undefined : ctx.readFile('dockerfile'));
    if (!dfData) throw invalidArgument(`Cannot locate specified Dockerfile: ${opts.dockerfile || 'Dockerfile'}`);
    const ignoreData = ctx.readFile('.dockerignore');
    if (ignoreData) ctx.applyIgnore(new IgnoreMatcher(ignoreData.toString('utf8')));
    let ast;
    try {
      ast = parseDockerfile(dfData.toString('utf8'));
    } catch (err) {
      if (err instanceof DockerfileParseError) throw invalidArgument(`Dockerfile parse error line ${err.line}: ${err.message}`);
      throw err;
    }
    const plan = planStages(ast);
    let stages = plan.stages;
    if (opts.target) {
      const at = stages.findIndex((s) => s.name === opts.target!.toLowerCase());
      if (at < 0) throw invalidArgument(`failed to reach build target ${opts.target} in Dockerfile`);
      stages = stages.slice(0, at + 1);
    }
    stages = neededStages(stages);
    const labels = Object.entries(opts.labels);
    if (labels.length) {
      const last = stages[stages.length - 1]!;
      const text = 'LABEL ' + labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
      last.commands = [...last.commands, { ...nodeFromLine(text, ast.escapeToken), original: text }];
    }
    const build = new Build(this.d, ctx, opts, out, ast.escapeToken);
    const imageId = await build.run(plan.metaArgs, stages);
    if (!opts.quiet) out.stream(`Successfully built ${shortId(imageId)}\n`);
    for (const t of tags) {
      await this.d.images.tag(imageId, t);
      if (!opts.quiet) out.stream(`Successfully tagged ${familiarName(t)}\n`);
    }
    return { imageId, tags };
  }
}

export { DockerfileError };

/**
 * BuildKit's rule rather than the classic builder's: only the target stage and the stages it needs (as
 * its base, or through COPY --from, transitively) are built; the others are skipped.
 */
function neededStages(stages: Stage[]): Stage[] {
  const byRef = new Map<string, Stage>();
  for (const s of stages) {
    byRef.set(String(s.index), s);
    if (s.name) byRef.set(s.name, s);
  }
  const needed = new Set<Stage>();
  const visit = (s: Stage) => {
    if (needed.has(s)) return;
    needed.add(s);
    const base = byRef.get((s.from.args[0] ?? '').toLowerCase());
    if (base && base.index < s.index && !/^\d+$/.test(s.from.args[0] ?? '')) visit(base);
    for (const c of s.commands) {
      for (const f of c.flags) {
        const m = /^--from=(.*)$/.exec(f);
        const dep = m ? byRef.get(m[1]!.toLowerCase()) : undefined;
        if (dep && dep.index < s.index) visit(dep);
      }
    }
  };
  visit(stages[stages.length - 1]!);
  return stages.filter((s) => needed.has(s));
}

/** The request body: a tar (maybe gzip'd), or a lone Dockerfile. */
async function readContext(body: Readable): Promise<BuildContext> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  let data = Buffer.concat(chunks);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const isTar = data.length >= 512 && (data.subarray(257, 262).toString() === 'ustar' || data.subarray(0, 512).every((b) => b === 0));
  if (!isTar) return BuildContext.withFile('Dockerfile', data);
  // The docker CLI's `-f -` rewrite of the context tar can end short of a block and without the two zero
  // blocks (Go's archive/tar reader tolerates it); pad it as Go's reader would read it.
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512 + 1024);
  const { Readable: R } = await import('node:stream');
  return BuildContext.fromTar(R.from([Buffer.concat([data, pad])]));
}

/** Leading `--name=value` flags of an instruction; unknown names are refused. */
function parseFlags(node: Node, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of node.flags) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(f);
    if (!m || !allowed.includes(m[1]!)) throw invalidArgument(`Dockerfile parse error line ${node.startLine}: unknown flag: ${m?.[1] ?? f}`);
    out.set(m[1]!, m[2] ?? 'true');
  }
  return out;
}

function expandPorts(spec: string): string[] {
  const m = /^(?:([0-9.]+):)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw invalidArgument(`Invalid containerPort: ${spec}`);
  const lo = Number(m[2]);
  const hi = m[3] ? Number(m[3]) : lo;
  const proto = (m[4] ?? 'tcp').toLowerCase();
  if (hi < lo || hi > 65535) throw invalidArgument(`Invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

function goList(list: readonly string[]): string {
  return '[' + list.map((s) => JSON.stringify(s)).join(' ') + ']';
}

/** JSON with sorted keys, for comparing configs. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => JSON.stringify(k) + ':' + canonical((v as Record<string, unknown>)[k])).join(',') + '}';
  }
  return JSON.stringify(v ?? null);
}
