import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { RequestContext } from '../../server/context.js';
import type { ContainerFilesService, PathStat } from '../../../container/archive/index.js';
import { encodePathStat } from '../../../container/archive/index.js';
import type { ContainerConfig } from '../../types/container.js';
import { invalidArgument } from '../../../errdefs/index.js';

export interface ArchiveBackend {
  files: ContainerFilesService;
}

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function headers(ctx: RequestContext, extra: Record<string, string>): Record<string, string> {
  return { 'Api-Version': ctx.version, Server: 'berth', Ostype: 'linux', 'Docker-Experimental': 'false', ...extra };
}

/** Streams a tar as the 200 answer; an error after the head can only cut the stream short (as Docker). */
async function sendTar(ctx: RequestContext, tar: Readable, extra: Record<string, string> = {}): Promise<void> {
  const res = ctx.res as ServerResponse;
  ctx.handled = true;
  res.writeHead(200, headers(ctx, { 'Content-Type': 'application/x-tar', ...extra }));
  await pipeline(tar, res);
}

function requiredPath(ctx: RequestContext): string {
  const p = ctx.str('path');
  // Docker: `path` is required; an empty value is refused the same way.
  if (!p) throw invalidArgument('path parameter is required');
  return p;
}

/** The files of a container: archive (docker cp), export, changes (diff) and commit. */
export function archiveRoutes(r: Router, b: ArchiveBackend): void {
  const f = b.files;

  // HEAD is registered before GET: the router lets HEAD fall through to a GET route of the same path.
  // Docker answers HEAD with the stat header only; a missing path is a bare 404.
  r.head('/containers/{id}/archive', async (ctx) => {
    const stat = await f.statPath(ctx.params.id!, requiredPath(ctx));
    ctx.handled = true;
    ctx.res!.writeHead(200, headers(ctx, { [STAT_HEADER]: encodePathStat(stat), 'Content-Type': 'application/json' }));
    ctx.res!.end();
  });

  r.get('/containers/{id}/archive', async (ctx) => {
    await f.archive(ctx.params.id!, requiredPath(ctx), (stat: PathStat, tar) => sendTar(ctx, tar, { [STAT_HEADER]: encodePathStat(stat) }));
  });

  // Docker: noOverwriteDirNonDir and copyUIDGID are flags ("1"/"true"); the body is a tar, possibly
  // compressed; the answer is a bare 200.
  r.put('/containers/{id}/archive', async (ctx) => {
    await f.extract(ctx.params.id!, requiredPath(ctx), ctx.req, {
      noOverwriteDirNonDir: ctx.bool('noOverwriteDirNonDir'),
      copyUIDGID: ctx.bool('copyUIDGID'),
    });
    return new Reply(200);
  });

  r.get('/containers/{id}/export', async (ctx) => {
    await f.export(ctx.params.id!, (tar) => sendTar(ctx, tar));
  });

  // Docker answers `null` when nothing changed, which `docker diff` prints as nothing.
  r.get('/containers/{id}/changes', async (ctx) => {
    const changes = await f.changes(ctx.params.id!);
    return new Reply(200, changes.length ? changes : null);
  });

  // Docker: `container` may be empty → 404 "No such container: "; `pause` defaults to true since API
  // 1.13; `changes` repeats; the body is a container Config merged over the container's own (or null).
  r.post('/commit', async (ctx) => {
    const body = await ctx.json<ContainerConfig | null>();
    const res = await f.commit({
      container: ctx.str('container') ?? '',
      repo: ctx.str('repo') || undefined,
      tag: ctx.str('tag') || undefined,
      comment: ctx.str('comment') || undefined,
      author: ctx.str('author') || undefined,
      pause: ctx.bool('pause', true),
      changes: ctx.query.getAll('changes'),
      config: body ?? undefined,
    });
    return new Reply(201, res);
  });
}
