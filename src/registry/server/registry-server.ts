import { createHash, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { MediaTypes } from '../../oci/index.js';
import { answerPlainHttp } from './plain-http-on-tls.js';
import { RegistryAuth, type AuthOptions } from './registry-auth.js';
import { RegistryError, regError } from './registry-errors.js';
import { serveToken } from './registry-token-endpoint.js';
import { checkDigest, checkRepo, DIGEST_RE, RegistryStorage, TAG_RE } from './registry-storage.js';

/**
 * berth's registry server: the OCI distribution API v2 (../shared/conformance/…/spec.md) over
 * RegistryStorage. `berth registry serve` runs it; tests run it in-process on port 0.
 *
 * Routes: GET /v2/; HEAD/GET/DELETE blobs; POST/PATCH/PUT/GET/DELETE uploads (monolithic, chunked,
 * streamed, cross-repository mount); HEAD/GET/PUT/DELETE manifests by tag or digest; GET tags/list and
 * _catalog with n/last pagination and Link headers; GET referrers; GET and POST /token (registry-token-endpoint.ts).
 */
export interface RegistryServerOptions {
  root: string;
  /** HOST:PORT; port 0 picks one */
  addr: string;
  auth?: AuthOptions;
  /**
   * Serve HTTPS with this certificate and key (PEM files). With `clientCa` (a PEM file of one or more CAs,
   * distribution's http.tls.clientcas), a client must present a certificate one of them signed, or the
   * handshake is refused.
   */
  tls?: { cert: string; key: string; clientCa?: string };
  /** DELETE of manifests and blobs (off by default, as in distribution) */
  deleteEnabled?: boolean;
  log?: (line: string) => void;
}

export interface RunningRegistry {
  /** host:port actually bound */
  address: string;
  url: string;
  storage: RegistryStorage;
  close(): Promise<void>;
}

const MANIFEST_TYPES = new Set<string>([MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList]);
const MAX_MANIFEST = 4 * 1024 * 1024;

export async function startRegistry(opts: RegistryServerOptions): Promise<RunningRegistry> {
  const storage = new RegistryStorage(opts.root);
  await storage.init();
  const auth = new RegistryAuth(opts.auth ?? {});
  const handler = new Handler(storage, auth, opts.deleteEnabled ?? false, opts.log);
  const listener = (req: IncomingMessage, res: ServerResponse) => void handler.handle(req, res);
  const server = opts.tls ? https.createServer(await tlsOptions(opts.tls), listener) : http.createServer(listener);
  const plainHttp = server instanceof https.Server ? answerPlainHttp(server) : undefined;
  server.keepAliveTimeout = 30_000;
  const { host, port } = splitAddr(opts.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const address = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  return {
    address,
    url: `${opts.tls ? 'https' : 'http'}://${address}`,
    storage,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        plainHttp?.close();
        server.closeAllConnections();
      }),
  };
}

async function tlsOptions(o: NonNullable<RegistryServerOptions['tls']>): Promise<https.ServerOptions> {
  const [cert, key] = await Promise.all([fs.readFile(o.cert), fs.readFile(o.key)]);
  if (!o.clientCa) return { cert, key };
  return { cert, key, ca: readCas(o.clientCa, await fs.readFile(o.clientCa, 'utf8')), requestCert: true, rejectUnauthorized: true };
}

/** The CA certificates of a PEM file, each checked: a file with none would silently refuse every client. */
function readCas(file: string, pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new Error(`${file}: no PEM certificate in it`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  }
  return blocks;
}

export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address ${addr}: want HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

type Route = { scope: (name: string) => string; run: (req: IncomingMessage, res: ServerResponse, m: RegExpMatchArray, url: URL) => Promise<void> };

class Handler {
  private readonly routes: Array<[string, RegExp, Route]>;

