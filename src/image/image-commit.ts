import type { Readable } from 'node:stream';
import type { ImageConfig, ImageRunConfig } from '../oci/index.js';
import type { ImageRecord } from './image-service.js';
import { applyChanges } from './import-changes.js';

/** `docker commit`: a container's changes become a new image on top of the one it was created from. */
export interface CommitOptions {
  /** ID of the image the container was created from; empty for none */
  parent: string;
  /**
   * the container's changes as an uncompressed OCI layer tar: snapshot's layerDiffTar(rootfs.upperDir(id)).
   * Absent: the new image only changes the config (the builder's ENV, LABEL, CMD…): no layer is added and
   * its history entry says `empty_layer`.
   */
  diff?: Readable;
  /** the container's run config (Docker: the committed image's `config`); the parent's when absent */
  config?: ImageRunConfig;
  /** Dockerfile-like --change instructions applied over `config` (see import-changes.ts) */
  changes?: string[];
  /** repo[:tag] for the result */
  reference?: string;
  comment?: string;
  author?: string;
  /** the container's ID, kept in the config's `container` field as Docker does */
  containerId?: string;
  /** history `created_by`; Docker puts the container's Cmd there */
  createdBy?: string;
  /** the config the step ran with (the classic builder's `container_config`, which its cache compares) */
  containerConfig?: ImageRunConfig;
}

/** Image creation beyond the shared ImageService contract, for the container service (commit) and build. */
export interface ImageCommitter {
  commit(opts: CommitOptions): Promise<ImageRecord>;
}

/** The new image's config: the parent's platform and history, one more layer and history entry. */
export function commitConfig(parent: ImageConfig | undefined, opts: CommitOptions, diffId: string | undefined, created: string): ImageConfig {
  const runConfig = applyChanges(opts.config ?? parent?.config ?? {}, opts.changes ?? []);
  const entry = {
    created,
    created_by: opts.createdBy ?? '',
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.comment ? { comment: opts.comment } : {}),
    ...(diffId ? {} : { empty_layer: true }),
  };
  const config: ImageConfig = {
    architecture: parent?.architecture ?? 'amd64',
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.comment ? { comment: opts.comment } : {}),
    config: runConfig,
    ...(opts.containerId ? { container: opts.containerId } : {}),
    ...(opts.containerConfig ? { container_config: opts.containerConfig } : {}),
    created,
    history: [...(parent?.history ?? []), entry],
    os: parent?.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: [...(parent?.rootfs.diff_ids ?? []), ...(diffId ? [diffId] : [])] },
  };
  if (parent?.variant) config.variant = parent.variant;
  return config;
}
