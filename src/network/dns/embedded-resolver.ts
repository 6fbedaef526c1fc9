import dgram from 'node:dgram';
import type { Logger } from '../../util/index.js';
import { buildAnswer, parseQuery, RCODE } from './dns-message.js';

/**
 * berthd's DNS server for user-defined networks, listening on each such network's gateway address
 * (port 53, UDP). A name of a container on a network the asking container shares (its name, network
 * aliases, short ID) is answered here; any other name is forwarded to the asking container's own `--dns`
 * servers when it has some, as Docker's resolver does, else to the daemon's upstream servers (--dns,
 * daemon.json `dns`, else the host's resolv.conf), and nowhere else. No upstream, or no answer
 * within 2 s: SERVFAIL. The default bridge has no listener: there, names do not resolve (as Docker).
 */
export interface NameLookup {
  /** addresses for name, as seen by the container at address `from`; undefined = not a container name */
  lookup(name: string, from: string): number[] | undefined;
  /** the `--dns` servers of the container at address `from`; undefined = the daemon's */
  upstreams(from: string): string[] | undefined;
}

export class EmbeddedResolver {
  private readonly sockets = new Map<string, dgram.Socket>();

  constructor(
    private readonly names: NameLookup,
    private readonly upstreams: () => string[],
    private readonly logger: Logger,
  ) {}

  /** Starts listening on address:53 (idempotent). */
  async listen(address: string): Promise<void> {
    if (this.sockets.has(address)) return;
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sock.on('message', (msg, rinfo) => void this.answer(sock, msg, rinfo).catch((err) => this.logger.warn('resolver: no answer', { address, error: err })));
    sock.on('error', (err) => this.logger.warn('resolver socket error', { address, error: err }));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(53, address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    this.sockets.set(address, sock);
  }

  close(address: string): void {
    this.sockets.get(address)?.close();
    this.sockets.delete(address);
  }

  closeAll(): void {
    for (const a of [...this.sockets.keys()]) this.close(a);
  }

  private async answer(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    const q = parseQuery(msg);
    if (!q) return;
    const local = this.names.lookup(q.name.replace(/\.$/, ''), rinfo.address);
    let reply: Buffer;
    if (local) reply = buildAnswer(q, RCODE.NOERROR, local);
    else reply = (await this.forward(msg, this.names.upstreams(rinfo.address) ?? this.upstreams())) ?? buildAnswer(q, RCODE.SERVFAIL);
    sock.send(reply, rinfo.port, rinfo.address);
  }

  /** Asks the upstream servers in turn; the first answer wins. */
  private async forward(msg: Buffer, servers: string[]): Promise<Buffer | undefined> {
    for (const server of servers) {
      const r = await new Promise<Buffer | undefined>((resolve) => {
        const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
        const done = (v: Buffer | undefined) => {
          clearTimeout(timer);
          s.close();
          resolve(v);
        };
        const timer = setTimeout(() => done(undefined), 2000);
        s.on('error', () => done(undefined));
        s.on('message', (m) => done(m));
        // connected, so that a closed port (ICMP unreachable) fails at once instead of after the timeout
        s.connect(53, server, () => s.send(msg));
      });
      if (r) return r;
    }
    return undefined;
  }
}
