import { type CommandDef, StatusError } from '../command.js';
import { naturalCompare } from '../format/strings.js';

/** `port`: the published ports from inspect's NetworkSettings.Ports, naturally sorted like docker. */
type Bindings = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

const joinHostPort = (ip: string, port: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
export const portCommand: CommandDef = {
  path: ['container', 'port'],
  aliases: [['port']],
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  async run(ctx, _flags, [container, wanted]) {
    const c = await ctx.client().containerInspect(container);
    const ports = ((c.NetworkSettings as { Ports?: Bindings } | undefined)?.Ports ?? {}) as Bindings;
    const out: string[] = [];
    if (wanted) {
      const [port, proto = 'tcp'] = wanted.split('/');
      if (!/^\d+$/.test(port) || Number(port) > 65535) {
        throw new StatusError(`Error: invalid port (${port}): strconv.ParseUint: parsing "${port}": invalid syntax`, 1);
      }
      const frontends = ports[`${port}/${proto}`];
      if (!frontends?.length) throw new StatusError(`Error: No public port '${wanted}' published for ${container}`, 1);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
      }
    }
    if (out.length) ctx.out(`${out.sort(naturalCompare).join('\n')}\n`);
  },
};