  constructor(
    private readonly storage: RegistryStorage,
    private readonly auth: RegistryAuth,
    private readonly deleteEnabled: boolean,
    private readonly log?: (line: string) => void,
  ) {
    const pull = (n: string) => `repository:${n}:pull`;
    const push = (n: string) => `repository:${n}:pull,push`;
    const del = (n: string) => `repository:${n}:delete`;
    this.routes = [
      ['GET', /^\/v2\/?$/, { scope: () => '', run: async (_q, res) => this.send(res, 200, '{}', 'application/json') }],
      ['GET', /^\/v2\/_catalog$/, { scope: () => 'registry:catalog:*', run: (q, r, m, u) => this.catalog(r, u) }],
      ['GET', /^\/v2\/(.+)\/tags\/list$/, { scope: pull, run: (q, r, m, u) => this.tagsList(r, m[1]!, u) }],
      ['GET', /^\/v2\/(.+)\/referrers\/([^/]+)$/, { scope: pull, run: (q, r, m, u) => this.referrers(r, m[1]!, m[2]!, u) }],
      ['POST', /^\/v2\/(.+)\/blobs\/uploads\/?$/, { scope: push, run: (q, r, m, u) => this.startUpload(q, r, m[1]!, u) }],
      ['PATCH', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, { scope: push, run: (q, r, m) => this.patchUpload(q, r, m[1]!, m[2]!) }],
      ['PUT', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, { scope: push, run: (q, r, m, u) => this.putUpload(q, r, m[1]!, m[2]!, u) }],
      ['GET', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, { scope: push, run: (q, r, m) => this.uploadStatus(r, m[1]!, m[2]!) }],
      ['DELETE', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, { scope: push, run: (q, r, m) => this.cancelUpload(r, m[1]!, m[2]!) }],
      ['GET', /^\/v2\/(.+)\/blobs\/([^/]+)$/, { scope: pull, run: (q, r, m) => this.getBlob(q, r, m[1]!, m[2]!, false) }],
      ['HEAD', /^\/v2\/(.+)\/blobs\/([^/]+)$/, { scope: pull, run: (q, r, m) => this.getBlob(q, r, m[1]!, m[2]!, true) }],
      ['DELETE', /^\/v2\/(.+)\/blobs\/([^/]+)$/, { scope: del, run: (q, r, m) => this.deleteBlob(r, m[1]!, m[2]!) }],
      ['GET', /^\/v2\/(.+)\/manifests\/([^/]+)$/, { scope: pull, run: (q, r, m) => this.getManifest(r, m[1]!, m[2]!, false) }],
      ['HEAD', /^\/v2\/(.+)\/manifests\/([^/]+)$/, { scope: pull, run: (q, r, m) => this.getManifest(r, m[1]!, m[2]!, true) }],
      ['PUT', /^\/v2\/(.+)\/manifests\/([^/]+)$/, { scope: push, run: (q, r, m) => this.putManifest(q, r, m[1]!, m[2]!) }],
      ['DELETE', /^\/v2\/(.+)\/manifests\/([^/]+)$/, { scope: del, run: (q, r, m) => this.deleteManifest(r, m[1]!, m[2]!) }],
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const host = req.headers.host ?? 'localhost';
    try {
      const url = new URL(req.url ?? '/', 'http://registry');
      if ((req.method === 'GET' || req.method === 'POST') && url.pathname === '/token') return await serveToken(this.auth, req, res, url);
      for (const [method, re, route] of this.routes) {
        const m = re.exec(url.pathname);
        if (!m) continue;
        if (method !== req.method) continue;
        const name = m[1] !== undefined && !url.pathname.startsWith('/v2/_catalog') ? checkRepo(decodeURIComponent(m[1])) : '';
        const verdict = await this.auth.authorize(req, route.scope(name), host);
        if (!verdict.ok) {
          if (verdict.challenge) res.setHeader('WWW-Authenticate', verdict.challenge);
          throw regError('UNAUTHORIZED', name ? [{ Type: 'repository', Name: name, Action: route.scope(name).split(':').pop() }] : null);
        }
        await route.run(req, res, m, url);
        return;
      }
      const anyPath = this.routes.some(([, re]) => re.test(url.pathname));
      if (anyPath) throw regError('UNSUPPORTED', null, 'The operation is unsupported.');
      this.send(res, 404, JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'page not found', detail: null }] }) + '\n', 'application/json');
    } catch (err) {
      this.fail(res, err);
      // a body the handler did not read would otherwise keep the connection busy
      if (!req.readableEnded) req.resume();
    } finally {
      this.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    const e = err instanceof RegistryError ? err : undefined;
    if (!e) this.log?.(`error: ${(err as Error).stack ?? String(err)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const re = e ?? new RegistryError('BLOB_UPLOAD_INVALID', null, (err as Error).message);
    const status = e ? e.status : 500;
    this.send(res, status, re.body(), 'application/json');
  }

  private send(res: ServerResponse, status: number, body: string | Buffer, type?: string, headers: Record<string, string | number> = {}): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...(type ? { 'Content-Type': type } : {}), 'Content-Length': buf.length, ...headers });
    res.end(buf);
  }

  private async catalog(res: ServerResponse, url: URL): Promise<void> {
    const { items, link } = paginate(await this.storage.repositories(), url, '/v2/_catalog');
    this.send(res, 200, JSON.stringify({ repositories: items }), 'application/json', link ? { Link: link } : {});
  }

  private async tagsList(res: ServerResponse, name: string, url: URL): Promise<void> {
    if (!(await this.storage.repoExists(name))) throw regError('NAME_UNKNOWN', { name });
    const { items, link } = paginate(await this.storage.tags(name), url, `/v2/${name}/tags/list`);
    this.send(res, 200, JSON.stringify({ name, tags: items }), 'application/json', link ? { Link: link } : {});
  }

  private async referrers(res: ServerResponse, name: string, subject: string, url: URL): Promise<void> {
    checkDigest(subject);
    let list = await this.storage.referrers(name, subject);
    const want = url.searchParams.get('artifactType');
    const headers: Record<string, string> = {};
    if (want) {
      list = list.filter((d) => d.artifactType === want);
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    this.send(res, 200, JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: list }), MediaTypes.OciIndex, headers);
  }

  // --- blobs

  private async getBlob(req: IncomingMessage, res: ServerResponse, name: string, digest: string, head: boolean): Promise<void> {
    checkDigest(digest);
    const size = await this.storage.repoBlob(name, digest);
    if (size === undefined) {
      if (head) {
        res.writeHead(404, { 'Content-Length': 0 });
        res.end();
        return;
      }
      throw regError('BLOB_UNKNOWN', { digest });
    }
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Accept-Ranges': 'bytes',
      ETag: `"${digest}"`,
      'Cache-Control': 'max-age=31536000',
    };
    const range = parseRange(req.headers.range, size);
    if (range === null) throw regError('RANGE_INVALID', { range: req.headers.range, size });
    if (range) {
      res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': size });
    }
    if (head) {
      res.end();
      return;
    }
    await pipeline(this.storage.readBlob(digest, range), res);
  }

  private async deleteBlob(res: ServerResponse, name: string, digest: string): Promise<void> {
    if (!this.deleteEnabled) throw regError('UNSUPPORTED');
    checkDigest(digest);
    if (!(await this.storage.unlinkBlob(name, digest))) throw regError('BLOB_UNKNOWN', { digest });
    this.send(res, 202, '', undefined);
  }

  // --- uploads

  private uploadHeaders(name: string, uuid: string, size: number): Record<string, string> {
    return {
      Location: `/v2/${name}/blobs/uploads/${uuid}`,
      'Docker-Upload-UUID': uuid,
      Range: `0-${Math.max(0, size - 1)}`,
      'OCI-Chunk-Min-Length': '0',
    };
  }

  private async startUpload(req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount) {
      checkDigest(mount);
      // Mount only from a repository that holds the blob (the client proved access to it).
      if (from && (await this.storage.repoBlob(checkRepo(from), mount)) !== undefined) {
        await this.storage.linkBlob(name, mount);
        this.send(res, 201, '', undefined, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount });
        return;
      }
      // Otherwise: an ordinary upload session, as the spec says (202).
    }
    const up = await this.storage.startUpload(name);
    const digest = url.searchParams.get('digest');
    if (digest) {
      // monolithic: POST ?digest= with the whole blob as body
      checkDigest(digest);
      try {
        await this.storage.append(up, req, contentLength(req));
        if (contentLength(req) !== undefined && up.size !== contentLength(req)) throw regError('SIZE_INVALID');
        await this.storage.commit(up, digest);
      } catch (err) {
        await this.storage.cancel(up);
        throw err;
      }
      this.send(res, 201, '', undefined, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
      return;
    }
    req.resume();
    this.send(res, 202, '', undefined, this.uploadHeaders(name, up.uuid, 0));
  }

  private async patchUpload(req: IncomingMessage, res: ServerResponse, name: string, uuid: string): Promise<void> {
    const up = this.storage.upload(name, uuid);
    const cr = req.headers['content-range'];
    if (cr) {
      const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(cr);
      if (!m || Number(m[1]) !== up.size) throw regError('RANGE_INVALID', { range: cr, have: up.size });
      // distribution only checks the start; the end must agree with the body's length
    }
    await this.storage.append(up, req);
    this.send(res, 202, '', undefined, this.uploadHeaders(name, uuid, up.size));
  }

  private async putUpload(req: IncomingMessage, res: ServerResponse, name: string, uuid: string, url: URL): Promise<void> {
    const up = this.storage.upload(name, uuid);
    const digest = url.searchParams.get('digest');
    if (!digest) throw regError('DIGEST_INVALID', null, 'digest missing');
    if (!DIGEST_RE.test(digest)) throw regError('DIGEST_INVALID', { digest });
    try {
      await this.storage.append(up, req);
      await this.storage.commit(up, digest);
    } catch (err) {
      await this.storage.cancel(up);
      throw err;
    }
    this.send(res, 201, '', undefined, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
  }

  private async uploadStatus(res: ServerResponse, name: string, uuid: string): Promise<void> {
    const up = this.storage.upload(name, uuid);
    this.send(res, 204, '', undefined, this.uploadHeaders(name, uuid, up.size));
  }

  private async cancelUpload(res: ServerResponse, name: string, uuid: string): Promise<void> {
    await this.storage.cancel(this.storage.upload(name, uuid));
    this.send(res, 204, '', undefined);
  }

  // --- manifests

  private async resolve(name: string, reference: string): Promise<string | undefined> {
    if (reference.startsWith('sha256:')) {
      checkDigest(reference);
      return reference;
    }
    if (!TAG_RE.test(reference)) throw regError('MANIFEST_INVALID', { tag: reference }, 'invalid tag');
    return this.storage.resolveTag(name, reference);
  }

  private async getManifest(res: ServerResponse, name: string, reference: string, head: boolean): Promise<void> {
    const digest = await this.resolve(name, reference);
    const type = digest ? await this.storage.manifestType(name, digest) : undefined;
    if (!digest || type === undefined) {
      if (!(await this.storage.repoExists(name))) throw regError('NAME_UNKNOWN', { name });
      throw regError('MANIFEST_UNKNOWN', { Tag: reference });
    }
    const body = await fs.readFile(this.storage.blobPath(digest));
    const headers = { 'Docker-Content-Digest': digest, ETag: `"${digest}"` };
    if (head) {
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, ...headers });
      res.end();
      return;
    }
    this.send(res, 200, body, type, headers);
  }

  private async putManifest(req: IncomingMessage, res: ServerResponse, name: string, reference: string): Promise<void> {
    const body = await readLimited(req, MAX_MANIFEST);
    const digest = 'sha256:' + createHash('sha256').update(body).digest('hex');
    const byDigest = reference.startsWith('sha256:');
    if (byDigest && reference !== digest) throw regError('DIGEST_INVALID', { expected: reference, actual: digest });
    if (!byDigest && !TAG_RE.test(reference)) throw regError('MANIFEST_INVALID', { tag: reference }, 'invalid tag');
    let doc: ManifestDoc;
    try {
      doc = JSON.parse(body.toString('utf8')) as ManifestDoc;
    } catch (err) {
      throw regError('MANIFEST_INVALID', { reason: (err as Error).message });
    }
    const headerType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const mediaType = doc.mediaType ?? (headerType || (doc.manifests ? MediaTypes.OciIndex : MediaTypes.OciManifest));
    if (doc.mediaType && headerType && headerType !== doc.mediaType && MANIFEST_TYPES.has(headerType)) {
      throw regError('MANIFEST_INVALID', { reason: `media type ${doc.mediaType} does not match Content-Type ${headerType}` });
    }
    if (!MANIFEST_TYPES.has(mediaType)) throw regError('MANIFEST_INVALID', { reason: `unsupported manifest media type ${mediaType}` });
    if (doc.schemaVersion !== 2) throw regError('MANIFEST_INVALID', { reason: 'schemaVersion must be 2' });
    const isIndex = mediaType === MediaTypes.OciIndex || mediaType === MediaTypes.DockerManifestList;
    const missing: string[] = [];
    if (isIndex) {
      if (!Array.isArray(doc.manifests)) throw regError('MANIFEST_INVALID', { reason: 'manifests missing' });
      for (const m of doc.manifests) if (!DIGEST_RE.test(m.digest ?? '') || (await this.storage.manifestType(name, m.digest)) === undefined) missing.push(m.digest);
    } else {
      if (!doc.config || !Array.isArray(doc.layers)) throw regError('MANIFEST_INVALID', { reason: 'config or layers missing' });
      for (const d of [doc.config, ...doc.layers]) {
        if (!DIGEST_RE.test(d.digest ?? '')) throw regError('MANIFEST_INVALID', { reason: `invalid digest ${d.digest}` });
        if (d.urls?.length) continue; // foreign layers live elsewhere
        const size = await this.storage.repoBlob(name, d.digest);
        if (size === undefined) missing.push(d.digest);
        else if (typeof d.size === 'number' && d.size !== size) throw regError('MANIFEST_INVALID', { reason: `size of ${d.digest} is ${size}, not ${d.size}` });
      }
    }
    if (missing.length) throw regError('MANIFEST_BLOB_UNKNOWN', { digests: missing });
    let referrer: { subject: string; descriptor: object } | undefined;
    if (doc.subject && DIGEST_RE.test(doc.subject.digest ?? '')) {
      const artifactType = doc.artifactType ?? (isIndex ? undefined : doc.config?.mediaType);
      referrer = {
        subject: doc.subject.digest,
        descriptor: { mediaType, digest, size: body.length, ...(artifactType ? { artifactType } : {}), ...(doc.annotations ? { annotations: doc.annotations } : {}) },
      };
    }
    await this.storage.putManifest(name, digest, mediaType, body, byDigest ? undefined : reference, referrer);
    const headers: Record<string, string> = { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest };
    if (referrer) headers['OCI-Subject'] = doc.subject!.digest;
    this.send(res, 201, '', undefined, headers);
  }

  private async deleteManifest(res: ServerResponse, name: string, reference: string): Promise<void> {
    if (!this.deleteEnabled) throw regError('UNSUPPORTED');
    if (!reference.startsWith('sha256:')) {
      if (!(await this.storage.deleteTag(name, reference))) throw regError('MANIFEST_UNKNOWN', { Tag: reference });
    } else {
      checkDigest(reference);
      if (!(await this.storage.deleteManifest(name, reference))) throw regError('MANIFEST_UNKNOWN', { Digest: reference });
    }
    this.send(res, 202, '', undefined);
  }
}

interface ManifestDoc {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType?: string; digest: string; size?: number; urls?: string[] };
  layers?: Array<{ digest: string; size?: number; urls?: string[] }>;
  manifests?: Array<{ digest: string }>;
  subject?: { digest: string };
  annotations?: Record<string, string>;
}

function contentLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  return v === undefined ? undefined : Number(v);
}

async function readLimited(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw regError('MANIFEST_INVALID', { reason: `manifest larger than ${max} bytes` });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** "bytes=a-b" → range; undefined without a header; null when unsatisfiable. */
function parseRange(h: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  if (start > end || start >= size) return null;
  return { start, end };
}

/** n/last pagination with the Link header of the spec. */
function paginate(all: string[], url: URL, path: string): { items: string[]; link?: string } {
  const nRaw = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  let items = last ? all.filter((x) => x > last) : all;
  if (nRaw === null || nRaw === '') return { items };
  const n = Number(nRaw);
  if (!Number.isInteger(n) || n < 0) throw regError('PAGINATION_NUMBER_INVALID', { n: nRaw });
  const more = items.length > n;
  items = items.slice(0, n);
  if (!more || n === 0) return { items };
  return { items, link: `<${path}?n=${n}&last=${encodeURIComponent(items[items.length - 1]!)}>; rel="next"` };
}
