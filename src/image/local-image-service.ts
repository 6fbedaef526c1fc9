import { promises as fs } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { type ContentStore, createContentStore } from '../content/index.js';
import { conflict, invalidArgument, notFound } from '../errdefs/index.js';
import type { EventPublisher } from '../events/index.js';
import { familiarName, type ImageConfig, parseReference, referenceString, withDefaultTag } from '../oci/index.js';
import { chainIds, createLayerStore, type LayerStore, lowerDirsInUse, openUncompressed } from '../snapshot/index.js';
import { type Filters, type Logger, sha256, shortId } from '../util/index.js';
import { archiveCandidates, type LoadCandidate } from './archive-manifests.js';
import { ArchiveSpool, removeStaleSpools } from './archive-spool.js';
import { type SaveItem, writeDockerArchive } from './archive-writer.js';
import { decompressStream } from './decompress-stream.js';
import { imageHistory } from './image-history.js';
import { ImageRecordFiles, type StoredLayer } from './image-records.js';
import type { HistoryItem, ImageRecord, ImageService, ImportOptions, RemovedImageItem } from './image-service.js';
import { ImageState, isTagRef, type LoadedImage } from './image-state.js';
import { applyChanges } from './import-changes.js';
import { type CommitOptions, commitConfig, type ImageCommitter } from './image-commit.js';
import { pruneMatcher } from './prune-filters.js';
import { deleteConflict, isSingleReference, nameOnly, repoOf, usedBy } from './delete-rules.js';
import { type SweepResult, sweepOrphans } from './orphan-sweep.js';

export interface ImageServiceOptions {
  dataRoot: string;
  events: EventPublisher;
  logger: Logger;
  /** shared with other services when given; otherwise made over the same data root */
  content?: ContentStore;
  layers?: LayerStore;
}

type ContainerUsing = (imageId: string) => { id: string; running: boolean } | undefined;

/** The image store of berthd (see image-service.ts for the contract and image-records.ts for the layout). */
export function createImageService(opts: ImageServiceOptions): ImageService & ImageCommitter {
  return new LocalImageService(opts);
}

