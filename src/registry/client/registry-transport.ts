import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable } from 'node:stream';
import { EngineError, forbidden, notFound, unauthorized, unavailable } from '../../errdefs/index.js';
import { ConnectError, connectError, goVerb, unreachable, type TlsAttempt } from './connect-errors.js';
import { registryAgent } from './registry-certs.js';

/**
 * HTTP to one registry, with its authentication.
 *
 * Endpoints (as dockerd): docker.io is https://registry-1.docker.io; a loopback host (127.0.0.0/8, ::1,
 * localhost) or one listed with --insecure-registry is tried over HTTPS without certificate checks and,
 * when the TLS handshake fails, over plain HTTP — unless the registry answered in TLS (an alert, e.g. for a
 * client certificate it wants, or a completed handshake): then the HTTPS error is the one to give. The
 * answer is kept only while it holds: a registry that refused the connection is probed again next time,
 * and a request that cannot connect, or that plain HTTP gets a TLS port's "Client sent an HTTP request to
 * an HTTPS server." for, forgets it (a registry restarted with or without TLS on the same port is found
 * again). Any other host is HTTPS with verified certificates. A client certificate in the certs dir is
 * presented either way (registry-certs.ts).
 *
 * Authentication follows the registry's WWW-Authenticate challenge: `Basic` sends the credentials on every
 * request; `Bearer realm=…,service=…,scope=…` trades them (or nothing, anonymously) at the realm for a
 * token, kept per scope until it expires. A request answered 401 is retried once after the challenge.
 * As dockerd's (distribution's token handler): with an identity token (an OAuth2 refresh token from an
 * earlier login) the trade is the OAuth2 POST `grant_type=refresh_token`; otherwise a GET with the
 * username and password as Basic credentials, which asks for a refresh token too (`offline_token=true`)
 * when the transport is a login's (`offlineAccess`): `identityToken` then holds it.
 */
export interface Credentials {
  username?: string;
  password?: string;
  /** an OAuth refresh token from an earlier login (docker's "identitytoken") */
  identitytoken?: string;
  /** a bearer token to send as is */
  registrytoken?: string;
}

/** The client_id dockerd gives token servers (moby's registry.AuthClientID): an identity token is bound to it. */
export const AUTH_CLIENT_ID = 'docker';

export interface TransportOptions {
  /** ask the token server for a refresh token as well (a login's, to return as IdentityToken) */
  offlineAccess?: boolean;
}

/** The token service refused the credentials (a password, an identity token): its own words, to pass on. */
export class TokenRefused extends EngineError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';

