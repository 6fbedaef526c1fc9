import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { ImageService } from '../../../image/image-service.js';
import { notFound, invalidArgument } from '../../../errdefs/index.js';
import { familiarName, familiarRepository, normalizeName, parseReference } from '../../../oci/index.js';
import { matchLabels, parseFilters, validateFilterKeys } from '../../../util/index.js';
import { imageInspect, imageSummary } from './wire.js';
import type { RegistryClient } from '../distribution/routes.js';
import { pullError, registryAuth, streamProgress } from '../distribution/routes.js';

export interface ImageBackend {
  images: ImageService;
  /** pull and push; without it, fromImage answers "pull access denied" */
  registry?: RegistryClient;
  containerUsing(imageId: string): { id: string; running: boolean } | undefined;
  containerCount(imageId: string): number;
}

export function imageRoutes(r: Router, b: ImageBackend): void {
  const images = b.images;

  r.get('/images/json', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['dangling', 'label', 'before', 'since', 'reference', 'until']);
    const all = ctx.bool('all');
    let list = await images.list();
    const dangling = filters.get('dangling')?.[0];
    if (dangling !== undefined) {
      if (!['true', 'false', '1', '0'].includes(dangling)) throw invalidArgument(`invalid filter 'dangling=${dangling}'`);
      const want = dangling === 'true' || dangling === '1';
      list = list.filter((i) => (i.repoTags.length === 0) === want);
    } else if (!all) {
      // Without -a, intermediate images (untagged with a child) are hidden; berth has no such images yet.
    }
    const labels = filters.get('label');
    if (labels) list = list.filter((i) => matchLabels(i.config.config?.Labels, labels));
    const refs = filters.get('reference');
    if (refs) {
      // Docker narrows each image's RepoTags to the matching ones and drops images with none left.
      const matches = (t: string) => refs.some((p) => globMatch(p, familiarName(t)) || globMatch(p, familiarName(t).replace(/:[^:/]+$/, '')));
      list = list.map((i) => ({ ...i, repoTags: i.repoTags.filter(matches) })).filter((i) => i.repoTags.length > 0);
    }
    for (const k of ['before', 'since'] as const) {
      const v = filters.get(k)?.[0];
      if (!v) continue;
      const ref = await images.resolve(v);
      list = list.filter((i) => (k === 'before' ? i.created < ref.created : i.created > ref.created));
    }
    list.sort((a, z) => (a.created < z.created ? 1 : a.created > z.created ? -1 : 0));
    return list.map((i) => imageSummary(i, b.containerCount(i.id)));
  });

  r.get('/images/{name:.*}/json', async (ctx) => imageInspect(await images.resolve(ctx.params.name!)));
  r.get('/images/{name:.*}/history', async (ctx) => images.history(ctx.params.name!));

  r.post('/images/{name:.*}/tag', async (ctx) => {
    const repo = ctx.str('repo');
    if (!repo) throw invalidArgument('repository name must have at least one component');
    const tag = ctx.str('tag');
    const target = tag ? `${repo}:${tag}` : repo;
    await images.tag(ctx.params.name!, normalizeName(target));
    return new Reply(201);
  });

  r.post('/images/{name:.*}/push', async (ctx) => {
    const registry = b.registry;
    if (!registry) throw notFound('pushing needs the registry client');
    const name = ctx.params.name!;
    const tag = ctx.str('tag') || undefined;
    // dockerd answers 404 before streaming when nothing local has the name
    if (tag) await images.resolve(`${name}:${tag}`);
    const auth = registryAuth(ctx);
    await streamProgress(ctx, (say) => registry.push(name, tag, { auth, progress: say }));
  });

  r.delete('/images/{name:.*}', async (ctx) =>
    images.remove(ctx.params.name!, { force: ctx.bool('force'), noPrune: ctx.bool('noprune'), containerUsing: (id) => b.containerUsing(id) }),
  );

  r.post('/images/prune', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['dangling', 'label', 'label!', 'until']);
    const dangling = filters.get('dangling')?.[0];
    return images.prune({ all: dangling === 'false' || dangling === '0', filters, containerUsing: (id) => b.containerUsing(id) });
  });

  r.post('/images/create', async (ctx) => {
    const fromSrc = ctx.str('fromSrc');
    const fromImage = ctx.str('fromImage');
    if (fromSrc === undefined && fromImage === undefined) throw invalidArgument('either fromSrc or fromImage must be given');
    if (fromImage !== undefined) {
      const ref = parseReference(fromImage);
      const registry = b.registry;
      if (!registry) throw notFound(`pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login'`);
      // Docker: `tag` is a tag or a digest; it replaces one given in fromImage
      const tag = ctx.str('tag');
      const name = tag ? `${familiarRepository(ref)}${tag.includes(':') ? '@' : ':'}${tag}` : fromImage;
      const auth = registryAuth(ctx);
      await streamProgress(ctx, async (say) => {
        await registry.pull(name, { platform: ctx.str('platform') || undefined, auth, progress: say }).catch(pullError);
      });
      return;
    }
    if (fromSrc !== '-') throw invalidArgument(`importing from a URL is not possible here (no network): ${fromSrc}; pipe the file instead: berth import - < file.tar`);
    const repo = ctx.str('repo');
    const tag = ctx.str('tag');
    const reference = repo ? normalizeName(tag ? `${repo}:${tag}` : repo) : undefined;
    const changes = ctx.query.getAll('changes');
    const res = ctx.stream('application/json');
    try {
      const img = await images.importRootfs(ctx.req.pipe(new PassThrough()), { reference, changes, message: ctx.str('message'), platform: ctx.str('platform') });
      res.end(JSON.stringify({ status: img.id }) + '\n');
    } catch (err) {
      const message = (err as Error).message;
      res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\n');
    }
  });

  r.get('/images/get', async (ctx) => {
    const names = ctx.query.getAll('names');
    if (names.length === 0) throw invalidArgument('no images given');
    for (const n of names) await images.resolve(n);
    const res = ctx.stream('application/x-tar');
    await images.save(names, res);
    if (!res.writableEnded) res.end();
  });
  r.get('/images/{name:.*}/get', async (ctx) => {
    await images.resolve(ctx.params.name!);
    const res = ctx.stream('application/x-tar');
    await images.save([ctx.params.name!], res);
    if (!res.writableEnded) res.end();
  });

  r.post('/images/load', async (ctx) => {
    const quiet = ctx.bool('quiet');
    const res = ctx.stream('application/json');
    try {
      let input: NodeJS.ReadableStream = ctx.req;
      const first = await peek(ctx.req);
      if (first && first[0] === 0x1f && first[1] === 0x8b) input = ctx.req.pipe(createGunzip());
      // Docker's progress message for a layer: {"status":"Loading layer","id":"<12 hex>",…}
      const progress = (line: string) => {
        const m = /^Loading layer (\w+)$/.exec(line);
        res.write(JSON.stringify(m ? { status: 'Loading layer', progressDetail: {}, id: m[1] } : { status: line }) + '\n');
      };
      const lines = await images.load(input as never, quiet ? undefined : progress);
      for (const l of lines) res.write(JSON.stringify({ stream: l + '\n' }) + '\n');
      res.end();
    } catch (err) {
      const message = (err as Error).message;
      res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\n');
    }
  });
}

/** Reads the first chunk and puts it back. */
async function peek(stream: NodeJS.ReadableStream & { unshift(chunk: Buffer): void }): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const onReadable = () => {
      const chunk = (stream as unknown as { read(): Buffer | null }).read();
      stream.removeListener('readable', onReadable);
      stream.removeListener('end', onEnd);
      if (chunk) stream.unshift(chunk);
      resolve(chunk ?? undefined);
    };
    const onEnd = () => resolve(undefined);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
  });
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return re.test(s);
}
