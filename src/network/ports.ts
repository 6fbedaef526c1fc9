import dgram from 'node:dgram';
import net from 'node:net';
import { invalidArgument } from '../errdefs/index.js';
import type { PortMap, PortRequest } from './network-record.js';

/**
 * Published ports: what a container asks (HostConfig.PortBindings, -P over Config.ExposedPorts) and the
 * check that the host port is free. Ports are forwarded by DNAT (firewall.ts), not by a proxy process, so
 * the kernel does not know berth holds them: the service also keeps the bindings of running containers.
 */
export function portRequests(
  portBindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined,
  exposed: Record<string, object> | null | undefined,
  publishAll: boolean,
): PortRequest[] {
  const out: PortRequest[] = [];
  const keys = new Set<string>();
  for (const [key, list] of Object.entries(portBindings ?? {})) {
    const { port, proto } = parsePortKey(key);
    keys.add(`${port}/${proto}`);
    for (const b of list?.length ? list : [{}]) {
      const hostPort = b.HostPort ? Number(b.HostPort.split('-')[0]) : 0;
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) throw invalidArgument(`invalid port specification: "${b.HostPort}"`);
      out.push({ proto, containerPort: port, hostIp: b.HostIp ?? '', hostPort });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (!keys.has(`${port}/${proto}`)) out.push({ proto, containerPort: port, hostIp: '', hostPort: 0 });
    }
  }
  return out;
}

export function parsePortKey(key: string): { port: number; proto: PortRequest['proto'] } {
  const [p, proto = 'tcp'] = key.split('/');
  const port = Number(p);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`invalid containerPort: ${p}`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalidArgument(`invalid proto: ${proto}`);
  return { port, proto };
}

/** Docker's NetworkSettings.Ports: every exposed port, with its bindings or null. */
export function portMap(exposed: Record<string, object> | null | undefined, bound: PortRequest[]): PortMap {
  const out: PortMap = {};
  for (const key of Object.keys(exposed ?? {})) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const b of bound) {
    const key = `${b.containerPort}/${b.proto}`;
    (out[key] ??= []).push({ HostIp: b.hostIp || '0.0.0.0', HostPort: String(b.hostPort) });
  }
  return out;
}

/**
 * Binds host ip:port (0 = any free port) and lets it go, to learn that it is free or the kernel's choice.
 * Rejects with the error Docker's userland proxy reports when another process holds it.
 */
export function probeHostPort(proto: PortRequest['proto'], hostIp: string, port: number): Promise<number> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(new Error(`listen ${proto}4 ${host}:${port}: bind: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`));
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', fail);
      s.bind(port, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen({ host, port, exclusive: true }, () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}
