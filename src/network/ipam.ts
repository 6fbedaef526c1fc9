import { forbidden, invalidArgument } from '../errdefs/index.js';
import { contains, formatIp, parseIp, size, type Subnet } from './ipv4.js';

/**
 * Address allocation within one network: the network address, the gateway and the broadcast address are
 * never handed out; a dynamic allocation takes the lowest free address of the IP range (the subnet when
 * there is none). Allocations live in memory; they are rebuilt at daemon start from the records of the
 * running containers (the container record is the persistent copy), so a restart hands out nothing twice.
 */
export class AddressPool {
  private readonly used = new Set<number>();

  constructor(
    readonly subnet: Subnet,
    readonly gateway: number,
    readonly range: Subnet = subnet,
  ) {
    this.used.add(gateway);
  }

  /** A specific address (--ip), or the lowest free one. Throws Docker's errors when it cannot. */
  allocate(wanted?: string): number {
    if (wanted) {
      const ip = parseIp(wanted);
      if (ip === undefined) throw invalidArgument(`invalid IPv4 address: ${wanted}`);
      if (!contains(this.subnet, ip) || this.reserved(ip)) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${wanted}`);
      if (this.used.has(ip)) throw forbidden(`Address already in use`);
      this.used.add(ip);
      return ip;
    }
    const first = this.range.base;
    for (let i = 0; i < size(this.range); i++) {
      const ip = first + i;
      if (this.reserved(ip) || this.used.has(ip)) continue;
      this.used.add(ip);
      return ip;
    }
    throw forbidden(`no available IPv4 addresses on this network's address pools`);
  }

  /** Marks an address as in use (daemon start: a running container keeps its address). */
  claim(ip: number): void {
    this.used.add(ip);
  }

  release(ip: number): void {
    if (ip !== this.gateway) this.used.delete(ip);
  }

  inUse(): string[] {
    return [...this.used].filter((ip) => ip !== this.gateway).map(formatIp);
  }

  private reserved(ip: number): boolean {
    const s = this.subnet;
    if (s.prefix >= 31) return false;
    return ip === s.base || ip === s.base + size(s) - 1;
  }
}
