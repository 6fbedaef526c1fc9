import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { ApiError, ConnectionError } from './errors.js';
import type { DaemonAddress } from './host.js';

/**
 * HTTP/1.1 to the daemon over a unix socket or TCP. Every path is sent versioned (`/v1.43/…`).
 * Errors: a status >= 400 becomes an ApiError carrying the daemon's `message`; a socket that cannot be
 * reached becomes a ConnectionError naming the host as the user gave it.
 */
export type QueryValue = string | number | boolean | undefined | null;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** JSON body (serialised here). */
  json?: unknown;
  /** Raw body: a buffer or a stream (tar uploads). */
  body?: Buffer | Readable;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function buildPath(version: string, path: string, query?: Query): string {
  let out = `/v${version}${path}`;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      qs.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
    const s = qs.toString();
    if (s) out += `${out.includes('?') ? '&' : '?'}${s}`;
  }
  return out;
}

const CONNECT_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

/** TLS to a tcp:// daemon, as the docker CLI's --tls/--tlsverify: PEM contents, not paths. */
export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** verify the daemon's certificate against `ca` (--tlsverify); plain --tls does not */
  verify: boolean;
}

export class Transport {
  private negotiation?: Promise<void>;

  /**
   * `version` is the highest API version the client speaks; with `negotiate`, the first request pings
   * the daemon (unversioned /_ping) and lowers it to the daemon's API-Version, as the docker CLI does.
   */
  constructor(
    readonly address: DaemonAddress,
    public version: string,
    private readonly negotiate = false,
    private readonly tls?: TlsOptions,
  ) {}

  /** http.request, or https.request for a TLS daemon. */
  private send(opts: http.RequestOptions, cb?: (res: http.IncomingMessage) => void): http.ClientRequest {
    if (this.tls && this.address.kind === 'tcp') {
      return https.request({ ...opts, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, rejectUnauthorized: this.tls.verify }, cb);
    }
    return http.request(opts, cb);
  }

  private ready(): Promise<void> {
    if (!this.negotiate) return Promise.resolve();
    this.negotiation ??= new Promise<void>((resolve, reject) => {
      const opts = this.baseOptions('GET', '/_ping', {});
      opts.path = '/_ping';
      let connected = false;
      const req = this.send(opts, (res) => {
        const server = String(res.headers['api-version'] ?? '');
        if (/^\d+\.\d+$/.test(server) && compareVersions(server, this.version) < 0) this.version = server;
        res.resume();
        res.on('end', resolve);
        res.on('error', resolve);
      });
      req.on('socket', (sock) => sock.once('connect', () => (connected = true)));
      req.on('error', (e) => (connected ? resolve() : reject(this.wrapError(e))));
      req.end();
    });
    return this.negotiation;
  }

  private baseOptions(method: string, path: string, opts: RequestOptions): http.RequestOptions {
    const headers: Record<string, string> = { 'User-Agent': 'berth-cli', ...(opts.headers ?? {}) };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    else if (opts.contentType) headers['Content-Type'] = opts.contentType;
    const base: http.RequestOptions = {
      method,
      path: buildPath(this.version, path, opts.query),
      headers,
      signal: opts.signal,
      agent: false,
    };
    if (this.address.kind === 'unix') base.socketPath = this.address.socketPath;
    else {
      base.host = this.address.host;
      base.port = this.address.port;
    }
    headers.Host = this.address.kind === 'unix' ? 'api.moby.localhost' : `${this.address.host}:${this.address.port}`;
    return base;
  }

  private wrapError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && CONNECT_ERRORS.has(code)) return new ConnectionError(this.address.display, err);
    return err;
  }

  private sendBody(req: http.ClientRequest, opts: RequestOptions, reject: (e: unknown) => void): void {
    if (opts.json !== undefined) req.end(JSON.stringify(opts.json));
    else if (opts.body && !Buffer.isBuffer(opts.body)) {
      const body = opts.body;
      body.on('error', (e) => {
        req.destroy(e);
        reject(e);
      });
      body.pipe(req);
    } else req.end(opts.body);
  }

  /** Sends a request; resolves with the response once its status is known to be a success. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    await this.ready();
    return new Promise((resolve, reject) => {
      let connected = false;
      const req = this.send(this.baseOptions(method, path, opts), (res) => {
        if ((res.statusCode ?? 500) >= 400) readError(res).then(reject, reject);
        else resolve(res);
      });
      req.on('socket', (s) => s.once('connect', () => (connected = true)));
      req.on('error', (e) => reject(connected ? e : this.wrapError(e)));
      this.sendBody(req, opts, reject);
    });
  }

  /**
   * Hijacks the connection (attach, exec start): sends `Connection: Upgrade`, `Upgrade: tcp` and, on
   * 101, hands back the raw socket (plus any bytes read past the headers). A daemon that answers 200
   * without upgrading still gets its body used as the output stream.
   */
  async hijack(method: string, path: string, opts: RequestOptions = {}): Promise<{ socket: Duplex; head: Buffer }> {
    await this.ready();
    return new Promise((resolve, reject) => {
      const base = this.baseOptions(method, path, opts);
      base.headers = { ...(base.headers as Record<string, string>), Connection: 'Upgrade', Upgrade: 'tcp' };
      let connected = false;
      const req = this.send(base);
      req.on('socket', (s) => s.once('connect', () => (connected = true)));
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) readError(res).then(reject, reject);
        else resolve({ socket: res as unknown as Duplex, head: Buffer.alloc(0) });
      });
      req.on('error', (e) => reject(connected ? e : this.wrapError(e)));
      if (opts.json !== undefined) req.end(JSON.stringify(opts.json));
      else req.end();
    });
  }
}

export function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

async function readError(res: http.IncomingMessage): Promise<ApiError> {
  const status = res.statusCode ?? 500;
  const text = (await readAll(res)).toString('utf8');
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    /* not JSON: keep the text */
  }
  if (!message) message = status === 404 ? 'page not found' : `${status} ${res.statusMessage ?? ''}`.trim();
  return new ApiError(status, message);
}
