import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { promises as fs } from 'node:fs';
import type { Duplex } from 'node:stream';
import { EngineError, httpStatusFromError, invalidArgument, notFound } from '../../errdefs/index.js';
import type { Logger } from '../../util/index.js';
import { RequestContext } from './context.js';
import { Reply, type Router } from './router.js';
import { API_VERSION, MIN_API_VERSION, compareVersions } from './version.js';

export interface ListenAddress {
  /** "unix:///run/berth/berthd.sock" or "tcp://127.0.0.1:2375" */
  url: string;
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer; verifyClients: boolean };
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

/**
 * The Engine API over HTTP/1.1. Every route answers with and without `/v1.NN`; a version outside
 * [MIN_API_VERSION, API_VERSION] is refused as Docker does. Errors become `{"message": …}` with the status
 * httpStatusFromError() picks. `Upgrade: tcp` requests are routed the same way and may hijack the socket.
 */
export class ApiServer {
  private readonly servers: net.Server[] = [];

  constructor(
    private readonly router: Router,
    private readonly logger: Logger,
  ) {}

  async listen(addr: ListenAddress): Promise<void> {
    // Docker clients may repeat a whole create body in the query string: raise Node's 16 KiB header limit.
    const options = { maxHeaderSize: 4 * 1024 * 1024, requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 30_000 };
    const server = addr.tls
      ? https.createServer({ ...options, key: addr.tls.key, cert: addr.tls.cert, ca: addr.tls.ca, requestCert: addr.tls.verifyClients, rejectUnauthorized: addr.tls.verifyClients })
      : http.createServer(options);
    server.on('request', (req, res) => void this.dispatch(req, res, undefined, undefined));
    server.on('upgrade', (req, socket: Duplex, head: Buffer) => void this.dispatch(req, undefined, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    const u = new URL(addr.url);
    if (u.protocol === 'unix:') {
      const path = u.pathname;
      await fs.rm(path, { force: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
      await fs.chmod(path, 0o660);
    } else if (u.protocol === 'tcp:') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(u.port || (addr.tls ? 2376 : 2375)), u.hostname.replace(/^\[|\]$/g, ''), () => resolve());
      });
    } else throw invalidArgument(`unsupported listen address ${addr.url}`);
    this.servers.push(server);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            (s as http.Server).closeAllConnections?.();
          }),
      ),
    );
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse | undefined, socket?: Duplex, head?: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    let path = url.pathname.replace(/\/+$/, '') || '/';
    let version = API_VERSION;
    const m = VERSION_PREFIX.exec(path);
    if (m) {
      version = m[1]!;
      path = m[2]!;
    }
    const ctx = new RequestContext(req, res, version, {}, url.searchParams, socket, head);
    const started = performance.now();
    const done = () => this.logger.debug('request', { method: req.method ?? '', path: url.pathname, ms: Math.round((performance.now() - started) * 10) / 10 });
    (res ?? socket)?.once('close', done);
    try {
      if (compareVersions(version, API_VERSION) > 0) {
        throw invalidArgument(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      if (compareVersions(version, MIN_API_VERSION) < 0) {
        throw invalidArgument(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
      const found = this.router.match(req.method ?? 'GET', path);
      if (!('route' in found)) {
        throw found.methodMismatch ? new EngineError('InvalidArgument', 'method not allowed') : notFound(`page not found`);
      }
      Object.assign(ctx.params, found.params);
      const result = await found.route.handler(ctx);
      if (ctx.handled) return;
      const reply = result instanceof Reply ? result : result === undefined ? new Reply(204) : new Reply(200, result);
      this.write(ctx, reply);
    } catch (err) {
      this.writeError(ctx, err);
    }
  }

  private write(ctx: RequestContext, reply: Reply): void {
    const headers = { 'Api-Version': ctx.version, Server: 'berth', Ostype: 'linux', 'Docker-Experimental': 'false' };
    let body = '';
    if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
      body = typeof reply.body === 'string' && reply.contentType !== 'application/json' ? reply.body : JSON.stringify(reply.body) + '\n';
    }
    if (ctx.res) {
      if (ctx.res.headersSent) {
        ctx.res.end(body);
        return;
      }
      ctx.res.writeHead(reply.status, { ...headers, ...(body ? { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(body) } : {}) });
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
    } else {
      // An Upgrade request the handler did not hijack: answer plainly on the socket.
      const sock = ctx.upgradeSocket!;
      const statusText = http.STATUS_CODES[reply.status] ?? '';
      const lines = [`HTTP/1.1 ${reply.status} ${statusText}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      if (body) lines.push(`Content-Type: ${reply.contentType}`, `Content-Length: ${Buffer.byteLength(body)}`);
      sock.end(lines.join('\r\n') + '\r\n\r\n' + body);
    }
  }

  private writeError(ctx: RequestContext, err: unknown): void {
    const status = httpStatusFromError(err);
    const message = err instanceof Error ? err.message : String(err);
    if (status >= 500) this.logger.error('handler failed', { path: ctx.req.url ?? '', error: err instanceof Error ? (err.stack ?? message) : message });
    else this.logger.debug('request refused', { path: ctx.req.url ?? '', status, message });
    if (ctx.handled) {
      // Too late for a status: the stream is already running. Docker ends such streams with the error text.
      if (ctx.res && !ctx.res.writableEnded) ctx.res.end();
      return;
    }
    this.write(ctx, new Reply(status, status === 304 ? undefined : { message }));
  }
}
