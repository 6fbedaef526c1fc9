import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentStore } from '../../content/index.js';
import type { EventPublisher } from '../../events/index.js';
import { EngineError, invalidArgument, notFound, unauthorized, unavailable } from '../../errdefs/index.js';
import { type ImageRecord, type ImageService, ingestLayer } from '../../image/index.js';
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  MediaTypes,
  type Platform,
  type Reference,
  familiarRepository,
  familiarString,
  parseReference,
  referenceString,
  repositoryName,
} from '../../oci/index.js';
import { chainIds, type LayerStore } from '../../snapshot/index.js';
import type { Logger } from '../../util/index.js';
import { BlobSources } from './blob-sources.js';
import { resumableBlob } from './blob-download.js';
import { adaptiveGzip, decompressor, forwardUntilGone, layerCompression, verifier } from './blob-streams.js';
import { type ProgressSink, shortDigest, throttledProgress } from './progress.js';
import { type Credentials, readBuffer, type RegistryResponse, RegistryTransport, registryErrorText, statusError, TokenRefused } from './registry-transport.js';

/**
 * Moving images between berthd and registries (the OCI distribution spec, client side).
 *
 * pull(ref): manifest (by tag or digest, verified against the digest asked for or announced) → an index
 * picks the platform (linux/amd64 unless asked) → config (verified) → layers in parallel, each streamed
 * from the registry through digest verification and decompression into the content store under its
 * diff ID (which the store verifies in turn): a blob that does not match fails the stream before the
 * store commits anything. Layers already here are not downloaded ("Already exists"). The image record
 * and its references (tag, repo digest) are written last, so a failed pull leaves no image behind.
 *
 * push(name): every layer in parallel: HEAD in the target repository (skip), a cross-repository mount
 * from a repository of the same registry it is known in, or gzip + upload (POST, then the body streamed
 * in one PATCH — or in chunks with Content-Range when chunkSize is set — then PUT ?digest=); the config
 * monolithically; the manifest by tag. RepoDigests are recorded after both.
 */
export interface RegistryServiceOptions {
  images: ImageService;
  content: ContentStore;
  /** the image service's layer store: layers are unpacked as they arrive */
  layers: LayerStore;
  dataRoot: string;
  logger: Logger;
  /** --insecure-registry: hosts or CIDRs spoken to over HTTP (loopback always is) */
  insecureRegistries: string[];
  /** CAs and client certificates per registry: <dir>/<host[:port]>/ (dockerd's /etc/docker/certs.d) */
  registryCertsDir?: string;
  /** layers fetched at once (dockerd's max-concurrent-downloads: 3) */
  maxDownloads?: number;
  /** layers sent at once (dockerd's max-concurrent-uploads: 5) */
  maxUploads?: number;
  /** when set, uploads are sent in PATCH chunks of this many bytes instead of one streamed PATCH */
  chunkSize?: number;
  /** where the `pull` and `push` image events go */
  events?: EventPublisher;
}

export interface PullOptions {
  platform?: string;
  auth?: Credentials;
  progress: ProgressSink;
}

const MANIFEST_ACCEPT = [MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.OciIndex].join(', ');
const MAX_MANIFEST = 4 << 20;

export class RegistryService {
  private readonly sources: BlobSources;

  constructor(private readonly opts: RegistryServiceOptions) {
    this.sources = new BlobSources(opts.dataRoot);
  }

  private transport(domain: string, auth?: Credentials): RegistryTransport {
    return new RegistryTransport(domain, auth, this.opts.insecureRegistries, this.opts.registryCertsDir);
  }

  // --- login

