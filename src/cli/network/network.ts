import { ApiError } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { parseFilterFlags } from '../filter-flags.js';
import { FormatterContext, renderList } from '../format/list-format.js';
import { naturalCompare, truncateId } from '../format/strings.js';
import { confirm } from '../prompt.js';

/** `network create|ls|rm|inspect|connect|disconnect|prune`, with docker's network formatter. */
class NetworkContext extends FormatterContext {}
Object.defineProperty(NetworkContext, 'name', { value: 'formatter.networkContext' });

/** Go's Time.String() of an RFC3339Nano timestamp: "2026-11-22 05:07:56.919599185 +0000 UTC". */
function goTimeFromRfc3339(text: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text ?? '');
  if (!m) return text ?? '';
  const frac = m[3] ? m[3].replace(/0+$/, '') : '';
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4].replace(':', '')} ${m[4].replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} ${zone}`;
}

const kv = (items: string[]): Record<string, string> =>
  Object.fromEntries(
    items.map((o) => {
      const eq = o.indexOf('=');
      return eq >= 0 ? [o.slice(0, eq), o.slice(eq + 1)] : [o, ''];
    }),
  );

export const networkCreateCommand: CommandDef = {
  path: ['network', 'create'],
  usage: '[OPTIONS] NETWORK',
  short: 'Create a network',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'attachable', type: 'bool', description: 'Enable manual container attachment' },
    { name: 'driver', short: 'd', type: 'string', default: 'bridge', description: 'Driver to manage the Network' },
    { name: 'gateway', type: 'list', description: 'IPv4 or IPv6 Gateway for the master subnet' },
    { name: 'internal', type: 'bool', description: 'Restrict external access to the network' },
    { name: 'ip-range', type: 'list', description: 'Allocate container ip from a sub-range' },
    { name: 'ipv6', type: 'bool', description: 'Enable or disable IPv6 networking' },
    { name: 'label', type: 'list', description: 'Set metadata on a network' },
    { name: 'opt', short: 'o', type: 'list', valueName: 'map', description: 'Set driver specific options' },
    { name: 'subnet', type: 'list', description: 'Subnet in CIDR format that represents a network segment' },
  ],
  async run(ctx, flags, [name]) {
    const subnets = flags.list('subnet');
    const gateways = flags.list('gateway');
    const ranges = flags.list('ip-range');
    const config = subnets.map((s, i) => ({ Subnet: s, Gateway: gateways[i], IPRange: ranges[i] }));
    const res = await ctx.client().networkCreate({
      Name: name,
      Driver: flags.string('driver'),
      Internal: flags.bool('internal'),
      Attachable: flags.bool('attachable'),
      EnableIPv6: flags.isSet('ipv6') ? flags.bool('ipv6') : undefined,
      IPAM: { Driver: 'default', Config: config, Options: {} },
      Options: kv(flags.list('opt')),
      Labels: kv(flags.list('label')),
    });
    if (res.Warning) ctx.err(`${res.Warning}\n`);
    ctx.out(`${res.Id}\n`);
  },
};

export const networkLsCommand: CommandDef = {
  path: ['network', 'ls'],
  aliases: [['network', 'list']],
  usage: '[OPTIONS]',
  short: 'List networks',
  args: { max: 0 },
  flags: [
    { name: 'filter', short: 'f', type: 'list', valueName: 'filter', description: 'Provide filter values (e.g. "driver=bridge")' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'no-trunc', type: 'bool', description: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display network IDs' },
  ],
  async run(ctx, flags) {
    const list = await ctx.client().networkList(parseFilterFlags(flags.list('filter')));
    const trunc = !flags.bool('no-trunc');
    const rows = [...list]
      .sort((a, b) => naturalCompare(String(a.Name), String(b.Name)))
      .map((n) => {
        const labels = (n.Labels as Record<string, string> | null) ?? {};
        const row = new NetworkContext({
          CreatedAt: goTimeFromRfc3339(String(n.Created ?? '')),
          Driver: n.Driver,
          ID: trunc ? truncateId(String(n.Id)) : n.Id,
          IPv4: String(n.EnableIPv4 ?? false),
          IPv6: String(n.EnableIPv6 ?? false),
          Internal: String(n.Internal ?? false),
          Labels: Object.keys(labels)
            .sort()
            .map((k) => `${k}=${labels[k]}`)
            .join(','),
          Name: n.Name,
          Scope: n.Scope,
        });
        Object.defineProperty(row, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
        return row;
      });
    ctx.out(
      renderList({
        format: flags.string('format') || (flags.bool('quiet') ? '' : (ctx.config().networksFormat ?? '')),
        defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
        quiet: flags.bool('quiet'),
        headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED' },
        rows,
      }),
    );
  },
};

export const networkRmCommand: CommandDef = {
  path: ['network', 'rm'],
  aliases: [['network', 'remove']],
  usage: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  args: { min: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Do not error if the network does not exist' }],
  async run(ctx, flags, args) {
    let failed = false;
    for (const name of args) {
      try {
        await ctx.client().networkRemove(name);
        ctx.out(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (flags.bool('force') && err.status === 404) continue;
        ctx.err(`${err.display}\n`);
        failed = true;
      }
    }
    // docker prints this line after the errors
    if (failed) throw new StatusError('exit status 1', 1);
  },
};

function connectCommand(kind: 'connect' | 'disconnect'): CommandDef {
  return {
    path: ['network', kind],
    usage: '[OPTIONS] NETWORK CONTAINER',
    short: kind === 'connect' ? 'Connect a container to a network' : 'Disconnect a container from a network',
    args: { min: 2, max: 2 },
    flags:
      kind === 'connect'
        ? [
            { name: 'alias', type: 'list', description: 'Add network-scoped alias for the container' },
            { name: 'ip', type: 'string', description: 'IPv4 address (e.g., "172.30.100.104")' },
          ]
        : [{ name: 'force', short: 'f', type: 'bool', description: 'Force the container to disconnect from a network' }],
    async run(ctx, flags, [network, container]) {
      if (kind === 'connect') {
        const endpoint: Record<string, unknown> = {};
        if (flags.list('alias').length) endpoint.Aliases = flags.list('alias');
        if (flags.string('ip')) endpoint.IPAMConfig = { IPv4Address: flags.string('ip') };
        await ctx.client().networkConnect(network, container, endpoint);
      } else await ctx.client().networkDisconnect(network, container, flags.bool('force'));
    },
  };
}

export const networkConnectCommand = connectCommand('connect');
export const networkDisconnectCommand = connectCommand('disconnect');

export const networkPruneCommand: CommandDef = {
  path: ['network', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: { max: 0 },
  flags: [
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    if (!flags.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) {
      return 0;
    }
    const res = await ctx.client().networkPrune(parseFilterFlags(flags.list('filter'), '--filter'));
    const deleted = res.NetworksDeleted ?? [];
    if (deleted.length) ctx.out(`Deleted Networks:\n${deleted.map((d) => `${d}\n`).join('')}`);
  },
};
