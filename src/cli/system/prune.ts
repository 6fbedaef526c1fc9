import { ApiError } from '../../client/index.js';
import type { CommandDef } from '../command.js';
import { sizeFlag } from '../container/create-options.js';
import { parseFilterFlags } from '../filter-flags.js';
import { humanSize } from '../format/humanize.js';
import { confirm } from '../prompt.js';

/**
 * `system prune`: containers, networks, (with --volumes) volumes, then images, as docker does, each
 * section printed when it deleted something, and last the build cache (RUN --mount=type=cache dirs).
 */
export const systemPruneCommand: CommandDef = {
  path: ['system', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused data',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused images not just dangling ones' },
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "label=<key>=<value>")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
    { name: 'volumes', type: 'bool', description: 'Prune anonymous volumes' },
  ],
  async run(ctx, flags) {
    const all = flags.bool('all');
    const volumes = flags.bool('volumes');
    const items = [
      'all stopped containers',
      'all networks not used by at least one container',
      ...(volumes ? ['all anonymous volumes not used by at least one container'] : []),
      all ? 'all images without at least one container associated to them' : 'all dangling images',
      all ? 'all build cache' : 'unused build cache',
    ];
    const warning = `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}\nAre you sure you want to continue?`;
    if (!flags.bool('force') && !(await confirm(ctx, warning))) return 0;
    const client = ctx.client();
    const filters = parseFilterFlags(flags.list('filter'), '--filter');
    let space = 0;
    const section = (title: string, lines: string[]): void => {
      if (lines.length) ctx.out(`${title}:\n${lines.map((l) => `${l}\n`).join('')}\n`);
    };
    const c = await client.containerPrune(filters);
    space += c.SpaceReclaimed ?? 0;
    section('Deleted Containers', c.ContainersDeleted ?? []);
    try {
      const n = await client.networkPrune(filters);
      section('Deleted Networks', n.NetworksDeleted ?? []);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err; // a daemon without networks
    }
    if (volumes) {
      const v = await client.volumePrune(filters);
      space += v.SpaceReclaimed ?? 0;
      section('Deleted Volumes', v.VolumesDeleted ?? []);
    }
    const i = await client.imagePrune({ ...filters, dangling: [all ? 'false' : 'true'] });
    space += i.SpaceReclaimed ?? 0;
    section(
      'Deleted Images',
      (i.ImagesDeleted ?? []).map((d) => (d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)),
    );
    // the build cache has no labels here: only `until` applies to it
    const b = await client.buildPrune(all, filters.until ? { until: filters.until } : undefined);
    space += b.SpaceReclaimed ?? 0;
    section('Deleted build cache objects', b.CachesDeleted ?? []);
    ctx.out(`Total reclaimed space: ${humanSize(space, 4)}\n`);
  },
};

/** `builder prune`: the build cache the builder keeps beside its images. */
export const builderPruneCommand: CommandDef = {
  path: ['builder', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove build cache',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused build cache, not just dangling ones' },
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "until=24h")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
    { name: 'keep-storage', type: 'string', description: 'Amount of disk space to keep for cache' },
  ],
  async run(ctx, flags) {
    const filters = parseFilterFlags(flags.list('filter'), '--filter');
    const keep = sizeFlag(flags, 'keep-storage', '--keep-storage');
    const warning = flags.bool('all') ? 'WARNING! This will remove all build cache.' : 'WARNING! This will remove all dangling build cache.';
    if (!flags.bool('force') && !(await confirm(ctx, `${warning} Are you sure you want to continue?`))) return 0;
    const res = await ctx.client().buildPrune(flags.bool('all'), filters, keep);
    const deleted = res.CachesDeleted ?? [];
    if (deleted.length) ctx.out(`Deleted build cache objects:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0, 4)}\n`);
  },
};
