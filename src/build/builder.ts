import path from 'node:path';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { invalidArgument } from '../errdefs/index.js';
import { familiarName, normalizeName, parseReference } from '../oci/index.js';
import { shortId } from '../util/index.js';
import { Build, type BuilderDeps } from './build-run.js';
import type { BuildOptions, BuildOutput, BuildResult, BuildService } from './build-service.js';
import { BuildContext } from './context.js';
import { IgnoreMatcher } from './dockerignore.js';
import { type CachePruneOptions, CacheMounts } from './mounts/cache-mounts.js';
import { BuildWorkspace, sweepWorkspaces } from './mounts/workspace.js';
import { DockerfileParseError, nodeFromLine, parseDockerfile } from './parser/parser.js';
import { DockerfileError, planStages } from './stages.js';

export type { BuilderDeps };

/** The classic builder over berth's image store and container lifecycle. */
export class ClassicBuilder implements BuildService {
  private readonly caches: CacheMounts;
  private readonly tmpRoot: string;
  private swept?: Promise<void>;

  constructor(private readonly d: BuilderDeps) {
    this.caches = new CacheMounts(path.join(d.dataRoot, 'build', 'cache'));
    this.tmpRoot = path.join(d.dataRoot, 'build', 'tmp');
  }

  prune(opts: CachePruneOptions = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    return this.caches.prune(opts);
  }

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
    // what a build cut short by a dead daemon left (the builder is made at the first build)
    await (this.swept ??= sweepWorkspaces(this.tmpRoot, this.d.logger));
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
    const labels = Object.entries(opts.labels);
    if (labels.length) {
      const last = stages[stages.length - 1]!;
      const text = 'LABEL ' + labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
      last.commands = [...last.commands, { ...nodeFromLine(text, ast.escapeToken), original: text }];
    }
    const workspace = new BuildWorkspace(this.tmpRoot, this.d.logger);
    let imageId: string;
    try {
      imageId = await new Build(this.d, ctx, opts, out, workspace, this.caches, ast.escapeToken).run(plan.metaArgs, stages);
    } finally {
      await workspace.dispose();
    }
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
 * The request body: a tar (maybe gzip'd), or a lone Dockerfile. A plain tar is parsed while it arrives,
 * so the parsing overlaps the client's packing of the context instead of following it.
 */
async function readContext(body: Readable): Promise<BuildContext> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < 512) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    chunks.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(chunks);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  if (gzip || (ended && !isTarHead(head))) {
    // rare (docker build --compress, a Dockerfile alone): the whole body first
    const all: Buffer[] = [head];
    if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) all.push(r.value);
    let data = Buffer.concat(all);
    if (gzip) data = gunzipSync(data);
    if (!isTarHead(data)) return BuildContext.withFile('Dockerfile', data);
    return BuildContext.fromTar([data]);
  }
  if (!isTarHead(head)) {
    const all: Buffer[] = [head];
    for (let r = await it.next(); !r.done; r = await it.next()) all.push(r.value);
    return BuildContext.withFile('Dockerfile', Buffer.concat(all));
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return BuildContext.fromTar(rest());
}

function isTarHead(data: Buffer): boolean {
  return data.length >= 512 && (data.subarray(257, 262).toString() === 'ustar' || data.subarray(0, 512).every((b) => b === 0));
}