export function isLoopbackHost(host: string): boolean {
  const h = hostOnly(host);
  if (h === 'localhost' || h === '::1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

function hostOnly(hostport: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostport);
  if (m) return m[1]!;
  const i = hostport.lastIndexOf(':');
  return i > 0 && !hostport.slice(0, i).includes(':') ? hostport.slice(0, i) : hostport;
}

/** --insecure-registry entries: host[:port] or a CIDR (IPv4). */
export function isInsecure(host: string, insecure: string[]): boolean {
  if (isLoopbackHost(host)) return true;
  const h = hostOnly(host);
  for (const entry of insecure) {
    if (entry === host || entry === h) return true;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
    if (cidr && net.isIPv4(h)) {
      const bits = Number(cidr[2]);
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      if ((ipv4(h) & mask) >>> 0 === (ipv4(cidr[1]!) & mask) >>> 0) return true;
    }
  }
  return false;
}

function ipv4(s: string): number {
  return s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
}

export interface RegistryResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | Readable;
  /** the access this request needs, e.g. "repository:app:pull" */
  scope: string;
  /** a body stream cannot be sent twice: do not retry after a 401 (fetch a token first instead) */
  noRetry?: boolean;
  timeoutMs?: number;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

/** host → scheme decided for an insecure registry */
const schemeCache = new Map<string, 'http' | 'https'>();
/** host → why HTTPS failed when it was last probed and HTTP chosen, for the error if HTTP meets a TLS port */
const httpsFailures = new Map<string, string>();

/** What Go's net/http (distribution, berth registry serve) answers plain HTTP with on a TLS port (status 400). */
const PLAIN_HTTP_TO_TLS = /^Client sent an HTTP request to an HTTPS server/;

export class RegistryTransport {
  readonly endpointHost: string;
  private readonly insecure: boolean;
  private challenge?: { scheme: 'basic' | 'bearer'; params: Record<string, string> };
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  private refreshToken: string | undefined;

  constructor(
    /** the domain of the reference: docker.io, 127.0.0.1:5000, … */
    readonly domain: string,
    private readonly creds: Credentials | undefined,
    insecureRegistries: string[],
    /** per-registry CAs and client certificates (dockerd's /etc/docker/certs.d) */
    private readonly certsDir = '',
    private readonly options: TransportOptions = {},
  ) {
    this.endpointHost = domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_ENDPOINT : domain;
    this.insecure = isInsecure(this.endpointHost, insecureRegistries);
    this.refreshToken = creds?.identitytoken || undefined;
  }

  /** The identity token: the one the credentials brought, or the refresh token an offline login got. */
  get identityToken(): string | undefined {
    return this.refreshToken;
  }

  private async scheme(): Promise<'http' | 'https'> {
    if (!this.insecure) return 'https';
    const known = schemeCache.get(this.endpointHost);
    if (known) return known;
    // HTTPS first (without verification), as dockerd does for insecure registries; HTTP when TLS fails.
    try {
      const r = await this.raw('https', { method: 'GET', path: '/v2/', headers: {}, timeoutMs: 5000 });
      r.body.resume();
      schemeCache.set(this.endpointHost, 'https');
      return 'https';
    } catch (err) {
      // a TLS server that refused us (e.g. it wants a client certificate): HTTP would only get its 400
      if (err instanceof ConnectError && err.speaksTls) {
        schemeCache.set(this.endpointHost, 'https');
        throw err;
      }
      httpsFailures.set(this.endpointHost, (err as Error).message);
      // nothing listens (or answers) there: HTTP gives the error, and the next operation probes again
      if (!unreachable(err)) schemeCache.set(this.endpointHost, 'http');
      return 'http';
    }
  }

  async baseUrl(): Promise<string> {
    return `${await this.scheme()}://${this.endpointHost}`;
  }

  /** A request to a path on the registry (or an absolute URL from a Location header), authenticated. */
  async request(pathOrUrl: string, opts: RequestOptions): Promise<RegistryResponse> {
    const probed = schemeCache.has(this.endpointHost);
    const scheme = await this.scheme();
    let url = new URL(pathOrUrl, `${scheme}://${this.endpointHost}`);
    const send = async () => {
      const headers = { ...(opts.headers ?? {}), ...(await this.authHeader(opts.scope)) };
      return this.raw(url.protocol === 'https:' ? 'https' : 'http', { method: opts.method ?? 'GET', path: url.pathname + url.search, headers, body: opts.body, timeoutMs: opts.timeoutMs, host: url.host });
    };
    let res: RegistryResponse;
    try {
      res = await send();
    } catch (err) {
      const noAnswer = err instanceof EngineError && err.kind === 'Unavailable' && err.cause !== undefined;
      if (!noAnswer || !this.insecure) throw err;
      // the scheme an earlier probe found no longer connects: the registry may have restarted with(out) TLS
      schemeCache.delete(this.endpointHost);
      const fresh = probed && url.host === this.endpointHost ? await this.scheme() : scheme;
      if (fresh === scheme || (opts.body !== undefined && !Buffer.isBuffer(opts.body))) throw err;
      url = new URL(pathOrUrl, `${fresh}://${this.endpointHost}`);
      res = await send();
    }
    if (url.protocol === 'http:' && this.insecure && url.host === this.endpointHost) {
      const checked = await tlsPortAnswer(res);
      res = checked.res;
      if (checked.tlsPort) {
        // a TLS port: the registry came back with TLS, or HTTPS failed when it was probed; probe again
        schemeCache.delete(this.endpointHost);
        const fresh = await this.scheme();
        const resendable = opts.body === undefined || Buffer.isBuffer(opts.body);
        if (fresh === 'http' || !resendable) {
          const tail = fresh === 'http' ? `, and HTTPS failed: ${httpsFailures.get(this.endpointHost)}` : ' now: try again';
          throw unavailable(`${goVerb(opts.method ?? 'GET')} "${url.href}": the registry answered plain HTTP with "Client sent an HTTP request to an HTTPS server.": it speaks HTTPS on this port${tail}`);
        }
        url = new URL(url.href.replace(/^http:/, 'https:'));
        res = await send();
      }
    }
    if (res.status === 401) {
      const www = res.headers['www-authenticate'];
      res.body.resume();
      const before = this.challenge;
      this.challenge = parseChallenge(www);
      this.tokens.delete(opts.scope);
      // retry once when there is something new to try (a challenge to answer, or a token for this scope)
      const canRetry = !opts.noRetry && this.challenge && (this.creds || this.challenge.scheme === 'bearer') && !(before?.scheme === 'basic' && this.challenge.scheme === 'basic');
      if (canRetry) res = await send();
      else res = { ...res, body: emptyBody(res.body) };
    }
    return res;
  }

  /** Makes sure the next request for `scope` carries a token (before a streamed body that cannot be sent twice). */
  async prepare(scope: string): Promise<void> {
    if (this.challenge) return;
    const r = await this.request('/v2/', { scope });
    r.body.resume();
    if (r.status === 401) throw unauthorizedError(r, await this.baseUrl());
    if (!this.challenge) return;
    await this.authHeader(scope);
  }

  private async authHeader(scope: string): Promise<Record<string, string>> {
    const c = this.challenge;
    if (!c) return {};
    if (c.scheme === 'basic') {
      if (!this.creds?.username) return {};
      return { Authorization: `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password ?? ''}`).toString('base64')}` };
    }
    if (this.creds?.registrytoken) return { Authorization: `Bearer ${this.creds.registrytoken}` };
    const cached = this.tokens.get(scope);
    if (cached && cached.expires > Date.now()) return { Authorization: `Bearer ${cached.token}` };
    const token = await this.fetchToken(c.params, scope);
    this.tokens.set(scope, token);
    return { Authorization: `Bearer ${token.token}` };
  }

  private async fetchToken(params: Record<string, string>, scope: string): Promise<{ token: string; expires: number }> {
    const realm = params.realm;
    if (!realm) throw unauthorized('the registry asked for a bearer token without a realm');
    const url = new URL(realm);
    const service = params.service ?? '';
    const scopes = [...new Set([scope, params.scope ?? ''])].filter(Boolean);
    const refresh = this.refreshToken;
    let basic = false;
    let res: RegistryResponse;
    if (refresh) {
      // OAuth2 (distribution's oauth.md): the refresh token buys an access token for the scopes
      const form = new URLSearchParams({ scope: scopes.join(' '), service, client_id: AUTH_CLIENT_ID, grant_type: 'refresh_token', refresh_token: refresh });
      const body = Buffer.from(form.toString());
      res = await this.raw(url.protocol === 'https:' ? 'https' : 'http', { method: 'POST', path: url.pathname + url.search, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }, body, host: url.host, timeoutMs: 30_000 });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (this.options.offlineAccess) {
        url.searchParams.set('offline_token', 'true');
        url.searchParams.set('client_id', AUTH_CLIENT_ID);
      }
      const headers: Record<string, string> = {};
      // as distribution's client: Basic only with both a username and a password
      if (this.creds?.username && this.creds.password) {
        basic = true;
        url.searchParams.set('account', this.creds.username);
        headers.Authorization = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`;
      }
      res = await this.raw(url.protocol === 'https:' ? 'https' : 'http', { method: 'GET', path: url.pathname + url.search, headers, host: url.host, timeoutMs: 30_000 });
    }
    const where = `${refresh ? 'Post' : 'Get'} "${url.origin}${url.pathname}"`;
    const text = await readText(res.body, 1 << 20);
    if (res.status !== 200) {
      const why = res.status === 401 && basic ? 'unauthorized: incorrect username or password' : tokenErrorText(res.status, text);
      // refused credentials are the user's to hear about; an anonymous refusal is the caller's to word ("denied")
      throw refresh || basic ? new TokenRefused(`${where}: ${why}`) : unauthorized(`${where}: ${why}`);
    }
    let json: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw unauthorized(`token request to ${url.origin}${url.pathname}: malformed answer`);
    }
    const token = json.token ?? json.access_token;
    if (!token) throw unauthorized(`token request to ${url.origin}${url.pathname}: no token in the answer`);
    // a login keeps the refresh token it asked for (dockerd's loginCredentialStore); pulls and pushes do not
    if (this.options.offlineAccess && json.refresh_token) this.refreshToken = json.refresh_token;
    return { token, expires: Date.now() + Math.max(10, (json.expires_in ?? 60) - 5) * 1000 };
  }

  private async raw(scheme: 'http' | 'https', o: { method: string; path: string; headers: Record<string, string | number>; body?: Buffer | Readable; timeoutMs?: number; host?: string }): Promise<RegistryResponse> {
    const host = o.host ?? this.endpointHost;
    const { hostname, port } = splitHost(host, scheme === 'https' ? 443 : 80);
    // the registry's own agent (its CAs, its client certificate) when its certs dir has one
    const own = scheme === 'https' && this.certsDir ? await registryAgent(this.certsDir, host, !this.insecure) : undefined;
    const agent = scheme === 'http' ? agents.http : (own?.agent ?? (this.insecure ? agents.httpsInsecure : agents.https));
    const tls: TlsAttempt | undefined = scheme === 'https' ? { handshakeDone: false, clientCert: own?.clientCert, certsDir: this.certsDir } : undefined;
    const mod = scheme === 'http' ? http : https;
    return new Promise<RegistryResponse>((resolve, reject) => {
      const req = mod.request({ hostname, port, method: o.method, path: o.path, agent, headers: { 'User-Agent': 'berth', ...o.headers } }, (res) => {
        // the whole request has its own timer below; once answered, a stall is the reader's to detect
        req.setTimeout(0);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.setTimeout(o.timeoutMs ?? 60_000, () => req.destroy(unavailable(`${o.method} ${scheme}://${host}${o.path}: timed out after ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s`)));
      req.on('socket', (socket) => {
        if (tls && !req.reusedSocket) socket.once('secureConnect', () => (tls.handshakeDone = true));
      });
      req.on('error', (err) => reject(err instanceof EngineError ? err : connectError(err as NodeJS.ErrnoException, `${scheme}://${host}${o.path}`, o.method, tls)));
      if (o.body === undefined) req.end();
      else if (Buffer.isBuffer(o.body)) req.end(o.body);
      else {
        o.body.on('error', (err) => req.destroy(err));
        o.body.pipe(req);
      }
    });
  }
}

function splitHost(host: string, def: number): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(host);
  return { hostname: m?.[1] ?? m?.[2] ?? host, port: m?.[3] ? Number(m[3]) : def };
}

