/**
 * Networks as berthd keeps them: `<data-root>/networks/<id>.json`, one record per network, written
 * atomically. The fields are Docker's (GET /networks/{id}); `bridge` is the Linux bridge device of a
 * bridge network. The predefined networks `bridge`, `host` and `none` are created at the first start and
 * keep their IDs; the default bridge's subnet follows --bip at every start.
 *
 * Vocabulary:
 * - endpoint: one container's attachment to one network (an address, a MAC, a veth pair);
 * - sandbox: the container's network namespace, the one its runtime made (/proc/<pid>/ns/net);
 * - port binding: a host address and port forwarded (DNAT) to a container's port.
 */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge' | 'host' | 'null';
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** bridge device name (bridge driver only) */
  bridge?: string;
}

export interface IpamConfig {
  Subnet: string;
  Gateway: string;
  IPRange?: string;
}

/** What a container asks of one network (Docker's EndpointSettings, the configured part). */
export interface EndpointConfig {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  NetworkID?: string;
  DriverOpts?: Record<string, string> | null;
}

/** A live endpoint: the configured part plus what was allocated when the container started. */
export interface EndpointSettings extends EndpointConfig {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  DNSNames: string[] | null;
  /** interface name in the container (eth0, eth1…) and the host end of its veth */
  ifName?: string;
  hostIf?: string;
}

/** One published port, as asked (HostPort '' or '0' = a free one) and as bound. */
export interface PortRequest {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

/** Docker's NetworkSettings.Ports: "80/tcp" → bindings, null when exposed but not published. */
export type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

export const PREDEFINED = ['bridge', 'host', 'none'] as const;
