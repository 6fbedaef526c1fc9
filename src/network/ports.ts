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

export interface HostPortHold {
  port: number;
  release(): void;
}

/**
 * Binds host ip:port (0 = a free port the kernel picks) and keeps it bound while the container runs, as
 * dockerd does without its userland proxy. Ports are forwarded by DNAT, so only this socket tells other
 * processes (and other daemons) that the port is taken: without it a later bind elsewhere would succeed
 * and its traffic silently go to the container. A connection that reaches the socket (none does while the
 * DNAT rules are in place) is closed at once. Rejects with the error Docker's userland proxy reports when
 * another process holds the port.
 */
export function holdHostPort(proto: PortRequest['proto'], hostIp: string, port: number): Promise<HostPortHold> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(new Error(`listen ${proto}4 ${host}:${port}: bind: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`));
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', fail);
      s.on('message', () => undefined);
      s.bind(port, host, () => {
        s.off('error', fail);
        s.on('error', () => undefined);
        s.unref();
        resolve({ port: s.address().port, release: once(() => s.close()) });
      });
      return;
    }
    const srv = net.createServer((c) => c.destroy());
    srv.once('error', fail);
    srv.listen({ host, port, exclusive: true, backlog: 1 }, () => {
      srv.off('error', fail);
      srv.on('error', () => undefined);
      srv.unref();
      resolve({ port: (srv.address() as net.AddressInfo).port, release: once(() => srv.close()) });
    });
  });
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