function parseChallenge(h: string | string[] | undefined): { scheme: 'basic' | 'bearer'; params: Record<string, string> } | undefined {
  const text = Array.isArray(h) ? h[0] : h;
  if (!text) return undefined;
  const m = /^(\w+)\s*(.*)$/.exec(text.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme, params };
}

function emptyBody(b: Readable): Readable {
  return b;
}

/**
 * Whether a 400 to plain HTTP is a TLS port's answer (it has none of a registry's headers); any other
 * answer comes back with its body still to read.
 */
async function tlsPortAnswer(res: RegistryResponse): Promise<{ tlsPort: boolean; res: RegistryResponse }> {
  if (res.status !== 400 || res.headers['docker-distribution-api-version'] || res.headers['content-type']) return { tlsPort: false, res };
  const body = await readBuffer(res.body, 64 * 1024).catch(() => Buffer.alloc(0));
  if (PLAIN_HTTP_TO_TLS.test(body.toString('latin1'))) return { tlsPort: true, res };
  return { tlsPort: false, res: { ...res, body: Readable.from([body], { objectMode: false }) } };
}

export async function readText(body: Readable, max: number): Promise<string> {
  return (await readBuffer(body, max)).toString('utf8');
}

export async function readBuffer(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += (c as Buffer).length;
    if (n > max) {
      body.destroy();
      throw unavailable(`answer larger than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A token server's refusal: the registry's JSON errors, an OAuth2 {error, error_description}, or the status. */
function tokenErrorText(status: number, text: string): string {
  try {
    const json = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }>; error?: string; error_description?: string; details?: string };
    const e = json.errors?.[0];
    if (e) return `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.replace(/^: /, '');
    if (json.error) return `${json.error}${json.error_description ? `: ${json.error_description}` : ''}`;
    if (json.details) return `${status === 401 ? 'unauthorized: ' : ''}${json.details}`;
  } catch {
    /* not JSON */
  }
  return `token request failed with status ${status}`;
}

/** The registry's JSON error body, e.g. "manifest unknown: manifest unknown", as docker prints it. */
export async function registryErrorText(r: RegistryResponse): Promise<string> {
  const text = await readText(r.body, 64 * 1024).catch(() => '');
  try {
    const json = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const e = json.errors?.[0];
    if (e) return `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.replace(/^: /, '');
  } catch {
    /* not JSON */
  }
  return text.trim() || `status ${r.status}`;
}

export function unauthorizedError(r: RegistryResponse, url: string): EngineError {
  return unauthorized(`${url}: unauthorized: authentication required`);
}

/** An error of the right kind for a registry status (the text already read). */
export function statusError(status: number, text: string): EngineError {
  if (status === 401) return unauthorized(text);
  if (status === 403) return forbidden(text);
  if (status === 404) return notFound(text);
  return unavailable(text);
}
