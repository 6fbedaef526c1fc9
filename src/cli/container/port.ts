import { type CommandDef, StatusError } from '../command.js';

/** `port`: the published ports from inspect's NetworkSettings.Ports, naturally sorted like docker. */
type Bindings = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

const joinHostPort = (ip: string, port: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** sortorder.NaturalLess as a comparator: digit runs by value, digits before other characters, else bytewise. */
export function naturalCompare(s1: string, s2: string): number {
  let i = 0;
  let j = 0;
  while (i < s1.length && j < s2.length) {
    const c1 = s1[i];
    const c2 = s2[j];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1 ? -1 : 1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2 ? -1 : 1;
      i++;
      j++;
      continue;
    }
    while (i < s1.length && s1[i] === '0') i++;
    while (j < s2.length && s2[j] === '0') j++;
    const n1 = i;
    const n2 = j;
    while (i < s1.length && isDigit(s1[i])) i++;
    while (j < s2.length && isDigit(s2[j])) j++;
    if (i - n1 !== j - n2) return i - n1 - (j - n2);
    const r1 = s1.slice(n1, i);
    const r2 = s2.slice(n2, j);
    if (r1 !== r2) return r1 < r2 ? -1 : 1;
    if (n1 !== n2) return n1 - n2;
  }
  return s1.length - s2.length;
}

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
