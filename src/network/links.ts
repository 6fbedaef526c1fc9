import { promises as fs } from 'node:fs';
import { runCommand } from '../util/index.js';

/**
 * Bridges and veth pairs, made with iproute2 (`ip`): two processes per endpoint (measured in README:
 * 4–10 ms each). The container's network namespace is the one its runtime created; berth reaches it
 * through /proc/<pid>/ns/net, so nothing is named in /run/netns and nothing is left when the container
 * dies (the kernel deletes the veth pair with the namespace).
 */

export async function linkExists(name: string): Promise<boolean> {
  return fs.access(`/sys/class/net/${name}`).then(() => true, () => false);
}

/** Creates the bridge with its gateway address, or completes one that exists (a restart adds nothing twice). */
export async function ensureBridge(name: string, gatewayCidr: string, mac: string): Promise<void> {
  const exists = await linkExists(name);
  const addrs = exists ? (await runCommand('ip', ['-4', '-o', 'addr', 'show', 'dev', name])).stdout : '';
  const lines: string[] = [];
  if (!exists) lines.push(`link add ${name} type bridge`);
  if (!addrs.includes(` ${gatewayCidr} `)) {
    if (addrs.trim()) lines.push(`addr flush dev ${name}`);
    lines.push(`addr add ${gatewayCidr} dev ${name}`);
  }
  // a fixed address: otherwise the bridge takes the lowest of its ports' and changes as veths come and
  // go, and containers keep sending to the gateway's old MAC until their ARP entry expires
  lines.push(`link set ${name} address ${mac}`, `link set ${name} up`);
  await runCommand('ip', ['-batch', '-'], { input: lines.join('\n') + '\n' });
  // published on 127.0.0.1: the DNATed packet leaves through the bridge with a loopback source (HOST-NOTES §4)
  await fs.writeFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
}

export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await runCommand('ip', ['link', 'del', name]).catch(() => undefined);
}

export interface VethPlan {
  pid: number;
  bridge: string;
  hostIf: string;
  ifName: string;
  mac: string;
  /** a.b.c.d/len */
  address: string;
  /** default route through this gateway (the container's first network only) */
  gateway?: string;
}

/** A veth pair: the host end on the bridge, the other end configured inside the container's namespace. */
export async function addVeth(p: VethPlan): Promise<void> {
  await runCommand('ip', ['link', 'add', p.hostIf, 'master', p.bridge, 'up', 'type', 'veth', 'peer', 'name', p.ifName, 'address', p.mac, 'netns', String(p.pid)]);
  // hairpin: a container reaching its own published port through the host comes back out of the port it
  // went in by (with the MASQUERADE rule of firewall.ts), as Docker sets it without its userland proxy
  await fs.writeFile(`/sys/class/net/${p.hostIf}/brport/hairpin_mode`, '1').catch(() => undefined);
  const inside = [`addr add ${p.address} dev ${p.ifName}`, `link set ${p.ifName} up`];
  if (p.gateway) inside.push(`route add default via ${p.gateway}`);
  try {
    await runCommand('nsenter', [`--net=/proc/${p.pid}/ns/net`, 'ip', '-batch', '-'], { input: inside.join('\n') + '\n' });
  } catch (err) {
    await deleteLink(p.hostIf);
    throw err;
  }
}