  /**
   * POST /auth: checks the credentials against the registry's /v2/ (and its token service). As dockerd, a
   * token service is asked for offline access, and the refresh token it gives (or the identity token the
   * credentials brought) is returned as IdentityToken, which the docker CLI keeps instead of the password.
   */
  async login(serverAddress: string, creds: Credentials | undefined): Promise<{ Status: string; IdentityToken: string }> {
    const domain = registryDomain(serverAddress);
    const t = new RegistryTransport(domain, creds, this.opts.insecureRegistries, this.opts.registryCertsDir, { offlineAccess: true });
    const base = await t.baseUrl();
    const r = await t.request('/v2/', { scope: '' });
    r.body.resume();
    if (r.status === 401) throw unauthorized(`login attempt to ${base}/v2/ failed with status: 401 Unauthorized`);
    if (r.status !== 200) throw unavailable(`login attempt to ${base}/v2/ failed with status: ${r.status}`);
    return { Status: 'Login Succeeded', IdentityToken: t.identityToken ?? '' };
  }

  // --- manifests

  private async fetchManifest(t: RegistryTransport, ref: Reference, reference: string, method: 'GET' | 'HEAD' = 'GET'): Promise<{ body: Buffer; mediaType: string; digest: string }> {
    const scope = `repository:${ref.path}:pull`;
    const r = await t.request(`/v2/${ref.path}/manifests/${reference}`, { method, scope, headers: { Accept: MANIFEST_ACCEPT } });
    if (r.status !== 200) {
      const text = await registryErrorText(r);
      if (r.status === 401 || r.status === 403 || (r.status === 404 && /name unknown|NAME_UNKNOWN/i.test(text))) {
        throw notFoundOrDenied(ref, r.status);
      }
      if (r.status === 404) throw notFound(`manifest for ${familiarString(ref)} not found: manifest unknown: manifest unknown`);
      throw statusError(r.status, `error from registry: ${text}`);
    }
    const body = await readBuffer(r.body, MAX_MANIFEST);
    const digest = 'sha256:' + createHash('sha256').update(body).digest('hex');
    const announced = r.headers['docker-content-digest'];
    if (reference.startsWith('sha256:') && reference !== digest) throw invalidArgument(`manifest verification failed for digest ${reference}`);
    if (typeof announced === 'string' && announced.startsWith('sha256:') && announced !== digest) {
      throw invalidArgument(`manifest verification failed for digest ${announced}`);
    }
    let mediaType = (r.headers['content-type'] ?? '').split(';')[0]!.trim();
    try {
      const doc = JSON.parse(body.toString('utf8')) as { mediaType?: string; manifests?: unknown };
      if (doc.mediaType) mediaType = doc.mediaType;
      else if (!MANIFEST_TYPES.has(mediaType)) mediaType = doc.manifests ? MediaTypes.OciIndex : MediaTypes.OciManifest;
    } catch {
      throw invalidArgument(`invalid manifest for ${familiarString(ref)}: not JSON`);
    }
    if (!MANIFEST_TYPES.has(mediaType)) throw invalidArgument(`unsupported manifest media type ${mediaType} for ${familiarString(ref)}`);
    return { body, mediaType, digest };
  }

  /** The image manifest for the wanted platform (an index is resolved), and the top-level digest. */
  private async resolveManifest(t: RegistryTransport, ref: Reference, want: Platform): Promise<{ manifest: ImageManifest; topDigest: string; index?: ImageIndex; topMediaType: string; topSize: number }> {
    const top = await this.fetchManifest(t, ref, ref.digest ?? ref.tag ?? 'latest');
    let m = top;
    let index: ImageIndex | undefined;
    if (top.mediaType === MediaTypes.OciIndex || top.mediaType === MediaTypes.DockerManifestList) {
      index = JSON.parse(top.body.toString('utf8')) as ImageIndex;
      const pick = pickPlatform(index.manifests ?? [], want);
      if (!pick) throw notFound(`no matching manifest for ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''} in the manifest list entries`);
      m = await this.fetchManifest(t, ref, pick.digest);
      if (m.mediaType === MediaTypes.OciIndex || m.mediaType === MediaTypes.DockerManifestList) throw invalidArgument('nested manifest lists are not supported');
    }
    const manifest = JSON.parse(m.body.toString('utf8')) as ImageManifest;
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw invalidArgument(`invalid manifest for ${familiarString(ref)}: config or layers missing`);
    return { manifest, topDigest: top.digest, index, topMediaType: top.mediaType, topSize: top.body.length };
  }

