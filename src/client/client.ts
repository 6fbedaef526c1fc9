import type http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { parseHost, resolveHost } from './host.js';
import { readJsonLines } from './json-lines.js';
import { ApiError } from './errors.js';
import { Transport, readAll, type Query, type RequestOptions, type TlsOptions } from './transport.js';
import type {
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  CreateResponse,
  EventMessage,
  ExecCreateBody,
  ImageDeleteItem,
  ImageHistoryItem,
  ImageSummary,
  InfoResponse,
  JsonMessage,
  PruneResponse,
  VersionResponse,
  WaitResponse,
} from './types.js';

export const API_VERSION = '1.43';

export interface ClientOptions {
  /** unix:///path or tcp://host:port; defaults to DOCKER_HOST, then the berthd socket. */
  host?: string;
  /** A fixed API version (else DOCKER_API_VERSION, else negotiated down from 1.43 with the daemon). */
  version?: string;
  /** TLS for a tcp:// daemon */
  tls?: TlsOptions;
}

export type Filters = Record<string, string[]>;

function filtersQuery(filters?: Filters): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return JSON.stringify(filters);
}

/**
 * A typed client of the Docker Engine API. One method per endpoint the CLI uses; each returns the
 * decoded JSON, a response stream (logs, save, events) or a hijacked socket (attach).
 */
export class EngineClient {
  readonly host: string;
  readonly transport: Transport;

  constructor(opts: ClientOptions = {}) {
    this.host = resolveHost(opts.host);
    const fixed = opts.version ?? process.env.DOCKER_API_VERSION;
    this.transport = new Transport(parseHost(this.host), fixed || API_VERSION, !fixed, opts.tls);
  }

  request(method: string, path: string, opts?: RequestOptions): Promise<http.IncomingMessage> {
    return this.transport.request(method, path, opts);
  }

  async json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = (await readAll(res)).toString('utf8');
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  async send(method: string, path: string, opts?: RequestOptions): Promise<void> {
    const res = await this.request(method, path, opts);
    await readAll(res);
  }

  // ---- system
  async ping(): Promise<string> {
    const res = await this.request('GET', '/_ping');
    return (await readAll(res)).toString('utf8');
  }
  version(): Promise<VersionResponse> {
    return this.json('GET', '/version');
  }
  info(): Promise<InfoResponse> {
    return this.json('GET', '/info');
  }
  async events(query: { since?: string; until?: string; filters?: Filters }, signal?: AbortSignal): Promise<AsyncGenerator<EventMessage>> {
    const res = await this.request('GET', '/events', {
      query: { since: query.since, until: query.until, filters: filtersQuery(query.filters) },
      signal,
    });
    return readEvents(res);
  }

