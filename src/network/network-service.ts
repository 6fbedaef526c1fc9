import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { conflict, EngineError, forbidden, invalidArgument, notFound } from '../errdefs/index.js';
import type { EventPublisher } from '../events/index.js';
import { atomicWriteFile, newId, type Filters, type Logger } from '../util/index.js';
import { AddressPool } from './ipam.js';
import { contains, formatIp, formatSubnet, macForIp, mask, overlaps, parseIp, parseSubnet, size, type Subnet } from './ipv4.js';
import { Firewall, type FirewallNetwork, type FirewallPort } from './firewall.js';
import { addVeth, deleteLink, ensureBridge } from './links.js';
import { type HostPortHold, holdHostPort } from './ports.js';
import { EmbeddedResolver } from './dns/embedded-resolver.js';
import { PREDEFINED, type EndpointConfig, type EndpointSettings, type IpamConfig, type NetworkRecord, type PortRequest } from './network-record.js';

export interface NetworkServiceConfig {
  dataRoot: string;
  /** the default bridge's device (dockerd's docker0) */
  bridgeName: string;
  /** the default bridge's gateway address and prefix (dockerd's --bip), e.g. 10.209.0.1/16 */
  bip: string;
  /** where subnets of networks created without --subnet come from (dockerd's default-address-pools) */
  pools: Array<{ base: string; size: number }>;
  /** upstream name servers of the embedded resolver */
  dnsUpstreams: () => string[];
  /** prefix of the daemon's iptables chains */
  chainPrefix: string;
  events: EventPublisher;
  logger: Logger;
}

/** A container's view for attaching: who it is and what it asks of each network (by network name). */
export interface ContainerEndpoints {
  id: string;
  /** without the leading slash */
  name: string;
  endpoints: Record<string, EndpointConfig>;
  ports: PortRequest[];
  /** the container's --dns servers: the embedded resolver forwards its other names there */
  dns?: string[];
}

/** What a start allocated: the endpoints by network name, the bound ports. */
export interface Allocation {
  networks: Record<string, EndpointSettings>;
  ports: PortRequest[];
}

interface Attached {
  id: string;
  name: string;
  pid: number;
  /** by network ID */
  endpoints: Map<string, EndpointSettings>;
  /** hold: the bound host socket that keeps the port ours (ports.ts holdHostPort) */
  ports: Array<PortRequest & { networkId: string; containerIp: string; hold?: HostPortHold }>;
  dns?: string[];
}

/**
 * Networks and the endpoints of running containers. Bridge networks are a Linux bridge each, with an
 * address pool, outbound NAT and FORWARD accepts (firewall.ts), and — user-defined ones — the embedded
 * resolver on their gateway. A container start asks allocate() (addresses, host ports) before its runtime
 * creates the namespace, then plumb() (the veths) before the process runs; its exit calls release().
 */
export class NetworkService {
  private readonly records = new Map<string, NetworkRecord>();
  private readonly pools = new Map<string, AddressPool>();
  private readonly attached = new Map<string, Attached>();
  private readonly firewall: Firewall;
  private readonly resolver: EmbeddedResolver;
  /** restore()'s host port holds under way */
  private readonly holding: Array<Promise<void>> = [];
  private readonly dir: string;

  constructor(private readonly cfg: NetworkServiceConfig) {
    this.dir = path.join(cfg.dataRoot, 'networks');
    this.firewall = new Firewall(cfg.chainPrefix);
    this.resolver = new EmbeddedResolver({ lookup: (n, from) => this.lookup(n, from), upstreams: (from) => this.askerOf(from)?.dns }, cfg.dnsUpstreams, cfg.logger);
  }

  // ---------------------------------------------------------------- start-up