  // --- pull

  async pull(input: string, opts: PullOptions): Promise<ImageRecord> {
    const ref = parseReference(input);
    if (!ref.tag && !ref.digest) ref.tag = 'latest';
    const want = parsePlatform(opts.platform);
    const t = this.transport(ref.domain, opts.auth);
    const say = opts.progress;
    const { manifest, topDigest } = await this.resolveManifest(t, ref, want);
    // the first output: errors before it are the request's own (docker prints them as the daemon's error)
    say({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });
    // layer media types are checked before anything is fetched
    const compressions = manifest.layers.map((l) => layerCompression(l.mediaType));
    const scope = `repository:${ref.path}:pull`;

    // config: small, in memory, verified
    const configBytes = await this.fetchBlobBuffer(t, ref, manifest.config, scope);
    let config: ImageConfig;
    try {
      config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    } catch {
      throw invalidArgument(`invalid image config ${manifest.config.digest}`);
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) throw invalidArgument(`invalid image ${manifest.config.digest}: ${manifest.layers.length} layers but ${diffIds.length} diff IDs`);

    const ids = manifest.layers.map((l) => shortDigest(l.digest));
    const present: boolean[] = [];
    for (const [i, d] of diffIds.entries()) {
      present[i] = await this.opts.content.has(d);
      say({ status: present[i] ? 'Already exists' : 'Pulling fs layer', progressDetail: {}, id: ids[i] });
    }
    const repository = repositoryName(ref);
    const chains = chainIds(diffIds);
    let fetched = 0;
    await runLimited(manifest.layers.map((layer, i) => async () => {
      const diffId = diffIds[i]!;
      if (!present[i]) {
        await this.fetchLayer(t, ref, layer, diffId, chains[i]!, compressions[i]!, scope, ids[i]!, say);
        fetched++;
      }
      await this.sources.add(diffId, { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, repository });
    }), this.opts.maxDownloads ?? 3);
    await this.opts.content.ingest(Readable.from([configBytes]), { digest: manifest.config.digest });

    const tagRef = ref.tag && !ref.digest ? referenceString({ ...ref, digest: undefined }) : undefined;
    const digestRef = `${repository}@${topDigest}`;
    const before = tagRef ? await this.opts.images.resolve(tagRef).then((i) => i.id, () => undefined) : undefined;
    const hadDigest = await this.opts.images.resolve(digestRef).then(() => true, () => false);
    // every fetched layer is unpacked already; this unpacks only what was in the content store but not unpacked
    const record = await this.opts.images.addImage(manifest.config.digest, [...(tagRef ? [tagRef] : []), digestRef]);
    say({ status: `Digest: ${topDigest}` });
    const shown = familiarString(ref);
    const upToDate = fetched === 0 && (tagRef ? before === record.id : hadDigest);
    say({ status: upToDate ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
    this.imageEvent('pull', ref, record);
    return record;
  }

  /**
   * Docker's pull and push events name the reference as asked, not the image: Actor.ID is its familiar
   * form (`busybox:latest`, `127.0.0.1:5000/app@sha256:…`), `name` the repository, plus the image's labels
   * (moby: ImageEventLogger(FamiliarString(ref), FamiliarName(ref), action)).
   */
  private imageEvent(action: 'pull' | 'push', ref: Reference, image: ImageRecord | undefined): void {
    const labels = image?.config.config?.Labels ?? {};
    this.opts.events?.publish('image', action, familiarString(ref), { ...labels, name: familiarRepository(ref) });
  }

  private async fetchBlobBuffer(t: RegistryTransport, ref: Reference, d: Descriptor, scope: string): Promise<Buffer> {
    const r = await t.request(`/v2/${ref.path}/blobs/${d.digest}`, { scope });
    if (r.status !== 200) throw statusError(r.status, `error fetching blob ${d.digest}: ${await registryErrorText(r)}`);
    const body = await readBuffer(r.body, Math.max(d.size, 0) + 1 || MAX_MANIFEST);
    const got = 'sha256:' + createHash('sha256').update(body).digest('hex');
    if (got !== d.digest || (d.size !== undefined && body.length !== d.size)) throw invalidArgument(`blob verification failed for digest ${d.digest}`);
    return body;
  }

  /**
   * One layer: GET (resumed with Range when the connection breaks) → verify (digest, size) → decompress → content store (verifies the diff ID) and, from the
   * same bytes, the layer scan; then the layer is extracted under its chain ID. Retried on a broken connection.
   */
  private async fetchLayer(t: RegistryTransport, ref: Reference, layer: Descriptor, diffId: string, chainId: string, compression: ReturnType<typeof layerCompression>, scope: string, id: string, say: ProgressSink): Promise<void> {
    const body = resumableBlob({
      transport: t,
      path: `/v2/${ref.path}/blobs/${layer.digest}`,
      scope,
      digest: layer.digest,
      size: layer.size,
      logger: this.opts.logger,
      onRetry: (attempt) => say({ status: `Retrying in ${attempt} second${attempt > 1 ? 's' : ''}`, progressDetail: {}, id }),
    });
    const progress = throttledProgress(say, id, 'Downloading', layer.size);
    const check = verifier(layer.digest, layer.size, progress);
    const plain = decompressor(compression);
    const extracted = ingestLayer(this.opts.content, this.opts.layers, plain, diffId, chainId, () => {
      say({ status: 'Extracting', progressDetail: { current: 0, total: layer.size }, id });
    });
    // a download that fails ends the extraction with it; an extraction that fails lets the download run on
    // to its digest check, whose verdict, when it is a mismatch, is the error the pull reports
    const downloaded = pipeline(body, check, forwardUntilGone(plain)).then(() => {
      say({ status: 'Verifying Checksum', progressDetail: {}, id });
      say({ status: 'Download complete', progressDetail: {}, id });
    });
    const [download, extraction] = await Promise.allSettled([downloaded, extracted]);
    if (download.status === 'rejected') throw download.reason;
    if (extraction.status === 'rejected') throw extraction.reason;
    say({ status: 'Pull complete', progressDetail: {}, id });
  }

  // --- push

  async push(name: string, tag: string | undefined, opts: { auth?: Credentials; progress: ProgressSink }): Promise<void> {
    const ref = parseReference(name);
    if (ref.digest) throw invalidArgument('cannot push a digest reference');
    const repository = repositoryName(ref);
    const all = await this.opts.images.list();
    let targets: Array<{ tag: string; image: ImageRecord }>;
    const wantTag = tag || ref.tag;
    if (wantTag) {
      const image = await this.opts.images.resolve(`${repository}:${wantTag}`).catch(() => undefined);
      if (!image) throw notFound(`tag does not exist: ${familiarString({ ...ref, tag: wantTag })}`);
      targets = [{ tag: wantTag, image }];
    } else {
      targets = all.flatMap((image) => image.repoTags.filter((r) => r.startsWith(repository + ':') && !r.slice(repository.length + 1).includes('/')).map((r) => ({ tag: r.slice(repository.length + 1), image })));
      if (!targets.length) throw notFound(`An image does not exist locally with the tag: ${familiarRepository(ref)}`);
    }
    const t = this.transport(ref.domain, opts.auth);
    const say = opts.progress;
    say({ status: `The push refers to repository [${familiarRepository(ref)}]` });
    const scope = `repository:${ref.path}:pull,push`;
    await t.prepare(scope).catch((err: Error) => {
      // as dockerd: the token service's refusal in its words ("unauthorized: invalid refresh token"), else "denied"
      if (err instanceof EngineError && err.kind === 'Unauthorized' && !(err instanceof TokenRefused)) throw denied(ref);
      throw err;
    });
    for (const { tag: tg, image } of targets) await this.pushOne(t, ref, tg, image, scope, say);
    // one event for the push as asked: with its tag, or the bare repository when every tag went
    this.imageEvent('push', { ...ref, tag: wantTag || undefined }, wantTag ? targets[0]!.image : undefined);
  }

  private async pushOne(t: RegistryTransport, ref: Reference, tag: string, image: ImageRecord, scope: string, say: ProgressSink): Promise<void> {
    const repository = repositoryName(ref);
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    // Docker lists layers top-most first
    const order = [...diffIds.keys()].reverse();
    for (const i of order) say({ status: 'Preparing', progressDetail: {}, id: shortDigest(diffIds[i]!) });
    const layers: Descriptor[] = new Array(diffIds.length);
    await runLimited(order.map((i) => async () => {
      layers[i] = await this.pushLayer(t, ref, diffIds[i]!, scope, say);
    }), this.opts.maxUploads ?? 5);
    for (const [i, d] of diffIds.entries()) await this.sources.add(d, { digest: layers[i]!.digest, mediaType: layers[i]!.mediaType, size: layers[i]!.size, repository });

    const configBytes = await this.opts.content.get(image.id);
    if (!(await this.blobExists(t, ref, image.id, scope))) await this.uploadMonolithic(t, ref, image.id, configBytes, scope);
    const allGzip = layers.every((l) => layerCompression(l.mediaType) === 'gzip');
    const manifest = allGzip
      ? {
          schemaVersion: 2,
          mediaType: MediaTypes.DockerManifest,
          config: { mediaType: MediaTypes.DockerConfig, size: configBytes.length, digest: image.id },
          layers: layers.map((l) => ({ mediaType: MediaTypes.DockerLayerGzip, size: l.size, digest: l.digest })),
        }
      : {
          schemaVersion: 2,
          mediaType: MediaTypes.OciManifest,
          config: { mediaType: MediaTypes.OciConfig, size: configBytes.length, digest: image.id },
          layers: layers.map((l) => ({ mediaType: ociLayerType(l.mediaType), size: l.size, digest: l.digest })),
        };
    const body = Buffer.from(JSON.stringify(manifest, null, 3));
    const digest = 'sha256:' + createHash('sha256').update(body).digest('hex');
    const r = await t.request(`/v2/${ref.path}/manifests/${tag}`, { method: 'PUT', scope, body, headers: { 'Content-Type': manifest.mediaType, 'Content-Length': body.length } });
    if (r.status !== 201 && r.status !== 200) throw statusError(r.status, `failed to push manifest: ${await registryErrorText(r)}`);
    r.body.resume();
    await this.opts.images.addReferences(image.id, [`${repository}@${digest}`]);
    say({ status: `${tag}: digest: ${digest} size: ${body.length}` });
    say({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: body.length } });
  }

  private async blobExists(t: RegistryTransport, ref: Reference, digest: string, scope: string): Promise<number | undefined> {
    const r = await t.request(`/v2/${ref.path}/blobs/${digest}`, { method: 'HEAD', scope });
    r.body.resume();
    if (r.status === 200) return Number(r.headers['content-length'] ?? -1);
    if (r.status === 404) return undefined;
    throw statusError(r.status, `HEAD of blob ${digest} failed with status ${r.status}`);
  }

  private async pushLayer(t: RegistryTransport, ref: Reference, diffId: string, scope: string, say: ProgressSink): Promise<Descriptor> {
    const id = shortDigest(diffId);
    const known = await this.sources.get(diffId);
    const host = ref.domain;
    // the same registry: the target repository first, then a mount from another one
    const here = known.filter((s) => registryDomain(s.repository) === host);
    for (const s of here.filter((x) => x.repository === repositoryName(ref))) {
      if ((await this.blobExists(t, ref, s.digest, scope)) !== undefined) {
        say({ status: 'Layer already exists', progressDetail: {}, id });
        return { mediaType: s.mediaType, digest: s.digest, size: s.size };
      }
    }
    for (const s of here.filter((x) => x.repository !== repositoryName(ref))) {
      const from = parseReference(s.repository).path;
      const r = await t.request(`/v2/${ref.path}/blobs/uploads/?mount=${s.digest}&from=${encodeURIComponent(from)}`, { method: 'POST', scope: `${scope} repository:${from}:pull` });
      r.body.resume();
      if (r.status === 201) {
        say({ status: `Mounted from ${from}`, progressDetail: {}, id });
        return { mediaType: s.mediaType, digest: s.digest, size: s.size };
      }
      if (r.status === 202 && r.headers.location) await t.request(r.headers.location, { method: 'DELETE', scope }).then((x) => x.body.resume(), () => undefined);
    }
    // a blob pushed elsewhere before (another registry) is the same gzip: HEAD it here
    for (const s of known.filter((x) => registryDomain(x.repository) !== host && layerCompression(x.mediaType) === 'gzip')) {
      if ((await this.blobExists(t, ref, s.digest, scope)) !== undefined) {
        say({ status: 'Layer already exists', progressDetail: {}, id });
        return { mediaType: MediaTypes.DockerLayerGzip, digest: s.digest, size: s.size };
      }
    }
    const total = await this.opts.content.size(diffId);
    const progress = throttledProgress(say, id, 'Pushing', total);
    let read = 0;
    const src = await this.opts.content.readStream(diffId);
    src.on('data', (c: Buffer) => progress((read += c.length)));
    const { digest, size } = await this.uploadStream(t, ref, adaptiveGzip(src), scope);
    say({ status: 'Pushed', progressDetail: {}, id });
    return { mediaType: MediaTypes.DockerLayerGzip, digest, size };
  }

  private async startUpload(t: RegistryTransport, ref: Reference, scope: string): Promise<string> {
    const r = await t.request(`/v2/${ref.path}/blobs/uploads/`, { method: 'POST', scope, headers: { 'Content-Length': 0 } });
    r.body.resume();
    if (r.status !== 202 || !r.headers.location) {
      if (r.status === 401 || r.status === 403) throw denied(ref);
      throw statusError(r.status, `starting an upload to ${familiarRepository(ref)} failed with status ${r.status}`);
    }
    return r.headers.location;
  }

  private async uploadMonolithic(t: RegistryTransport, ref: Reference, digest: string, data: Buffer, scope: string): Promise<void> {
    const loc = await this.startUpload(t, ref, scope);
    const r = await t.request(withQuery(loc, 'digest', digest), { method: 'PUT', scope, body: data, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length } });
    if (r.status !== 201) throw statusError(r.status, `upload of ${digest} failed: ${await registryErrorText(r)}`);
    r.body.resume();
  }