function parsePlatform(p: string | undefined): { os: string; architecture: string; variant?: string } {
  if (!p) return { os: 'linux', architecture: 'amd64' };
  const [os, architecture, variant] = p.split('/');
  if (!os || !architecture) throw invalidArgument(`invalid platform: ${p}`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** A repo[:tag] to tag with; digests are refused as Docker does. */
function tagTarget(target: string): string {
  const ref = parseReference(target);
  if (ref.digest) throw invalidArgument('refusing to create a tag with a digest reference');
  const name = ref.path.split('/').pop() ?? '';
  if (/^[a-f0-9]{64}$/.test(name)) throw invalidArgument(`invalid repository name (${name}), cannot specify 64-byte hexadecimal strings`);
  return referenceString(withDefaultTag(ref));
}

class LocalImageService implements ImageService, ImageCommitter {
  private readonly state = new ImageState();
  private readonly files: ImageRecordFiles;
  private readonly content: ContentStore;
  private readonly layers: LayerStore;
  private ready?: Promise<void>;
  private tail: Promise<unknown> = Promise.resolve();
  /** pulls writing into the content store outside the lock (holdContent) */
  private holds = 0;
  /** the orphan sweep while it runs: new holds wait for it */
  private sweeping?: Promise<unknown>;

  constructor(private readonly opts: ImageServiceOptions) {
    this.files = new ImageRecordFiles(opts.dataRoot);
    this.content = opts.content ?? createContentStore({ dataRoot: opts.dataRoot });
    this.layers = opts.layers ?? createLayerStore({ dataRoot: opts.dataRoot });
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await removeStaleSpools(this.opts.dataRoot);
      const { images, references } = await this.files.readAll();
      for (const rec of images) {
        try {
          const config = JSON.parse((await this.content.get(rec.id)).toString('utf8')) as ImageConfig;
          this.state.images.set(rec.id, { ...rec, config });
        } catch (err) {
          this.opts.logger.warn('skipping image whose config blob is unreadable', { image: rec.id, error: err });
        }
      }
      for (const [ref, id] of references) if (this.state.images.has(id)) this.state.refs.set(ref, id);
    })();
    return this.ready;
  }

  /** Mutations run one at a time, after the records were loaded. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.catch(() => undefined).then(async () => {
      await this.init();
      return fn();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private emit(action: string, id: string, name: string): void {
    const labels = this.state.images.get(id)?.config.config?.Labels ?? {};
    this.opts.events.publish('image', action, id, { ...labels, name });
  }

  private persistRefs(): Promise<void> {
    return this.files.writeReferences(this.state.refs);
  }

  async list(): Promise<ImageRecord[]> {
    await this.init();
    return [...this.state.images.values()]
      .map((i) => this.state.toRecord(i))
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  async children(parentId: string): Promise<ImageRecord[]> {
    await this.init();
    const out: ImageRecord[] = [];
    for (const i of this.state.images.values()) if ((i.parent ?? '') === parentId) out.push(this.state.toRecord(i));
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  async resolve(refOrId: string): Promise<ImageRecord> {
    await this.init();
    return this.state.toRecord(this.state.resolve(refOrId).image);
  }

  tag(refOrId: string, target: string): Promise<void> {
    return this.exclusive(async () => {
      const { image } = this.state.resolve(refOrId);
      const key = tagTarget(target);
      this.state.refs.set(key, image.id);
      await this.persistRefs();
      this.emit('tag', image.id, familiarName(key));
    });
  }

  remove(refOrId: string, opts: { force: boolean; noPrune: boolean; containerUsing: ContainerUsing }): Promise<RemovedImageItem[]> {
    return this.exclusive(async () => {
      const { image, reference } = this.state.resolve(refOrId);
      const id = image.id;
      const items: RemovedImageItem[] = [];
      const byId = reference === undefined || id.startsWith('sha256:' + refOrId) || id.startsWith(refOrId);
      let quiet = false;
      if (!byId && reference) {
        if (!opts.force && isSingleReference(this.state.refsOf(id))) {
          const c = opts.containerUsing(id);
          if (c) throw conflict(`conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(c.id)} is using its referenced image ${shortId(id)}`);
        }
        this.untag(reference, id, items);
        // A removed tag takes the repository's digest references with it when no tag of it remains.
        if (isTagRef(reference)) {
          const repo = repoOf(reference);
          const rest = this.state.refsOf(id);
          if (!rest.some((r) => isTagRef(r) && repoOf(r) === repo)) {
            for (const r of rest) if (!isTagRef(r) && repoOf(r) === repo) this.untag(r, id, items);
          }
        }
        await this.persistRefs();
        if (this.state.refsOf(id).length > 0) return items;
        quiet = true;
      } else {
        const refs = this.state.refsOf(id);
        if (isSingleReference(refs)) {
          if (this.state.hasChildren(id)) throw deleteConflict(id, true, 'image has dependent child images');
          const c = opts.containerUsing(id);
          if (c && (c.running || !opts.force)) throw deleteConflict(id, c.running, usedBy(c));
          for (const r of refs) this.untag(r, id, items);
          await this.persistRefs();
        }
      }
      await this.deleteImage(image, items, opts.force, quiet, opts.containerUsing, !opts.noPrune);
      return items;
    });
  }

  private untag(ref: string, id: string, items: RemovedImageItem[]): void {
    this.state.refs.delete(ref);
    items.push({ Untagged: familiarName(ref) });
    this.emit('untag', id, id);
  }

  /**
   * Docker's imageDeleteHelper; returns the bytes of layers removed. With `prune`, an untagged parent left
   * without children goes too (what `--no-prune` prevents).
   */
  private async deleteImage(image: LoadedImage, items: RemovedImageItem[], force: boolean, quiet: boolean, containerUsing: ContainerUsing, prune: boolean): Promise<number> {
    const id = image.id;
    const c = containerUsing(id);
    let problem: { hard: boolean; used: boolean; message: string } | undefined;
    if (this.state.hasChildren(id)) problem = { hard: true, used: false, message: 'image has dependent child images' };
    else if (c?.running) problem = { hard: true, used: true, message: usedBy(c) };
    else if (!force && this.state.refsOf(id).length > 0) problem = { hard: false, used: false, message: 'image is referenced in multiple repositories' };
    else if (!force && c) problem = { hard: false, used: true, message: usedBy(c) };
    if (problem) {
      const dangling = this.state.refsOf(id).length === 0 && !this.state.hasChildren(id);
      if (quiet && (!dangling || problem.used)) return 0;
      throw deleteConflict(id, problem.hard, problem.message);
    }
    const refs = this.state.refsOf(id);
    for (const r of refs) this.untag(r, id, items);
    if (refs.length) await this.persistRefs();
    await this.files.deleteImage(id);
    this.emit('delete', id, id);
    this.state.images.delete(id);
    items.push({ Deleted: id });
    let reclaimed = 0;
    // A (stopped, force-deleted) container still stacks these layers: keep them.
    if (!c) {
      for (const layer of [...image.layers].reverse()) {
        if (this.state.chainInUse(layer.chainId, id)) continue;
        await this.layers.remove(layer.chainId);
        items.push({ Deleted: layer.chainId });
        reclaimed += layer.size;
      }
    }
    for (const layer of image.layers) if (!this.state.diffInUse(layer.diffId, id)) await this.content.delete(layer.diffId);
    await this.content.delete(id);
    const parent = image.parent ? this.state.images.get(image.parent) : undefined;
    if (prune && parent && this.state.refsOf(parent.id).length === 0 && !this.state.hasChildren(parent.id)) {
      reclaimed += await this.deleteImage(parent, items, false, true, containerUsing, true);
    }
    return reclaimed;
  }

  async importRootfs(tar: Readable, opts: ImportOptions): Promise<ImageRecord> {
    const target = opts.reference ? tagTarget(opts.reference) : undefined;
    const platform = parsePlatform(opts.platform);
    const runConfig = applyChanges({}, opts.changes ?? []);
    return this.exclusive(async () => {
      const blob = await this.content.ingest(decompressStream(tar));
      const diffId = blob.digest;
      try {
        const info = await this.layers.ensure(diffId, this.content.blobPath(diffId), diffId);
        const created = new Date().toISOString();
        const message = opts.message || 'Imported from -';
        const config: ImageConfig = {
          architecture: platform.architecture,
          ...(platform.variant ? { variant: platform.variant } : {}),
          comment: message,
          config: runConfig,
          created,
          history: [{ created, created_by: '', comment: message }],
          os: platform.os,
          rootfs: { type: 'layers', diff_ids: [diffId] },
        };
        const bytes = Buffer.from(JSON.stringify(config));
        const id = sha256(bytes);
        await this.content.ingest(bufferStream(bytes), { digest: id });
        const image = await this.commitImage(id, config, [{ diffId, chainId: diffId, size: info.size }]);
        if (target) {
          this.state.refs.set(target, id);
          await this.persistRefs();
          this.emit('tag', id, familiarName(target));
        }
        this.emit('import', id, id);
        return this.state.toRecord(image);
      } catch (err) {
        if (blob.created && !this.state.diffInUse(diffId, '')) await this.content.delete(diffId);
        throw err;
      }
    });
  }

  async commit(opts: CommitOptions): Promise<ImageRecord> {
    const target = opts.reference ? tagTarget(opts.reference) : undefined;
    return this.exclusive(async () => {
      const parent = opts.parent ? this.state.resolve(opts.parent).image : undefined;
      // --change instructions are checked before a byte of the diff is read
      const runConfig = applyChanges(opts.config ?? parent?.config.config ?? {}, opts.changes ?? []);
      const blob = opts.diff ? await this.content.ingest(opts.diff) : undefined;
      const diffId = blob?.digest;
      try {
        const layers = [...(parent?.layers ?? [])];
        if (diffId) {
          const diffIds = [...layers.map((l) => l.diffId), diffId];
          const chainId = chainIds(diffIds)[diffIds.length - 1] ?? diffId;
          const info = await this.layers.ensure(chainId, this.content.blobPath(diffId), diffId);
          layers.push({ diffId, chainId, size: info.size });
        }
        const config = commitConfig(parent?.config, { ...opts, config: runConfig, changes: [] }, diffId, new Date().toISOString());
        const bytes = Buffer.from(JSON.stringify(config));
        const id = sha256(bytes);
        await this.content.ingest(bufferStream(bytes), { digest: id });
        const image = await this.commitImage(id, config, layers, parent?.id);
        if (target) {
          this.state.refs.set(target, id);
          await this.persistRefs();
          this.emit('tag', id, familiarName(target));
        }
        return this.state.toRecord(image);
      } catch (err) {
        if (diffId && blob?.created && !this.state.diffInUse(diffId, '')) await this.content.delete(diffId);
        throw err;
      }
    });
  }

  private async commitImage(id: string, config: ImageConfig, layers: StoredLayer[], parent?: string): Promise<LoadedImage> {
    const existing = this.state.images.get(id);
    const image: LoadedImage = { id, layers, added: existing?.added ?? new Date().toISOString(), config };
    if (parent) image.parent = parent;
    await this.files.writeImage({ id, layers, added: image.added, ...(parent ? { parent } : {}) });
    this.state.images.set(id, image);
    return image;
  }

  /**
   * `progress` hears what is happening ("Loading layer <12 hex>", once per layer unpacked), for a client's
   * progress display; the result is Docker's final lines ("Loaded image: …"), which progress does not repeat.
   */
  load(tar: Readable, progress?: (line: string) => void): Promise<string[]> {
    return this.exclusive(async () => {
      const spool = await ArchiveSpool.create(this.opts.dataRoot, this.content);
      const lines: string[] = [];
      const say = (line: string) => void lines.push(line);
      try {
        await spool.read(decompressStream(tar));
        const candidates = await archiveCandidates(spool);
        for (const c of candidates) await this.loadOne(c, spool, say, progress);
      } finally {
        await spool.dispose();
        for (const d of spool.createdBlobs) {
          if (!this.state.images.has(d) && !this.state.diffInUse(d, '')) await this.content.delete(d);
        }
      }
      return lines;
    });
  }

  private async loadOne(c: LoadCandidate, spool: ArchiveSpool, say: (line: string) => void, progress?: (line: string) => void): Promise<void> {
    const bytes = await fs.readFile(c.config.file);
    const id = sha256(bytes);
    let config: ImageConfig;
    try {
      config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
    } catch {
      throw invalidArgument(`invalid image config ${id}`);
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== c.layers.length) throw invalidArgument(`invalid image ${id}: ${c.layers.length} layers but ${diffIds.length} diff IDs`);
    const stored = await this.content.ingest(bufferStream(bytes), { digest: id });
    if (stored.created) spool.createdBlobs.add(id);
    const chains = chainIds(diffIds);
    const layers: StoredLayer[] = [];
    for (const [i, diffId] of diffIds.entries()) {
      const chainId = chains[i] ?? diffId;
      const file = c.layers[i]?.file ?? '';
      if (!(await this.content.has(diffId))) {
        // Stored uncompressed, named by diff ID: what `docker save` writes back, and what is unpacked.
        const r = await this.content.ingest(await openUncompressed(file), { digest: diffId });
        if (r.created) spool.createdBlobs.add(diffId);
      }
      progress?.(`Loading layer ${shortId(diffId)}`);
      const info = await this.layers.ensure(chainId, this.content.blobPath(diffId), diffId);
      layers.push({ diffId, chainId, size: info.size });
    }
    await this.commitImage(id, config, layers);
    for (const name of c.names) {
      const old = this.state.refs.get(name);
      if (old && old !== id) say(`The image ${familiarName(name)} already exists, renaming the old one with ID ${old} to empty string`);
      this.state.refs.set(name, id);
    }
    if (c.names.length) await this.persistRefs();
    this.emit('load', id, id);
    if (c.names.length === 0) say(`Loaded image ID: ${id}`);
    for (const name of c.names) say(`Loaded image: ${familiarName(name)}`);
  }

  async save(refsOrIds: string[], out: Writable): Promise<void> {
    await this.init();
    const items = new Map<string, SaveItem>();
    const add = (image: LoadedImage, tag?: string) => {
      const item = items.get(image.id) ?? { id: image.id, diffIds: image.layers.map((l) => l.diffId), repoTags: [] };
      if (tag && !item.repoTags.includes(tag)) item.repoTags.push(tag);
      items.set(image.id, item);
    };
    for (const input of refsOrIds) {
      // A bare repository name saves every tag of it, as Docker does.
      const bare = nameOnly(input);
      const tags = bare ? [...this.state.refs.keys()].filter((r) => isTagRef(r) && repoOf(r) === bare) : [];
      if (tags.length) {
        for (const t of tags) {
          const img = this.state.images.get(this.state.refs.get(t) ?? '');
          if (img) add(img, t);
        }
        continue;
      }
      const { image, reference } = this.state.resolve(input);
      add(image, reference && isTagRef(reference) ? reference : undefined);
    }
    await writeDockerArchive([...items.values()], this.content, out);
    for (const id of items.keys()) this.emit('save', id, id);
  }

  async history(refOrId: string): Promise<HistoryItem[]> {
    await this.init();
    const { image } = this.state.resolve(refOrId);
    return imageHistory(image, (id) => {
      const img = this.state.images.get(id);
      return img ? { image: img, tags: this.state.refsOf(id).filter(isTagRef).map(familiarName) } : undefined;
    });
  }

  async prune(opts: { all: boolean; filters: Filters; containerUsing: (imageId: string) => unknown }): Promise<{ ImagesDeleted: RemovedImageItem[]; SpaceReclaimed: number }> {
    const matcher = pruneMatcher(opts.all, opts.filters);
    return this.exclusive(async () => {
      const items: RemovedImageItem[] = [];
      let reclaimed = 0;
      const victims = [...this.state.images.values()].filter(
        (img) => (matcher.all || this.state.refsOf(img.id).length === 0) && !this.state.hasChildren(img.id) && matcher.match(img) && !opts.containerUsing(img.id),
      );
      for (const img of victims) {
        // an earlier victim may have taken this one along as its untagged parent
        if (this.state.images.has(img.id)) reclaimed += await this.deleteImage(img, items, true, false, () => undefined, true);
      }
      // the docker CLI counts SpaceReclaimed only when something is listed: what the sweep removed is
      const swept = await this.sweep();
      for (const d of new Set([...swept.layers, ...swept.blobs])) items.push({ Deleted: d });
      reclaimed += swept.reclaimed;
      return { ImagesDeleted: items, SpaceReclaimed: reclaimed };
    });
  }

  holdContent<T>(fn: () => Promise<T>): Promise<T> {
    const start = async () => {
      while (this.sweeping) await this.sweeping.catch(() => undefined);
      this.holds++;
    };
    return start().then(async () => {
      try {
        return await fn();
      } finally {
        this.holds--;
      }
    });
  }

  sweepLeftovers(olderThanMs: number): Promise<number> {
    return this.exclusive(async () => (await this.sweep(olderThanMs)).reclaimed);
  }

  /** Under the lock: content and layers nothing names (orphan-sweep.ts); skipped while a pull is writing. */
  private async sweep(olderThanMs?: number): Promise<SweepResult> {
    if (this.holds > 0) {
      this.opts.logger.info('unreferenced content is kept for now: a pull is running');
      return { blobs: [], layers: [], reclaimed: 0 };
    }
    const blobsInUse = new Set<string>();
    const chainsInUse = new Set<string>();
    for (const img of this.state.images.values()) {
      blobsInUse.add(img.id);
      for (const l of img.layers) {
        blobsInUse.add(l.diffId);
        chainsInUse.add(l.chainId);
      }
    }
    const run = (async () => sweepOrphans({ content: this.content, layers: this.layers, blobsInUse, chainsInUse, dirsInUse: await lowerDirsInUse(this.opts.dataRoot), olderThanMs }))();
    this.sweeping = run;
    try {
      const r = await run;
      if (r.blobs.length || r.layers.length) this.opts.logger.info('removed unreferenced content', { blobs: r.blobs.length, layers: r.layers.length, bytes: r.reclaimed });
      return r;
    } finally {
      this.sweeping = undefined;
    }
  }

  addImage(configDigest: string, references: string[], onLayer?: (index: number, phase: 'start' | 'done') => void): Promise<ImageRecord> {
    return this.exclusive(async () => {
      const bytes = await this.content.get(configDigest);
      let config: ImageConfig;
      try {
        config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
      } catch {
        throw invalidArgument(`invalid image config ${configDigest}`);
      }
      const diffIds = config.rootfs?.diff_ids ?? [];
      const chains = chainIds(diffIds);
      const layers: StoredLayer[] = [];
      for (const [i, diffId] of diffIds.entries()) {
        const chainId = chains[i] ?? diffId;
        onLayer?.(i, 'start');
        const info = await this.layers.ensure(chainId, this.content.blobPath(diffId), diffId);
        layers.push({ diffId, chainId, size: info.size });
        onLayer?.(i, 'done');
      }
      const image = await this.commitImage(configDigest, config, layers);
      for (const ref of references) this.state.refs.set(ref, configDigest);
      if (references.length) await this.persistRefs();
      // the `pull` event is the registry client's: Docker names it after the reference pulled, not the image
      return this.state.toRecord(image);
    });
  }

  addReferences(id: string, references: string[]): Promise<void> {
    return this.exclusive(async () => {
      if (!this.state.images.has(id)) throw notFound(`No such image: ${id}`);
      for (const ref of references) this.state.refs.set(ref, id);
      await this.persistRefs();
    });
  }

  async layerDirs(imageId: string): Promise<string[]> {
    await this.init();
    const image = this.state.images.get(imageId) ?? this.state.resolve(imageId).image;
    const dirs: string[] = [];
    for (const l of image.layers) {
      if (!(await this.layers.get(l.chainId))) {
        if (!(await this.content.has(l.diffId))) throw notFound(`layer ${l.diffId} of image ${shortId(image.id)} is missing`);
        await this.layers.ensure(l.chainId, this.content.blobPath(l.diffId), l.diffId);
      }
      dirs.push(this.layers.diffDir(l.chainId));
    }
    return dirs.reverse();
  }
}

function bufferStream(b: Buffer): Readable {
  // a fresh stream per call; Readable.from would split a string, not a Buffer
  return Readable.from([b]);
}

