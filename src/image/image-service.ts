import type { Readable, Writable } from 'node:stream';
import type { ImageConfig } from '../oci/index.js';
import type { Filters } from '../util/index.js';

/**
 * The image store: names → images, images → configs and unpacked layers.
 *
 * Vocabulary
 * - image ID: "sha256:<hex>" digest of the image config blob (as Docker).
 * - repo tag: a normalised name with tag, e.g. "docker.io/library/busybox:latest" (see oci/reference.ts);
 *   the API layer turns it into the familiar form ("busybox:latest") for display.
 * - layer: a tar (possibly compressed) blob in the content store; its diff ID is the sha256 of the
 *   uncompressed tar; its chain ID identifies the stack of layers up to it. Each layer is unpacked once into
 *   <data-root>/layers/<chain-id-hex>/diff, a fresh directory, with OCI whiteouts turned into overlay ones.
 *
 * Lifecycle: import/load/pull → record visible only after every blob was verified and every
 * record written atomically → tag/untag → remove (refused with Conflict while a container uses it unless force).
 */
export interface ImageRecord {
  id: string;
  config: ImageConfig;
  /** normalised names with tags, e.g. docker.io/library/busybox:latest */
  repoTags: string[];
  /** normalised name@digest, e.g. docker.io/library/busybox@sha256:… */
  repoDigests: string[];
  /** RFC 3339 */
  created: string;
  /** sum of the uncompressed layer sizes, bytes */
  size: number;
  /** image ID of the parent (builder, commit); empty otherwise */
  parent?: string;
}

export interface RemovedImageItem {
  Untagged?: string;
  Deleted?: string;
}

export interface HistoryItem {
  Id: string; // image ID for the top entry, "<missing>" for the others
  Created: number; // unix seconds
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImportOptions {
  /** repo[:tag] to tag the result with; empty for an untagged image */
  reference?: string;
  /** Dockerfile-like instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL */
  changes?: string[];
  message?: string;
  platform?: string;
}

export interface ImageService {
  list(): Promise<ImageRecord[]>;
  /** The images whose parent is `parentId` ('' for images without a parent), newest first: the builder's cache probe. */
  children(parentId: string): Promise<ImageRecord[]>;
  /**
   * Finds an image by name (normalised or familiar, with tag or @digest), full ID, "sha256:"-prefixed or
   * not, or an unambiguous ID prefix (≥ 1 hex char as Docker, but a name match wins).
   * Throws NotFound "No such image: <input>".
   */
  resolve(refOrId: string): Promise<ImageRecord>;
  /** Adds a tag (replacing that tag on any other image). Throws NotFound for an unknown source. */
  tag(refOrId: string, target: string): Promise<void>;
  /**
   * `docker rmi`: untags the name given; deletes the image when no tag remains (or when given by ID).
   * inUse(imageId) tells whether a container uses the image: then Conflict
   * `conflict: unable to delete <short> (must be forced) - image is being used by stopped container <short>`
   * (or `cannot delete … running container`), unless force (force never deletes an image a running
   * container uses… Docker untags it only).
   */
  remove(refOrId: string, opts: { force: boolean; noPrune: boolean; containerUsing: (imageId: string) => { id: string; running: boolean } | undefined }): Promise<RemovedImageItem[]>;
  /** `docker import`: a rootfs tar (optionally gzip) becomes a one-layer image. */
  importRootfs(tar: Readable, opts: ImportOptions): Promise<ImageRecord>;
  /** `docker load`: Docker archive (manifest.json) or OCI layout (index.json). Returns Docker's lines: "Loaded image: busybox:latest" / "Loaded image ID: sha256:…". */
  load(tar: Readable, progress?: (line: string) => void): Promise<string[]>;
  /** `docker save`: Docker archive format (manifest.json, repositories, blobs), also an oci-layout index.json. */
  save(refsOrIds: string[], out: Writable): Promise<void>;
  history(refOrId: string): Promise<HistoryItem[]>;
  /**
   * dangling only unless all; `until` and `label` filters; skips images in use. Then removes content and
   * layers no image or container names (what a failed pull left), unless a pull is running; SpaceReclaimed
   * counts both.
   */
  prune(opts: { all: boolean; filters: Filters; containerUsing: (imageId: string) => unknown }): Promise<{ ImagesDeleted: RemovedImageItem[]; SpaceReclaimed: number }>;
  /**
   * pull: registers the image whose config blob (`configDigest`) and uncompressed layer blobs (named by
   * diff ID) are already in the content store, unpacking each layer, then points `references` (normalised
   * tags and repo digests) at it. The record becomes visible only after every layer is unpacked.
   * `onLayer(index, phase)` hears each layer's unpacking, for progress.
   */
  addImage(configDigest: string, references: string[], onLayer?: (index: number, phase: 'start' | 'done') => void): Promise<ImageRecord>;
  /**
   * Runs `fn` (a pull: it writes blobs and layers before addImage names them) with the content it writes
   * protected from the orphan sweep; waits for a sweep that is running.
   */
  holdContent<T>(fn: () => Promise<T>): Promise<T>;
  /** Removes unreferenced content and layers older than `olderThanMs` (daemon start); returns the bytes freed. */
  sweepLeftovers(olderThanMs: number): Promise<number>;
  /** push: adds references (repo digests) to an image. */
  addReferences(id: string, references: string[]): Promise<void>;
  /** Unpacked layer directories for a container's rootfs, TOP-most first (overlay lowerdir order). Unpacks any missing layer. */
  layerDirs(imageId: string): Promise<string[]>;
}
