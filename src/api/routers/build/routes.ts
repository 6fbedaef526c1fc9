import type { BuildOptions, BuildService, CachePruneOptions } from '../../../build/build-service.js';
import { BuildStepError } from '../../../build/build-service.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { parseFilters, parseTimestamp, validateFilterKeys } from '../../../util/index.js';
import { registryConfigAuth } from '../distribution/routes.js';
import type { RequestContext } from '../../server/context.js';
import type { Router } from '../../server/router.js';

export interface BuildBackend {
  builder: BuildService;
}

/**
 * POST /build, the classic builder's API: the body is the context tar, the answer a JSON-lines stream of
 * `{"stream": …}` (step output), `{"aux": {"ID": …}}` (each stage's image) and, on failure,
 * `{"errorDetail": {"code"?, "message"}, "error": …}` — a failing RUN's code is what the docker CLI exits with.
 * With `berthprogress=1` (berth build's --progress) the steps come as `{"berthStep": StepEvent}` lines, in
 * real time, instead of their `stream` text.
 */
export function buildRoutes(r: Router, b: BuildBackend): void {
  r.post('/build', async (ctx) => {
    const opts = buildOptions(ctx);
    // BuildKit (version=2) is a gRPC session the classic API cannot carry; /_ping says Builder-Version 1.
    if (ctx.str('version') === '2') throw invalidArgument('BuildKit is not supported by berthd: use the classic builder (DOCKER_BUILDKIT=0)');
    const remote = ctx.str('remote');
    if (remote && remote !== '-') throw invalidArgument(`cannot build from ${remote}: berth has no network access to fetch a remote context; pass the context as a tar instead`);
    const res = ctx.stream('application/json');
    const write = (v: unknown) => res.write(JSON.stringify(v) + '\r\n');
    try {
      const result = await b.builder.build(ctx.req, opts, {
        stream: (text) => write({ stream: text }),
        aux: (value) => write({ aux: value }),
        // berth's own extension, asked for with berthprogress=1 (the docker CLI never does): step events
        event: (e) => write({ berthStep: e }),
      });
      // Docker: with -q the output is only the image ID
      if (opts.quiet) write({ stream: result.imageId + '\n' });
    } catch (err) {
      const message = (err as Error).message;
      const detail = err instanceof BuildStepError ? { code: err.code, message } : { message };
      write({ errorDetail: detail, error: message });
    }
    res.end();
  });

  // The CLI's `builder prune`: the classic builder's step cache is its images (`image prune`); what it keeps
  // beside them is the RUN --mount=type=cache directories.
  // Filters: `until` (last used before), `id` (cache ids), `label` (matches none); `keep-storage` (and API 1.48's reserved-space
  // and max-used-space, which mean the same for a one-off prune): stop once the caches hold no more.
  r.post('/build/prune', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['until', 'id', 'label', 'label!']);
    // cache directories carry no labels (`system prune --filter label=…` passes its filters on)
    if (filters.get('label')?.length) return { CachesDeleted: [], SpaceReclaimed: 0 };
    const opts: CachePruneOptions = {};
    const until = filters.get('until');
    if (until?.length) opts.until = Math.min(...until.map((u) => parseTimestamp(u)));
    if (filters.get('id')?.length) opts.ids = filters.get('id');
    const sizes = ['keep-storage', 'reserved-space', 'max-used-space'].map((n) => byteCount(ctx, n)).filter((n) => n !== undefined);
    if (sizes.length) opts.keepBytes = Math.min(...sizes);
    const { deleted, reclaimed } = await b.builder.prune(opts);
    return { CachesDeleted: deleted, SpaceReclaimed: reclaimed };
  });
}

function byteCount(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.str(name);
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`invalid ${name}: ${raw}`);
  // 0 is the CLI's "not given"
  return n || undefined;
}

function jsonQuery<T>(ctx: RequestContext, name: string, fallback: T): T {
  const raw = ctx.str(name);
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw invalidArgument(`invalid ${name} JSON: ${raw}`);
  }
}

function buildOptions(ctx: RequestContext): BuildOptions {
  const opts: BuildOptions = {
    dockerfile: ctx.str('dockerfile') || 'Dockerfile',
    tags: ctx.query.getAll('t').filter(Boolean),
    buildArgs: jsonQuery<Record<string, string | null>>(ctx, 'buildargs', {}),
    labels: jsonQuery<Record<string, string>>(ctx, 'labels', {}),
    noCache: ctx.bool('nocache'),
    pull: ctx.bool('pull'),
    cacheFrom: jsonQuery<string[]>(ctx, 'cachefrom', []),
    quiet: ctx.bool('q'),
    networkMode: ctx.str('networkmode') || 'default',
    forceRemove: ctx.bool('forcerm'),
  };
  if (ctx.bool('berthprogress')) opts.progress = true;
  const auth = registryConfigAuth(ctx);
  if (Object.keys(auth).length) opts.registryAuth = auth;
  const target = ctx.str('target');
  if (target) opts.target = target;
  const platform = ctx.str('platform');
  if (platform) opts.platform = platform;
  return opts;
}