  // ---- containers
  containerList(q: { all?: boolean; limit?: number; size?: boolean; filters?: Filters } = {}): Promise<ContainerSummary[]> {
    return this.json('GET', '/containers/json', {
      query: { all: q.all || undefined, limit: q.limit, size: q.size || undefined, filters: filtersQuery(q.filters) },
    });
  }
  containerCreate(body: ContainerCreateBody, name?: string, platform?: string): Promise<CreateResponse> {
    return this.json('POST', '/containers/create', { query: { name: name || undefined, platform }, json: body });
  }
  containerInspect(id: string, size = false): Promise<ContainerInspect> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/json`, { query: { size: size || undefined } });
  }
  /** The raw inspect document, exactly as the daemon sent it. */
  containerInspectRaw(id: string, size = false): Promise<unknown> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/json`, { query: { size: size || undefined } });
  }
  containerStart(id: string): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/start`);
  }
  containerStop(id: string, q: { t?: number; signal?: string } = {}): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/stop`, { query: q });
  }
  containerRestart(id: string, q: { t?: number; signal?: string } = {}): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/restart`, { query: q });
  }
  containerKill(id: string, signal?: string): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/kill`, { query: { signal } });
  }
  containerRemove(id: string, q: { force?: boolean; v?: boolean; link?: boolean } = {}): Promise<void> {
    return this.send('DELETE', `/containers/${encodeURIComponent(id)}`, {
      query: { force: q.force || undefined, v: q.v || undefined, link: q.link || undefined },
    });
  }
  containerRename(id: string, name: string): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/rename`, { query: { name } });
  }
  /**
   * Starts waiting and resolves once the daemon has accepted the wait (response headers in), so the
   * caller can start the container knowing no exit will be missed. The inner promise gives the result.
   */
  async containerWait(id: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running'): Promise<{ result: Promise<WaitResponse> }> {
    const res = await this.request('POST', `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } });
    const result = readAll(res).then((b) => {
      const text = b.toString('utf8').trim();
      if (!text) throw new Error('unexpected end of wait response');
      return JSON.parse(text) as WaitResponse;
    });
    result.catch(() => undefined);
    return { result };
  }
  containerAttach(id: string, q: { stream?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; detachKeys?: string }): Promise<{ socket: Duplex; head: Buffer }> {
    return this.transport.hijack('POST', `/containers/${encodeURIComponent(id)}/attach`, {
      query: {
        stream: q.stream ?? true,
        stdin: q.stdin || undefined,
        stdout: q.stdout || undefined,
        stderr: q.stderr || undefined,
        logs: q.logs || undefined,
        detachKeys: q.detachKeys,
      },
    });
  }
  containerLogs(id: string, q: Query, signal?: AbortSignal): Promise<Readable> {
    return this.request('GET', `/containers/${encodeURIComponent(id)}/logs`, { query: q, signal });
  }
  /** GET /containers/{id}/archive: a tar of `path`, and its stat from X-Docker-Container-Path-Stat. */
  async containerArchiveGet(id: string, path: string): Promise<{ tar: http.IncomingMessage; stat?: PathStat }> {
    const tar = await this.request('GET', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
    return { tar, stat: decodePathStat(tar.headers['x-docker-container-path-stat']) };
  }
  /** HEAD /containers/{id}/archive: the stat of `path`, undefined when it does not exist. */
  async containerArchiveStat(id: string, path: string): Promise<PathStat | undefined> {
    try {
      const res = await this.request('HEAD', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
      res.resume();
      return decodePathStat(res.headers['x-docker-container-path-stat']);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }
  containerArchivePut(id: string, path: string, tar: Readable): Promise<void> {
    return this.send('PUT', `/containers/${encodeURIComponent(id)}/archive`, { query: { path }, body: tar, contentType: 'application/x-tar' });
  }
  /** GET /containers/{id}/stats?stream=false: one sample (with the previous one in precpu_stats). */
  containerStatsOnce(id: string): Promise<Record<string, unknown>> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/stats`, { query: { stream: false } });
  }
  /** POST /containers/{id}/update: new limits (and restart policy) for a container. */
  containerUpdate(id: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
    return this.json('POST', `/containers/${encodeURIComponent(id)}/update`, { json: body });
  }
  containerPause(id: string): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/pause`);
  }
  containerUnpause(id: string): Promise<void> {
    return this.send('POST', `/containers/${encodeURIComponent(id)}/unpause`);
  }
  containerTop(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/top`, { query: { ps_args: psArgs } });
  }
  containerExport(id: string): Promise<Readable> {
    return this.request('GET', `/containers/${encodeURIComponent(id)}/export`);
  }
  containerChanges(id: string): Promise<Array<{ Path: string; Kind: number }> | null> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/changes`);
  }
  /** POST /commit: a new image from a container's changes. */
  commit(q: { container: string; repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] }): Promise<{ Id: string }> {
    const extra = (q.changes ?? []).map((c) => `changes=${encodeURIComponent(c)}`).join('&');
    return this.json('POST', `/commit${extra ? `?${extra}` : ''}`, {
      query: { container: q.container, repo: q.repo, tag: q.tag, comment: q.comment, author: q.author, pause: q.pause ?? true },
      json: {},
    });
  }
  execCreate(id: string, body: ExecCreateBody): Promise<{ Id: string }> {
    return this.json('POST', `/containers/${encodeURIComponent(id)}/exec`, { json: body });
  }
  /** Starts an exec; attached (not detached) it hijacks the connection like attach. */
  execStartAttached(execId: string, tty: boolean): Promise<{ socket: Duplex; head: Buffer }> {
    return this.transport.hijack('POST', `/exec/${encodeURIComponent(execId)}/start`, { json: { Detach: false, Tty: tty } });
  }
  execStartDetached(execId: string, tty: boolean): Promise<void> {
    return this.send('POST', `/exec/${encodeURIComponent(execId)}/start`, { json: { Detach: true, Tty: tty } });
  }
  execInspect(execId: string): Promise<{ ExitCode: number | null; Running: boolean }> {
    return this.json('GET', `/exec/${encodeURIComponent(execId)}/json`);
  }
  containerPrune(filters?: Filters): Promise<PruneResponse> {
    return this.json('POST', '/containers/prune', { query: { filters: filtersQuery(filters) } });
  }

  // ---- volumes
  volumeList(filters?: Filters): Promise<{ Volumes: Array<Record<string, unknown>> | null; Warnings: string[] | null }> {
    return this.json('GET', '/volumes', { query: { filters: filtersQuery(filters) } });
  }
  volumeCreate(body: { Name?: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> }): Promise<{ Name: string }> {
    return this.json('POST', '/volumes/create', { json: body });
  }
  volumeInspectRaw(name: string): Promise<unknown> {
    return this.json('GET', `/volumes/${encodeURIComponent(name)}`);
  }
  volumeRemove(name: string, force = false): Promise<void> {
    return this.send('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force: force || undefined } });
  }
  volumePrune(filters?: Filters): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.json('POST', '/volumes/prune', { query: { filters: filtersQuery(filters) } });
  }

  // ---- networks
  networkList(filters?: Filters): Promise<Array<Record<string, unknown>>> {
    return this.json('GET', '/networks', { query: { filters: filtersQuery(filters) } });
  }
  networkCreate(body: Record<string, unknown>): Promise<{ Id: string; Warning?: string }> {
    return this.json('POST', '/networks/create', { json: body });
  }
  networkInspectRaw(name: string): Promise<unknown> {
    return this.json('GET', `/networks/${encodeURIComponent(name)}`);
  }
  networkRemove(name: string): Promise<void> {
    return this.send('DELETE', `/networks/${encodeURIComponent(name)}`);
  }
  networkConnect(network: string, container: string, endpoint?: Record<string, unknown>): Promise<void> {
    return this.send('POST', `/networks/${encodeURIComponent(network)}/connect`, { json: { Container: container, EndpointConfig: endpoint } });
  }
  networkDisconnect(network: string, container: string, force = false): Promise<void> {
    return this.send('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { json: { Container: container, Force: force } });
  }
  networkPrune(filters?: Filters): Promise<{ NetworksDeleted: string[] | null }> {
    return this.json('POST', '/networks/prune', { query: { filters: filtersQuery(filters) } });
  }

  // ---- images
  imageList(q: { all?: boolean; digests?: boolean; filters?: Filters } = {}): Promise<ImageSummary[]> {
    return this.json('GET', '/images/json', {
      query: { all: q.all || undefined, digests: q.digests || undefined, filters: filtersQuery(q.filters) },
    });
  }
  imageInspectRaw(name: string): Promise<unknown> {
    return this.json('GET', `/images/${name}/json`);
  }
  imageHistory(name: string): Promise<ImageHistoryItem[]> {
    return this.json('GET', `/images/${name}/history`);
  }
  imageRemove(name: string, q: { force?: boolean; noprune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    return this.json('DELETE', `/images/${name}`, { query: { force: q.force || undefined, noprune: q.noprune || undefined } });
  }
  imageTag(source: string, repo: string, tag?: string): Promise<void> {
    return this.send('POST', `/images/${source}/tag`, { query: { repo, tag } });
  }
  imageSave(names: string[]): Promise<Readable> {
    const qs = names.map((n) => `names=${encodeURIComponent(n)}`).join('&');
    return this.request('GET', `/images/get?${qs}`);
  }
  imageLoad(tar: Readable | Buffer, quiet: boolean): Promise<http.IncomingMessage> {
    return this.request('POST', '/images/load', { query: { quiet: quiet ? '1' : '0' }, body: tar, contentType: 'application/x-tar' });
  }
  /** POST /images/create?fromSrc=…: import a root filesystem tar (stream or buffer) or a URL. */
  imageImport(src: Readable | Buffer | string, q: { repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string }): Promise<http.IncomingMessage> {
    const query: Query = { fromSrc: typeof src === 'string' ? src : '-', repo: q.repo, tag: q.tag, message: q.message, platform: q.platform };
    let path = '/images/create';
    const extra = (q.changes ?? []).map((c) => `changes=${encodeURIComponent(c)}`).join('&');
    if (extra) path += `?${extra}`;
    return this.transport.request('POST', path, {
      query,
      body: typeof src === 'string' ? undefined : src,
      contentType: typeof src === 'string' ? undefined : 'application/x-tar',
    });
  }
  imagePull(fromImage: string, tag?: string, platform?: string, registryAuth?: string): Promise<http.IncomingMessage> {
    return this.request('POST', '/images/create', { query: { fromImage, tag, platform }, headers: registryAuth ? { 'X-Registry-Auth': registryAuth } : undefined });
  }
  /** POST /images/{name}/push; registryAuth is the X-Registry-Auth value (base64url JSON). */
  imagePush(name: string, tag: string | undefined, registryAuth: string): Promise<http.IncomingMessage> {
    return this.request('POST', `/images/${encodeURIComponent(name).replace(/%2F/g, '/').replace(/%3A/g, ':')}/push`, { query: { tag }, headers: { 'X-Registry-Auth': registryAuth } });
  }
  /** POST /auth */
  login(auth: { username: string; password: string; serveraddress: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.json('POST', '/auth', { json: auth });
  }
  /** POST /build: the classic builder; `tags` repeat the `t` parameter. The body is the context tar; registryConfig is X-Registry-Config. */
  imageBuild(context: Readable, q: { tags: string[]; query: Query; registryConfig?: string }): Promise<http.IncomingMessage> {
    const extra = q.tags.map((t) => `t=${encodeURIComponent(t)}`).join('&');
    const headers = q.registryConfig ? { 'X-Registry-Config': q.registryConfig } : undefined;
    return this.request('POST', `/build${extra ? `?${extra}` : ''}`, { query: q.query, body: context, contentType: 'application/x-tar', headers });
  }
  imagePrune(filters?: Filters): Promise<PruneResponse> {
    return this.json('POST', '/images/prune', { query: { filters: filtersQuery(filters) } });
  }
  /** POST /build/prune: the builder's cache beside its images */
  buildPrune(all?: boolean, filters?: Record<string, string[]>, keepStorage?: number): Promise<PruneResponse> {
    return this.json('POST', '/build/prune', { query: { all: all || undefined, filters: filtersQuery(filters), 'keep-storage': keepStorage || undefined } });
  }
}

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: the directory bit is 1 << 31. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export const GO_MODE_DIR = 2 ** 31;

function decodePathStat(header: string | string[] | undefined): PathStat | undefined {
  if (typeof header !== 'string' || !header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
  } catch {
    return undefined;
  }
}

/** Events keep `timeNano` exact: an int64 does not fit a double, so it is read as a bigint. */
async function* readEvents(res: Readable): AsyncGenerator<EventMessage> {
  for await (const e of readJsonLines<EventMessage>(res, (line) => line.replace(/"timeNano":(\d+)/, '"timeNano":"$1"'))) {
    if (typeof e.timeNano === 'string') e.timeNano = BigInt(e.timeNano);
    yield e;
  }
}

/** Drains a JSON-lines progress stream; throws the first `error` it carries. */
export async function* progressMessages(res: Readable): AsyncGenerator<JsonMessage> {
  for await (const msg of readJsonLines<JsonMessage>(res)) yield msg;
}
