import { ApiError } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { parseFilterFlags } from '../filter-flags.js';
import { humanSize } from '../format/humanize.js';
import { FormatterContext, renderList } from '../format/list-format.js';
import { naturalCompare } from '../format/strings.js';
import { confirm } from '../prompt.js';

/** `volume create|ls|rm|inspect|prune`, with docker's volume formatter. */
class VolumeContext extends FormatterContext {}
Object.defineProperty(VolumeContext, 'name', { value: 'formatter.volumeContext' });

const kv = (items: string[]): Record<string, string> =>
  Object.fromEntries(
    items.map((o) => {
      const eq = o.indexOf('=');
      return eq >= 0 ? [o.slice(0, eq), o.slice(eq + 1)] : [o, ''];
    }),
  );

export const volumeCreateCommand: CommandDef = {
  path: ['volume', 'create'],
  usage: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: { max: 1 },
  flags: [
    { name: 'driver', short: 'd', type: 'string', default: 'local', description: 'Specify volume driver name' },
    { name: 'label', type: 'list', description: 'Set metadata for a volume' },
    { name: 'name', type: 'string', description: 'Specify volume name', hidden: true },
    { name: 'opt', short: 'o', type: 'list', valueName: 'map', description: 'Set driver specific options' },
  ],
  async run(ctx, flags, [name]) {
    if (name && flags.string('name') && name !== flags.string('name')) {
      throw new StatusError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`, 1);
    }
    const v = await ctx.client().volumeCreate({
      Name: name || flags.string('name') || undefined,
      Driver: flags.string('driver'),
      DriverOpts: kv(flags.list('opt')),
      Labels: kv(flags.list('label')),
    });
    ctx.out(`${v.Name}\n`);
  },
};

export const volumeLsCommand: CommandDef = {
  path: ['volume', 'ls'],
  aliases: [['volume', 'list']],
  usage: '[OPTIONS]',
  short: 'List volumes',
  args: { max: 0 },
  flags: [
    { name: 'filter', short: 'f', type: 'list', valueName: 'filter', description: "Provide filter values (e.g. 'dangling=true')" },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display volume names' },
  ],
  async run(ctx, flags) {
    const res = await ctx.client().volumeList(parseFilterFlags(flags.list('filter')));
    const vols = [...(res.Volumes ?? [])].sort((a, b) => naturalCompare(String(a.Name), String(b.Name)));
    const rows = vols.map((v) => {
      const labels = (v.Labels as Record<string, string> | null) ?? {};
      const usage = v.UsageData as { Size?: number; RefCount?: number } | undefined;
      const row = new VolumeContext({
        Availability: 'N/A',
        Driver: v.Driver,
        Group: 'N/A',
        Labels: Object.keys(labels)
          .sort()
          .map((k) => `${k}=${labels[k]}`)
          .join(','),
        Links: usage && usage.RefCount !== undefined && usage.RefCount >= 0 ? String(usage.RefCount) : 'N/A',
        Mountpoint: v.Mountpoint,
        Name: v.Name,
        Scope: v.Scope,
        Size: usage && usage.Size !== undefined && usage.Size >= 0 ? humanSize(usage.Size) : 'N/A',
        Status: 'N/A',
      });
      Object.defineProperty(row, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
      return row;
    });
    ctx.out(
      renderList({
        format: flags.string('format') || (flags.bool('quiet') ? '' : (ctx.config().volumesFormat ?? '')),
        defaultTable: 'table {{.Driver}}\t{{.Name}}',
        quiet: flags.bool('quiet'),
        quietFormat: '{{.Name}}',
        headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Availability: 'AVAILABILITY', Group: 'GROUP', Status: 'STATUS' },
        rows,
      }),
    );
  },
};

export const volumeRmCommand: CommandDef = {
  path: ['volume', 'rm'],
  aliases: [['volume', 'remove']],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  args: { min: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Force the removal of one or more volumes' }],
  async run(ctx, flags, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        await ctx.client().volumeRemove(name, flags.bool('force'));
        ctx.out(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(err.display);
      }
    }
    if (errors.length) throw new StatusError(errors.join('\n'), 1);
  },
};

export const volumePruneCommand: CommandDef = {
  path: ['volume', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused volumes, not just anonymous ones' },
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "label=<label>")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const all = flags.bool('all');
    const warning = all
      ? 'WARNING! This will remove all local volumes not used by at least one container.'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!flags.bool('force') && !(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return 0;
    const filters = parseFilterFlags(flags.list('filter'), '--filter');
    if (all) filters.all = ['true'];
    const res = await ctx.client().volumePrune(filters);
    const deleted = res.VolumesDeleted ?? [];
    if (deleted.length) ctx.out(`Deleted Volumes:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0, 4)}\n`);
  },
};
