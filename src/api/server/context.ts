import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument } from '../../errdefs/index.js';

/**
 * What a handler gets: the decoded request (version, path params, query) and ways to answer. Handlers return
 * a value (sent as JSON with the given status) or take the response over for streaming / hijacking.
 */
export class RequestContext {
  /** set when the handler has written the response itself */
  handled = false;
  private bodyCache?: Buffer;

  constructor(
    readonly req: IncomingMessage,
    /** undefined for an `Upgrade:` request, which has no ServerResponse (see hijack()) */
    readonly res: ServerResponse | undefined,
    readonly version: string,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    readonly upgradeSocket?: Duplex,
    private upgradeHead?: Buffer,
  ) {}

  /** A query flag as Docker reads them: 1/true/True are true; absent is `def`. */
  bool(name: string, def = false): boolean {
    const v = this.query.get(name);
    if (v === null) return def;
    return !(v === '' || v === '0' || v.toLowerCase() === 'false');
  }

  int(name: string, def?: number): number | undefined {
    const v = this.query.get(name);
    if (v === null || v === '') return def;
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalidArgument(`invalid value for ${name}: ${v}`);
    return Math.trunc(n);
  }

  str(name: string): string | undefined {
    const v = this.query.get(name);
    return v === null ? undefined : v;
  }

  async body(): Promise<Buffer> {
    if (this.bodyCache) return this.bodyCache;
    if (this.upgradeSocket) {
      this.bodyCache = await this.upgradeBody(this.upgradeSocket);
      return this.bodyCache;
    }
    const chunks: Buffer[] = [];
    for await (const c of this.req) chunks.push(c as Buffer);
    this.bodyCache = Buffer.concat(chunks);
    return this.bodyCache;
  }

  /** The JSON body; an empty body is `undefined`; malformed JSON is a 400. */
  async json<T>(): Promise<T | undefined> {
    const raw = await this.body();
    if (raw.length === 0 || raw.toString().trim() === '') return undefined;
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch (err) {
      throw invalidArgument(`invalid JSON: ${(err as Error).message}`);
    }
  }

  /**
   * The body of an `Upgrade:` request (exec start sends its JSON this way): Node hands it over as the
   * first bytes past the headers (`head`) and the socket. Reads Content-Length bytes; what follows is
   * already the client's stream and stays for hijack(). Pull-mode reads leave the socket's flowing state
   * as it was, so a later 'data' listener still starts it.
   */
  private async upgradeBody(sock: Duplex): Promise<Buffer> {
    const len = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isSafeInteger(len) || len <= 0) return Buffer.alloc(0);
    const parts = this.upgradeHead ? [this.upgradeHead] : [];
    let have = this.upgradeHead?.length ?? 0;
    while (have < len) {
      const chunk = sock.read() as Buffer | null;
      if (chunk) {
        parts.push(chunk);
        have += chunk.length;
        continue;
      }
      if (sock.readableEnded || sock.destroyed) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          sock.off('readable', done);
          sock.off('end', done);
          sock.off('close', done);
          resolve();
        };
        sock.on('readable', done);
        sock.once('end', done);
        sock.once('close', done);
      });
    }
    const all = Buffer.concat(parts);
    this.upgradeHead = all.subarray(Math.min(len, all.length));
    return all.subarray(0, Math.min(len, all.length));
  }

  get isUpgrade(): boolean {
    return this.upgradeSocket !== undefined;
  }

  /**
   * Takes the connection over, as Docker does for attach and exec: with `Upgrade: tcp` answers
   * 101 UPGRADED; without, answers 200 and keeps the socket as a raw stream. Returns the raw duplex.
   */
  hijack(contentType: string): Duplex {
    this.handled = true;
    if (this.upgradeSocket) {
      const sock = this.upgradeSocket;
      sock.write(
        `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
          `Api-Version: ${this.version}\r\nServer: berth\r\nOstype: linux\r\n\r\n`,
      );
      if (this.upgradeHead && this.upgradeHead.length) sock.unshift(this.upgradeHead);
      return sock;
    }
    const res = this.res!;
    const sock = res.socket!;
    // Write the head ourselves on the raw socket, then hand the socket over.
    sock.write(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nApi-Version: ${this.version}\r\nServer: berth\r\nOstype: linux\r\n\r\n`);
    res.detachSocket(sock);
    return sock;
  }

  /** Starts a streamed 200 response (chunked) with the given content type. */
  stream(contentType: string, status = 200): ServerResponse {
    this.handled = true;
    const res = this.res!;
    res.writeHead(status, { 'Content-Type': contentType });
    res.flushHeaders();
    return res;
  }
}