  /** Loads the records, creates the predefined networks, brings every bridge up. Adds nothing twice. Then: restore() per running container, restored(). */
  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const f of await fs.readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const rec = JSON.parse(await fs.readFile(path.join(this.dir, f), 'utf8')) as NetworkRecord;
      this.records.set(rec.Id, rec);
    }
    const bip = parseBip(this.cfg.bip);
    const bridgeIpam: IpamConfig = { Subnet: formatSubnet(bip.subnet), Gateway: formatIp(bip.gateway) };
    let bridge = this.byName('bridge');
    if (!bridge) {
      bridge = this.newRecord('bridge', 'bridge', { IPAM: { Driver: 'default', Options: null, Config: [bridgeIpam] } });
      bridge.Options = { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0', 'com.docker.network.bridge.name': this.cfg.bridgeName, 'com.docker.network.driver.mtu': '1500' };
    }
    if (bridge.bridge !== this.cfg.bridgeName || bridge.IPAM.Config[0]?.Subnet !== bridgeIpam.Subnet || bridge.IPAM.Config[0]?.Gateway !== bridgeIpam.Gateway) {
      // --bip or the bridge name changed since the last start: the old device goes
      if (bridge.bridge && bridge.bridge !== this.cfg.bridgeName) await deleteLink(bridge.bridge);
      bridge.bridge = this.cfg.bridgeName;
      bridge.Options['com.docker.network.bridge.name'] = this.cfg.bridgeName;
      bridge.IPAM.Config = [bridgeIpam];
      await this.save(bridge);
    }
    if (!this.byName('host')) await this.save(this.newRecord('host', 'host', {}));
    if (!this.byName('none')) await this.save(this.newRecord('none', 'null', {}));
    for (const rec of this.records.values()) {
      if (rec.Driver !== 'bridge') continue;
      const c = rec.IPAM.Config[0]!;
      const subnet = parseSubnet(c.Subnet);
      const gateway = parseIp(c.Gateway)!;
      this.pools.set(rec.Id, new AddressPool(subnet, gateway, c.IPRange ? parseSubnet(c.IPRange) : subnet));
      await ensureBridge(rec.bridge!, `${c.Gateway}/${subnet.prefix}`, macForIp(gateway));
      if (rec.Name !== 'bridge') await this.listenResolver(c.Gateway);
    }
    // the rules are rebuilt in restored(), once the running containers' ports are known, so that a
    // restart never drops a published port in between
  }

  /** Daemon start: a running container keeps its addresses and ports (they are in its record). */
  restore(ctr: { id: string; name: string; pid: number; networks: Record<string, EndpointSettings>; ports: PortRequest[]; dns?: string[] }): void {
    const a: Attached = { id: ctr.id, name: ctr.name, pid: ctr.pid, endpoints: new Map(), ports: [], dns: ctr.dns };
    for (const ep of Object.values(ctr.networks)) {
      const pool = this.pools.get(ep.NetworkID);
      const ip = parseIp(ep.IPAddress);
      if (!pool || ip === undefined) continue;
      pool.claim(ip);
      a.endpoints.set(ep.NetworkID, ep);
    }
    const first = [...a.endpoints.values()][0];
    if (first) for (const p of ctr.ports) a.ports.push({ ...p, networkId: first.NetworkID, containerIp: first.IPAddress });
    this.attached.set(ctr.id, a);
    // the host ports are held again (the sockets died with the last daemon); restored() waits for them
    for (const entry of a.ports) {
      this.holding.push(
        holdHostPort(entry.proto, entry.hostIp, entry.hostPort).then(
          (hold) => {
            if (this.attached.get(ctr.id) === a) entry.hold = hold;
            else hold.release();
          },
          (err: Error) => this.cfg.logger.warn('a running container\'s published port is held by another process now', { id: ctr.id, port: `${entry.hostIp || '0.0.0.0'}:${entry.hostPort}/${entry.proto}`, error: err.message }),
        ),
      );
    }
  }

  /** After restore() of every running container: the rules for their ports. */
  async restored(): Promise<void> {
    await Promise.all(this.holding.splice(0));
    await this.applyFirewall();
    await this.firewall.ensureJumps();
  }

  close(): void {
    this.resolver.closeAll();
  }

  // ---------------------------------------------------------------- networks

  find(idOrName: string): NetworkRecord {
    const all = [...this.records.values()];
    const hit = this.records.get(idOrName) ?? all.find((r) => r.Name === idOrName) ?? (() => {
      const byPrefix = idOrName ? all.filter((r) => r.Id.startsWith(idOrName)) : [];
      if (byPrefix.length > 1) throw invalidArgument(`network ${idOrName} is ambiguous (${byPrefix.length} matches found on name)`);
      return byPrefix[0];
    })();
    if (!hit) throw notFound(`network ${idOrName} not found`);
    return hit;
  }

  list(filters: Filters): NetworkRecord[] {
    return [...this.records.values()].filter((r) => matchesFilters(r, filters, this.inUse(r.Id))).sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** Docker's Containers of a network inspect: the endpoints of running containers. */
  endpointsOf(netId: string): Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }> {
    const out: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }> = {};
    for (const a of this.attached.values()) {
      const ep = a.endpoints.get(netId);
      if (ep) out[a.id] = { Name: a.name, EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: `${ep.IPAddress}/${ep.IPPrefixLen}`, IPv6Address: '' };
    }
    return out;
  }

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const name = req.Name ?? '';
    if (!name) throw invalidArgument('network name must not be empty');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalidArgument(`invalid network name "${name}": must match [a-zA-Z0-9][a-zA-Z0-9_.-]`);
    if ((PREDEFINED as readonly string[]).includes(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (this.byName(name)) throw conflict(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (req.EnableIPv6) throw invalidArgument('berth networks do not support IPv6 yet');
    const configs = req.IPAM?.Config ?? [];
    if (configs.length > 1) throw invalidArgument('berth networks take one IPv4 subnet');
    const asked = configs[0];
    let subnet: Subnet;
    if (asked?.Subnet) {
      subnet = parseSubnet(asked.Subnet);
      if (formatSubnet(subnet) !== asked.Subnet) throw invalidArgument(`invalid subnet ${asked.Subnet}: it should be ${formatSubnet(subnet)}`);
      if (subnet.prefix > 30) throw invalidArgument(`invalid subnet ${asked.Subnet}: too small`);
      const clash = await this.overlapping(subnet);
      if (clash) throw forbidden(`invalid pool request: Pool overlaps with other one on this address space`);
    } else {
      if (asked?.Gateway || asked?.IPRange) throw invalidArgument('no matching subnet for gateway or ip-range: give --subnet too');
      subnet = await this.freeSubnet();
    }
    let gateway = subnet.base + 1;
    if (asked?.Gateway) {
      const g = parseIp(asked.Gateway);
      if (g === undefined || !contains(subnet, g)) throw invalidArgument(`no matching subnet for gateway ${asked.Gateway}`);
      gateway = g;
    }
    let range: Subnet | undefined;
    if (asked?.IPRange) {
      range = parseSubnet(asked.IPRange);
      if (!contains(subnet, range.base) || range.prefix < subnet.prefix) throw invalidArgument(`no matching subnet for range ${asked.IPRange}`);
    }
    const rec = this.newRecord(name, 'bridge', {
      IPAM: { Driver: req.IPAM?.Driver || 'default', Options: req.IPAM?.Options ?? {}, Config: [{ Subnet: formatSubnet(subnet), Gateway: formatIp(gateway), ...(range ? { IPRange: formatSubnet(range) } : {}) }] },
      Internal: !!req.Internal,
      Attachable: !!req.Attachable,
      Options: req.Options ?? {},
      Labels: req.Labels ?? {},
    });
    rec.bridge = req.Options?.['com.docker.network.bridge.name'] || `br-${rec.Id.slice(0, 12)}`;
    if ([...this.records.values()].some((r) => r !== rec && r.bridge === rec.bridge)) {
      this.records.delete(rec.Id);
      throw conflict(`bridge name ${rec.bridge} is in use`);
    }
    try {
      await ensureBridge(rec.bridge, `${formatIp(gateway)}/${subnet.prefix}`, macForIp(gateway));
      this.pools.set(rec.Id, new AddressPool(subnet, gateway, range ?? subnet));
      await this.listenResolver(formatIp(gateway));
      await this.applyFirewall();
      await this.save(rec);
    } catch (err) {
      this.records.delete(rec.Id);
      this.pools.delete(rec.Id);
      this.resolver.close(formatIp(gateway));
      await deleteLink(rec.bridge);
      await this.applyFirewall().catch(() => undefined);
      throw err;
    }
    this.cfg.events.publish('network', 'create', rec.Id, { name: rec.Name, type: rec.Driver });
    return { Id: rec.Id, Warning: '' };
  }

  async remove(idOrName: string): Promise<void> {
    const rec = this.find(idOrName);
    if ((PREDEFINED as readonly string[]).includes(rec.Name)) throw forbidden(`${rec.Name} is a pre-defined network and cannot be removed`);
    if (this.inUse(rec.Id)) throw forbidden(`error while removing network: network ${rec.Name} id ${rec.Id} has active endpoints`);
    this.records.delete(rec.Id);
    this.pools.delete(rec.Id);
    this.resolver.close(rec.IPAM.Config[0]!.Gateway);
    await this.applyFirewall();
    if (rec.bridge) await deleteLink(rec.bridge);
    await fs.rm(path.join(this.dir, `${rec.Id}.json`), { force: true });
    this.cfg.events.publish('network', 'destroy', rec.Id, { name: rec.Name, type: rec.Driver });
  }

  async prune(filters: Filters): Promise<string[]> {
    const deleted: string[] = [];
    for (const rec of this.list(filters)) {
      if ((PREDEFINED as readonly string[]).includes(rec.Name) || this.inUse(rec.Id)) continue;
      await this.remove(rec.Id);
      deleted.push(rec.Name);
    }
    return deleted;
  }

  private inUse(netId: string): boolean {
    return [...this.attached.values()].some((a) => a.endpoints.has(netId));
  }

  // ---------------------------------------------------------------- endpoints

  /**
   * Before the runtime creates the namespace: an address on every network of the container and its host
   * ports. Host and none networks get no endpoint. Nothing is held when this throws.
   */
  async allocate(ctr: ContainerEndpoints): Promise<Allocation> {
    if (this.attached.has(ctr.id)) await this.release(ctr.id);
    const a: Attached = { id: ctr.id, name: ctr.name, pid: 0, endpoints: new Map(), ports: [], dns: ctr.dns };
    try {
      for (const [netName, cfg] of Object.entries(ctr.endpoints)) {
        const rec = this.records.get(cfg.NetworkID ?? '') ?? this.find(netName);
        if (rec.Driver !== 'bridge') continue;
        a.endpoints.set(rec.Id, this.newEndpoint(a, rec, cfg));
      }
      const first = [...a.endpoints.values()][0];
      if (first && ctr.ports.length) {
        const bridge = this.records.get(first.NetworkID)!.bridge!;
        for (const p of ctr.ports) a.ports.push({ ...(await this.bindPort(ctr, first.EndpointID, p)), networkId: first.NetworkID, containerIp: first.IPAddress });
        void bridge;
      }
    } catch (err) {
      this.freeAll(a);
      throw err;
    }
    this.attached.set(ctr.id, a);
    return this.allocation(a);
  }

  /** After the runtime made the namespace (pid), before the process runs: the veths and port rules. */
  async plumb(id: string, pid: number): Promise<void> {
    const a = this.attached.get(id);
    if (!a) return;
    a.pid = pid;
    let first = true;
    for (const ep of a.endpoints.values()) {
      await this.addInterface(a, ep, first);
      first = false;
    }
    if (a.ports.length) await this.applyFirewall();
  }

  /** The container exited (or its start failed): addresses and ports go back, its veths go. */
  async release(id: string): Promise<void> {
    const a = this.attached.get(id);
    if (!a) return;
    this.attached.delete(id);
    this.freeAll(a);
    // the kernel removes a veth with its namespace; one left by a failed start is removed here
    await Promise.all([...a.endpoints.values()].map((ep) => (ep.hostIf ? deleteLink(ep.hostIf) : undefined)));
    if (a.ports.length) await this.applyFirewall();
  }

  /** network connect of a running container: a new interface at once. */
  async connect(ctr: { id: string; name: string; pid: number }, netIdOrName: string, cfg: EndpointConfig): Promise<EndpointSettings> {
    const rec = this.find(netIdOrName);
    const a = this.attached.get(ctr.id) ?? { id: ctr.id, name: ctr.name, pid: ctr.pid, endpoints: new Map<string, EndpointSettings>(), ports: [] };
    if (a.endpoints.has(rec.Id)) throw forbidden(`endpoint with name ${ctr.name} already exists in network ${rec.Name}`);
    const ep = this.newEndpoint(a, rec, cfg);
    try {
      await this.addInterface(a, ep, a.endpoints.size === 0);
    } catch (err) {
      this.pools.get(rec.Id)?.release(parseIp(ep.IPAddress)!);
      throw err;
    }
    a.endpoints.set(rec.Id, ep);
    this.attached.set(ctr.id, a);
    this.cfg.events.publish('network', 'connect', rec.Id, { container: ctr.id, name: rec.Name, type: rec.Driver });
    return ep;
  }

  /** network disconnect of a running container: its interface on that network goes at once. */
  async disconnect(id: string, netIdOrName: string): Promise<void> {
    const rec = this.find(netIdOrName);
    const a = this.attached.get(id);
    const ep = a?.endpoints.get(rec.Id);
    if (!a || !ep) return;
    a.endpoints.delete(rec.Id);
    this.pools.get(rec.Id)?.release(parseIp(ep.IPAddress)!);
    if (ep.hostIf) await deleteLink(ep.hostIf);
    const gone = a.ports.filter((p) => p.networkId === rec.Id);
    for (const p of gone) p.hold?.release();
    const hadPorts = gone.length > 0;
    a.ports = a.ports.filter((p) => p.networkId !== rec.Id);
    if (hadPorts) await this.applyFirewall();
  }

  publishDisconnect(netId: string, containerId: string): void {
    const rec = this.records.get(netId);
    if (rec) this.cfg.events.publish('network', 'disconnect', rec.Id, { container: containerId, name: rec.Name, type: rec.Driver });
  }

  /** Predefined or user-defined: a user-defined network is where names resolve and --ip is allowed. */
  isUserDefined(idOrName: string): boolean {
    return !(PREDEFINED as readonly string[]).includes(this.find(idOrName).Name);
  }

  /** The name servers a container on these networks should use: the gateway of its first user network. */
  resolverFor(networkIds: string[]): string | undefined {
    for (const id of networkIds) {
      const rec = this.records.get(id);
      if (rec && rec.Driver === 'bridge' && rec.Name !== 'bridge') return rec.IPAM.Config[0]!.Gateway;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- internals

  /** A network without its resolver still carries traffic (something else may hold port 53 on every address). */
  private async listenResolver(address: string): Promise<void> {
    await this.resolver.listen(address).catch((err) => this.cfg.logger.warn('embedded resolver cannot listen; names will not resolve on this network', { address, error: err }));
  }

  private newEndpoint(a: Attached, rec: NetworkRecord, cfg: EndpointConfig): EndpointSettings {
    const pool = this.pools.get(rec.Id)!;
    const wanted = cfg.IPAMConfig?.IPv4Address || undefined;
    if (wanted && rec.Name === 'bridge') throw invalidArgument('user specified IP address is supported on user defined networks only');
    const ip = pool.allocate(wanted);
    const used = new Set([...a.endpoints.values()].map((e) => e.ifName));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const aliases = cfg.Aliases?.length ? [...cfg.Aliases] : null;
    return {
      IPAMConfig: cfg.IPAMConfig ?? null,
      Links: cfg.Links ?? null,
      Aliases: aliases,
      DriverOpts: cfg.DriverOpts ?? null,
      NetworkID: rec.Id,
      EndpointID: randomBytes(32).toString('hex'),
      Gateway: rec.Internal ? '' : formatIp(pool.gateway),
      IPAddress: formatIp(ip),
      IPPrefixLen: pool.subnet.prefix,
      MacAddress: cfg.MacAddress || macForIp(ip),
      DNSNames: rec.Name === 'bridge' ? null : [a.name, a.id.slice(0, 12), ...(aliases ?? [])],
      ifName: `eth${n}`,
      hostIf: `veth${randomBytes(4).toString('hex').slice(0, 7)}`,
    };
  }

  private async addInterface(a: Attached, ep: EndpointSettings, defaultRoute: boolean): Promise<void> {
    const rec = this.records.get(ep.NetworkID)!;
    await addVeth({
      pid: a.pid,
      bridge: rec.bridge!,
      hostIf: ep.hostIf!,
      ifName: ep.ifName!,
      mac: ep.MacAddress,
      address: `${ep.IPAddress}/${ep.IPPrefixLen}`,
      gateway: defaultRoute && ep.Gateway ? ep.Gateway : undefined,
    });
  }

  private async bindPort(ctr: ContainerEndpoints, endpointId: string, p: PortRequest): Promise<PortRequest & { hold: HostPortHold }> {
    const host = p.hostIp || '0.0.0.0';
    if (p.hostIp && parseIp(p.hostIp) === undefined) throw invalidArgument(`invalid IP address: ${p.hostIp}`);
    const failed = (why: string) => new EngineError('Internal', `driver failed programming external connectivity on endpoint ${ctr.name} (${endpointId}): ${why}`);
    const taken = (port: number) =>
      [...this.attached.values()].some((o) => o.ports.some((q) => q.proto === p.proto && q.hostPort === port && (!q.hostIp || q.hostIp === '0.0.0.0' || host === '0.0.0.0' || q.hostIp === host)));
    if (p.hostPort && taken(p.hostPort)) throw failed(`Bind for ${host}:${p.hostPort} failed: port is already allocated`);
    for (let attempt = 0; attempt < 10; attempt++) {
      let hold: HostPortHold;
      try {
        hold = await holdHostPort(p.proto, p.hostIp, p.hostPort);
      } catch (err) {
        throw failed(`Error starting userland proxy: ${(err as Error).message}`);
      }
      if (!taken(hold.port)) return { ...p, hostIp: p.hostIp, hostPort: hold.port, hold };
      hold.release();
      if (p.hostPort) break;
    }
    throw failed(`Bind for ${host}:${p.hostPort} failed: port is already allocated`);
  }

  private freeAll(a: Attached): void {
    for (const ep of a.endpoints.values()) this.pools.get(ep.NetworkID)?.release(parseIp(ep.IPAddress)!);
    for (const p of a.ports) p.hold?.release();
  }

  private allocation(a: Attached): Allocation {
    const networks: Record<string, EndpointSettings> = {};
    for (const ep of a.endpoints.values()) networks[this.records.get(ep.NetworkID)!.Name] = ep;
    return { networks, ports: a.ports.map(({ proto, containerPort, hostIp, hostPort }) => ({ proto, containerPort, hostIp, hostPort })) };
  }

  private async applyFirewall(): Promise<void> {
    const nets: FirewallNetwork[] = [];
    for (const r of this.records.values()) if (r.Driver === 'bridge') nets.push({ bridge: r.bridge!, subnet: r.IPAM.Config[0]!.Subnet, internal: r.Internal });
    const ports: FirewallPort[] = [];
    for (const a of this.attached.values()) {
      for (const p of a.ports) {
        const rec = this.records.get(p.networkId);
        if (rec) ports.push({ bridge: rec.bridge!, proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort });
      }
    }
    await this.firewall.apply(nets, ports);
  }

  /** The running container at address `from`. */
  private askerOf(from: string): Attached | undefined {
    return [...this.attached.values()].find((a) => [...a.endpoints.values()].some((e) => e.IPAddress === from));
  }

  /** The embedded resolver's question: `name` as seen from the container at address `from`. */
  private lookup(name: string, from: string): number[] | undefined {
    const lower = name.toLowerCase();
    const asker = this.askerOf(from);
    if (!asker) return undefined;
    const out: number[] = [];
    for (const netId of asker.endpoints.keys()) {
      if (this.records.get(netId)?.Name === 'bridge') continue;
      // --link target:alias on a user-defined network: the alias resolves for the container that links only
      // (libnetwork's per-endpoint link aliases; no /etc/hosts entry, unlike the default bridge)
      const linked = (asker.endpoints.get(netId)?.Links ?? [])
        .map((l) => l.split(':'))
        .filter(([target, alias]) => (alias ?? target ?? '').split('/').pop()!.toLowerCase() === lower)
        .map(([target]) => target!.replace(/^\//, '').toLowerCase());
      for (const o of this.attached.values()) {
        const ep = o.endpoints.get(netId);
        if (!ep) continue;
        const names = [o.name, o.id.slice(0, 12), ...(ep.Aliases ?? [])].map((n) => n.toLowerCase());
        if (names.includes(lower) || o.id === lower || linked.some((t) => t === o.name.toLowerCase() || (t.length >= 12 && o.id.startsWith(t)))) out.push(parseIp(ep.IPAddress)!);
      }
    }
    return out.length ? out : undefined;
  }

  /** A subnet that clashes with a network of this daemon or a route of the host. */
  private async overlapping(s: Subnet): Promise<boolean> {
    for (const r of this.records.values()) {
      const c = r.IPAM.Config[0];
      if (c?.Subnet && overlaps(parseSubnet(c.Subnet), s)) return true;
    }
    return (await hostRoutes()).some((h) => overlaps(h, s));
  }

  private async freeSubnet(): Promise<Subnet> {
    for (const pool of this.cfg.pools) {
      const base = parseSubnet(pool.base);
      const step = 2 ** (32 - pool.size);
      for (let n = base.base; n < base.base + size(base); n += step) {
        const s = { base: (n & mask(pool.size)) >>> 0, prefix: pool.size };
        if (!(await this.overlapping(s))) return s;
      }
    }
    throw forbidden('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  private byName(name: string): NetworkRecord | undefined {
    return [...this.records.values()].find((r) => r.Name === name);
  }

  private newRecord(name: string, driver: NetworkRecord['Driver'], over: Partial<NetworkRecord>): NetworkRecord {
    const rec: NetworkRecord = {
      Name: name,
      Id: newId(),
      Created: new Date().toISOString(),
      Scope: 'local',
      Driver: driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: null, Config: [] },
      Internal: false,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: {},
      Labels: {},
      ...over,
    };
    this.records.set(rec.Id, rec);
    return rec;
  }

  private async save(rec: NetworkRecord): Promise<void> {
    this.records.set(rec.Id, rec);
    await atomicWriteFile(path.join(this.dir, `${rec.Id}.json`), JSON.stringify(rec));
  }
}

export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }>; Options?: Record<string, string> };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** --bip: the bridge's own address with the prefix, e.g. 10.209.0.1/16. */
export function parseBip(bip: string): { subnet: Subnet; gateway: number } {
  const subnet = parseSubnet(bip);
  const gateway = parseIp(bip.split('/')[0]!)!;
  if (gateway === subnet.base) return { subnet, gateway: subnet.base + 1 };
  return { subnet, gateway };
}

/** The host's IPv4 routes that are not default routes (directly connected and others): subnets to avoid. */
async function hostRoutes(): Promise<Subnet[]> {
  const text = await fs.readFile('/proc/net/route', 'utf8').catch(() => '');
  const out: Subnet[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = Buffer.from(f[1]!, 'hex').readUInt32LE(0);
    const m = Buffer.from(f[7]!, 'hex').readUInt32LE(0);
    if (m === 0) continue;
    const prefix = m.toString(2).replace(/0/g, '').length;
    out.push({ base: dest >>> 0, prefix });
  }
  return out;
}

function matchesFilters(rec: NetworkRecord, filters: Filters, inUse: boolean): boolean {
  for (const [key, values] of filters) {
    if (!values.length) continue;
    const ok = values.some((v) => {
      switch (key) {
        case 'name': return rec.Name.includes(v);
        case 'id': return rec.Id.startsWith(v);
        case 'driver': return rec.Driver === v;
        case 'scope': return rec.Scope === v;
        case 'type': return v === 'custom' ? !(PREDEFINED as readonly string[]).includes(rec.Name) : v === 'builtin' ? (PREDEFINED as readonly string[]).includes(rec.Name) : false;
        case 'dangling': return v === 'true' || v === '1' ? !inUse && !(PREDEFINED as readonly string[]).includes(rec.Name) : inUse || (PREDEFINED as readonly string[]).includes(rec.Name);
        case 'label': {
          const eq = v.indexOf('=');
          return eq < 0 ? v in rec.Labels : rec.Labels[v.slice(0, eq)] === v.slice(eq + 1);
        }
        case 'until': return Date.parse(rec.Created) < Number(v) * 1000 || Date.parse(rec.Created) < Date.parse(v);
        default: throw invalidArgument(`invalid filter '${key}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}
