/**
 * Where the daemon listens, as the docker CLI takes it: `-H/--host`, else DOCKER_HOST, else the default
 * unix socket. Forms: unix:///path, tcp://host:port, http://host:port, a bare /path (unix).
 */
export const DEFAULT_HOST = 'unix:///run/berth/berthd.sock';

export type DaemonAddress =
  | { kind: 'unix'; socketPath: string; display: string }
  | { kind: 'tcp'; host: string; port: number; display: string };

export function resolveHost(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.DOCKER_HOST || DEFAULT_HOST;
}

export function parseHost(host: string): DaemonAddress {
  const h = host.trim();
  if (h.startsWith('unix://')) {
    const socketPath = h.slice('unix://'.length);
    if (!socketPath) throw new Error(`invalid unix address: ${host}`);
    return { kind: 'unix', socketPath, display: h };
  }
  if (h.startsWith('/')) return { kind: 'unix', socketPath: h, display: `unix://${h}` };
  const m = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(h);
  if (m) {
    const hostName = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
    const port = m[2] ? Number(m[2]) : 2375;
    return { kind: 'tcp', host: hostName, port, display: h };
  }
  throw new Error(`unable to parse docker host \`${host}\``);
}
