import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import { versionAtLeast } from '../../server/version.js';
import type { VolumeService } from '../../../volume/index.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { parseFilters } from '../../../util/index.js';
import { volumeJson } from './wire.js';

export interface VolumeBackend {
  volumes: VolumeService;
}

interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function volumeRoutes(r: Router, b: VolumeBackend): void {
  const volumes = b.volumes;

  r.post('/volumes/create', async (ctx) => {
    const body = (await ctx.json<VolumeCreateBody>()) ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('invalid JSON body');
    const v = await volumes.create({ name: body.Name, driver: body.Driver, options: body.DriverOpts, labels: body.Labels });
    return new Reply(201, volumeJson(v));
  });

  r.get('/volumes', async (ctx) => {
    const list = volumes.list(parseFilters(ctx.str('filters')));
    return { Volumes: list.map((v) => volumeJson(v)), Warnings: null };
  });

  // Docker: before API 1.42 prune removed named volumes too; from 1.42 only anonymous ones unless all=true.
  r.post('/volumes/prune', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    if (!versionAtLeast(ctx.version, '1.42')) filters.set('all', ['true']);
    return volumes.prune(filters);
  });

  r.get('/volumes/{name}', async (ctx) => volumeJson(volumes.get(ctx.params.name!)));

  r.delete('/volumes/{name}', async (ctx) => {
    await volumes.remove(ctx.params.name!, { force: ctx.bool('force') });
    return new Reply(204);
  });
}
