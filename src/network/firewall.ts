import { runCommand } from '../util/index.js';

/**
 * iptables rules of one berthd, all in its own chains (never Docker's or netavark's). The chains are
 * rebuilt as a whole from the daemon's state by one `iptables-restore --noflush` (declaring a chain there
 * flushes it), so applying twice gives the same rules; only the jumps from the built-in chains are added
 * one by one, after a check, at daemon start.
 *
 *   nat    PREROUTING  -m addrtype --dst-type LOCAL -j <P>-DNAT    published ports
 *   nat    OUTPUT      -m addrtype --dst-type LOCAL -j <P>-DNAT    … also from the host itself (127.0.0.1)
 *   nat    POSTROUTING -j <P>-POST                                  outbound NAT, localhost and hairpin masquerade
 *   filter FORWARD     -j <P>-FWD   (first)                         accepts for the bridges: the host's
 *                                                                   FORWARD policy may be DROP (Docker sets it)
 */
export interface FirewallNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
}

export interface FirewallPort {
  bridge: string;
  proto: string;
  /** '' or 0.0.0.0 = every local address */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export function chainNames(prefix: string): { dnat: string; post: string; fwd: string } {
  return { dnat: `${prefix}-DNAT`, post: `${prefix}-POST`, fwd: `${prefix}-FWD` };
}

/** The iptables-restore input for the daemon's chains. Pure, for tests. */
export function restoreScript(prefix: string, networks: FirewallNetwork[], ports: FirewallPort[]): string {
  const c = chainNames(prefix);
  const nat = ['*nat', `:${c.dnat} - [0:0]`, `:${c.post} - [0:0]`];
  const filter = ['*filter', `:${c.fwd} - [0:0]`];
  for (const a of networks) {
    for (const b of networks) if (a !== b) filter.push(`-A ${c.fwd} -i ${a.bridge} -o ${b.bridge} -j DROP`);
  }
  for (const n of networks) {
    if (n.internal) {
      filter.push(`-A ${c.fwd} -i ${n.bridge} ! -o ${n.bridge} -j DROP`, `-A ${c.fwd} -o ${n.bridge} ! -i ${n.bridge} -j DROP`);
    } else {
      nat.push(`-A ${c.post} -s ${n.subnet} ! -o ${n.bridge} -j MASQUERADE`);
      // published on 127.0.0.1: the reply must come back through the host (HOST-NOTES §4)
      nat.push(`-A ${c.post} -s 127.0.0.0/8 -o ${n.bridge} -j MASQUERADE`);
    }
    filter.push(`-A ${c.fwd} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, `-A ${c.fwd} -i ${n.bridge} -j ACCEPT`);
  }
  for (const p of ports) {
    const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? `-d ${p.hostIp}/32 ` : '';
    nat.push(`-A ${c.dnat} ${dst}-p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`);
    // hairpin: the container reaching its own published port answers the bridge's address, not itself
    nat.push(`-A ${c.post} -s ${p.containerIp}/32 -d ${p.containerIp}/32 -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j MASQUERADE`);
    filter.push(`-A ${c.fwd} -o ${p.bridge} -d ${p.containerIp}/32 -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j ACCEPT`);
  }
  return [...nat, 'COMMIT', ...filter, 'COMMIT', ''].join('\n');
}

/** The jumps from the built-in chains into the daemon's own, as iptables arguments after -t table. */
export function jumps(prefix: string): Array<{ table: 'nat' | 'filter'; chain: string; rule: string[] }> {
  const c = chainNames(prefix);
  return [
    { table: 'nat', chain: 'PREROUTING', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat] },
    { table: 'nat', chain: 'OUTPUT', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat] },
    { table: 'nat', chain: 'POSTROUTING', rule: ['-j', c.post] },
    { table: 'filter', chain: 'FORWARD', rule: ['-j', c.fwd] },
  ];
}

export class Firewall {
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly prefix: string) {}

  /** Rebuilds the chains; calls are serialised so the last state wins. */
  apply(networks: FirewallNetwork[], ports: FirewallPort[]): Promise<void> {
    const script = restoreScript(this.prefix, networks, ports);
    const run = this.applying.catch(() => undefined).then(() => runCommand('iptables-restore', ['-w', '--noflush'], { input: script }).then(() => undefined));
    this.applying = run;
    return run;
  }

  /** Adds the jumps that are missing (a restart finds them in place and adds nothing). */
  async ensureJumps(): Promise<void> {
    for (const j of jumps(this.prefix)) {
      const present = await runCommand('iptables', ['-w', '-t', j.table, '-C', j.chain, ...j.rule]).then(() => true, () => false);
      if (!present) await runCommand('iptables', ['-w', '-t', j.table, '-I', j.chain, '1', ...j.rule]);
    }
  }
}

/** Removes every jump and chain of a prefix: for `berthd --network-cleanup` and the test harness. */
export async function removeFirewall(prefix: string): Promise<void> {
  for (const j of jumps(prefix)) {
    for (let i = 0; i < 10; i++) {
      const ok = await runCommand('iptables', ['-w', '-t', j.table, '-D', j.chain, ...j.rule]).then(() => true, () => false);
      if (!ok) break;
    }
  }
  const c = chainNames(prefix);
  for (const [table, chain] of [['nat', c.dnat], ['nat', c.post], ['filter', c.fwd]] as const) {
    await runCommand('iptables', ['-w', '-t', table, '-F', chain]).catch(() => undefined);
    await runCommand('iptables', ['-w', '-t', table, '-X', chain]).catch(() => undefined);
  }
}
