import type { ContainerSummary } from '../../client/index.js';
import type { CommandDef } from '../command.js';
import { goTimeString } from '../format/go-time.js';
import { humanDuration, humanSize } from '../format/humanize.js';
import { FormatterContext, renderList, withMethod } from '../format/list-format.js';
import { ellipsis, goQuote, truncateId } from '../format/strings.js';
import { parseFilterFlags } from '../filter-flags.js';

/**
 * `ps`: docker's container formatter. Rows carry the formatter's fields as strings, keys in sorted
 * order so {{json .}} prints as Go's map marshalling does; `.Label "k"` is a method.
 */
export const PS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const joinHostPort = (ip: string, port: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** docker's DisplayablePorts: consecutive ports grouped into ranges, remapped host ports listed last. */
export function displayPorts(ports: ContainerSummary['Ports']): string {
  const sorted = [...(ports ?? [])].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      byteCompare(a.IP ?? '', b.IP ?? '') ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      byteCompare(a.Type, b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number): string => {
    const slash = key.lastIndexOf('/');
    const ip = slash >= 0 ? key.slice(0, slash) : '';
    const type = slash >= 0 ? key.slice(slash + 1) : key;
    let group = first === last ? String(first) : `${first}-${last}`;
    if (ip) group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
      continue;
    }
    if (p.PrivatePort === g.last + 1) {
      g.last = p.PrivatePort;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

class ContainerContext extends FormatterContext {}
// the type name docker's template errors print
Object.defineProperty(ContainerContext, 'name', { value: 'formatter.ContainerContext' });

export function containerRow(c: ContainerSummary, trunc: boolean, now = Date.now()): ContainerContext {
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const primary = names.find((n) => !n.includes('/'));
    if (primary !== undefined) names = [primary];
  }
  let image = c.Image || '<no image>';
  if (trunc) {
    if (image.startsWith('sha256:')) image = truncateId(image);
    else if (image.includes('@')) image = image.slice(0, image.indexOf('@'));
  }
  const labels = c.Labels ?? {};
  const mounts = (c.Mounts ?? []).map((m) => {
    const n = m.Name || m.Source || '';
    return trunc ? ellipsis(n, 15) : n;
  });
  const size =
    c.SizeRootFs && c.SizeRootFs > 0 ? `${humanSize(c.SizeRw ?? 0)} (virtual ${humanSize(c.SizeRootFs)})` : humanSize(c.SizeRw ?? 0);
  const row: Record<string, unknown> = {
    Command: goQuote(trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: image,
    Labels: Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => (m as { Driver?: string }).Driver === 'local').length),
    Mounts: mounts.join(','),
    Names: names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {})
      .sort()
      .join(','),
    Platform: null,
    Ports: displayPorts(c.Ports),
    RunningFor: `${humanDuration(now - c.Created * 1000)} ago`,
    Size: size,
    State: c.State,
    Status: c.Status,
  };
  return withMethod(new ContainerContext(row), 'Label', (k: string) => labels[k] ?? '');
}

export const psCommand: CommandDef = {
  path: ['container', 'ls'],
  aliases: [['container', 'list'], ['container', 'ps'], ['ps']],
  usage: '[OPTIONS]',
  short: 'List containers',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'filter', short: 'f', type: 'list', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'last', short: 'n', type: 'int', default: -1, description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', type: 'bool', description: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display container IDs' },
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes' },
  ],
  async run(ctx, flags) {
    let limit = flags.int('last');
    if (flags.bool('latest') && limit === -1) limit = 1;
    const format = flags.string('format') || (flags.bool('quiet') ? '' : (ctx.config().psFormat ?? ''));
    const quiet = flags.bool('quiet');
    const size = flags.bool('size') || (!quiet && /\.Size|json/.test(format));
    const list = await ctx.client().containerList({
      all: flags.bool('all'),
      limit: limit > 0 ? limit : undefined,
      size,
      filters: parseFilterFlags(flags.list('filter')),
    });
    const trunc = !flags.bool('no-trunc');
    const now = Date.now();
    ctx.out(
      renderList({
        format,
        defaultTable: flags.bool('size') ? `${PS_TABLE}\t{{.Size}}` : PS_TABLE,
        quiet,
        headers: PS_HEADERS,
        rows: list.map((c) => containerRow(c, trunc, now)),
        prefixes: { parse: 'failed to parse template', exec: 'failed to execute template' },
      }),
    );
  },
};