  /** Streams `src` (length unknown) into a new upload; the digest is known only at the end. */
  private async uploadStream(t: RegistryTransport, ref: Reference, src: Readable, scope: string): Promise<{ digest: string; size: number }> {
    let loc = await this.startUpload(t, ref, scope);
    const hash = createHash('sha256');
    let size = 0;
    const chunkSize = this.opts.chunkSize;
    if (chunkSize) {
      let buf: Buffer[] = [];
      let len = 0;
      const flush = async () => {
        const body = Buffer.concat(buf);
        buf = [];
        len = 0;
        const r = await t.request(loc, { method: 'PATCH', scope, body, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, 'Content-Range': `${size - body.length}-${size - 1}` } });
        if (r.status !== 202) throw statusError(r.status, `chunk upload failed: ${await registryErrorText(r)}`);
        r.body.resume();
        loc = r.headers.location ?? loc;
      };
      for await (const c of src) {
        hash.update(c as Buffer);
        size += (c as Buffer).length;
        buf.push(c as Buffer);
        len += (c as Buffer).length;
        if (len >= chunkSize) await flush();
      }
      if (len) await flush();
    } else {
      // hashed on its way into the request: a 'data' listener would start the flow at once, and what came
      // before the request piped the body (after its own awaits) would be hashed but never sent
      const counted = new Transform({
        transform(c: Buffer, _encoding, done) {
          hash.update(c);
          size += c.length;
          done(null, c);
        },
      });
      // an error of src reaches the request as an error of `counted`
      pipeline(src, counted).catch(() => undefined);
      let r: RegistryResponse;
      try {
        r = await t.request(loc, { method: 'PATCH', scope, body: counted, noRetry: true, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: 3_600_000 });
      } finally {
        // not all sent (the request failed, or was answered early): stop reading the layer
        if (!counted.readableEnded) counted.destroy();
      }
      if (r.status !== 202) throw statusError(r.status, `upload failed: ${await registryErrorText(r)}`);
      r.body.resume();
      loc = r.headers.location ?? loc;
    }
    const digest = 'sha256:' + hash.digest('hex');
    const r = await t.request(withQuery(loc, 'digest', digest), { method: 'PUT', scope, headers: { 'Content-Length': 0 } });
    if (r.status !== 201) throw statusError(r.status, `committing upload ${digest} failed: ${await registryErrorText(r)}`);
    r.body.resume();
    return { digest, size };
  }

  // --- distribution inspect

  /** GET /distribution/{name}/json: the descriptor of what the name points to and its platforms. */
  async inspect(name: string, auth?: Credentials): Promise<{ Descriptor: Descriptor; Platforms: Platform[] }> {
    const ref = parseReference(name);
    if (!ref.tag && !ref.digest) ref.tag = 'latest';
    const t = this.transport(ref.domain, auth);
    const top = await this.fetchManifest(t, ref, ref.digest ?? ref.tag!);
    const descriptor: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.body.length };
    if (top.mediaType === MediaTypes.OciIndex || top.mediaType === MediaTypes.DockerManifestList) {
      const index = JSON.parse(top.body.toString('utf8')) as ImageIndex;
      return { Descriptor: descriptor, Platforms: index.manifests.flatMap((m) => (m.platform ? [m.platform] : [])) };
    }
    const manifest = JSON.parse(top.body.toString('utf8')) as ImageManifest;
    const config = JSON.parse((await this.fetchBlobBuffer(t, ref, manifest.config, `repository:${ref.path}:pull`)).toString('utf8')) as ImageConfig;
    const p: Platform = { architecture: config.architecture, os: config.os };
    if (config.variant) p.variant = config.variant;
    return { Descriptor: descriptor, Platforms: [p] };
  }
}

const MANIFEST_TYPES = new Set<string>([MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.OciIndex]);

function ociLayerType(mediaType: string): string {
  const c = layerCompression(mediaType);
  return c === 'gzip' ? MediaTypes.OciLayerGzip : c === 'zstd' ? MediaTypes.OciLayerZstd : MediaTypes.OciLayer;
}

/** "127.0.0.1:5000/app" or a server address (https://index.docker.io/v1/, 127.0.0.1:5000) → the registry domain. */
export function registryDomain(s: string): string {
  let v = s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (s.includes('/') && !/^https?:\/\//.test(s)) {
    try {
      return parseReference(s).domain;
    } catch {
      /* not a reference: a bare address */
    }
  }
  if (v === 'index.docker.io' || v === 'registry-1.docker.io' || v === '') v = 'docker.io';
  return v;
}

function parsePlatform(p: string | undefined): Platform {
  if (!p) return { os: 'linux', architecture: 'amd64' };
  const [os, architecture, variant] = p.split('/');
  if (!os || !architecture) throw invalidArgument(`invalid platform: ${p}`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function pickPlatform(list: Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = list.filter((d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture);
  if (want.variant) return candidates.find((d) => d.platform?.variant === want.variant);
  return candidates.find((d) => !d.platform?.variant) ?? candidates[0];
}

function withQuery(loc: string, key: string, value: string): string {
  return loc + (loc.includes('?') ? '&' : '?') + `${key}=${encodeURIComponent(value)}`;
}

function notFoundOrDenied(ref: Reference, status: number): EngineError {
  const e = notFound(`pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
  return status === 401 || status === 403 ? new EngineError('NotFound', e.message) : e;
}

function denied(ref: Reference): EngineError {
  return unauthorized(`denied: requested access to the resource is denied (push to ${familiarRepository(ref)}; try 'docker login ${ref.domain}')`);
}

/** Runs the tasks with at most `limit` at once; the first failure rejects (the others finish first). */
async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < tasks.length && failure === undefined) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure;
}

