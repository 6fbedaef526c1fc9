import type { StepEvent } from '../api/types/build.js';
import type { Readable } from 'node:stream';
import type { ImageRecord } from '../image/index.js';
import type { CachePruneOptions } from './mounts/cache-mounts.js';

export type { CachePruneOptions } from './mounts/cache-mounts.js';

/**
 * The builder: a build context and a Dockerfile become an image, the classic builder's way. Each
 * instruction is a step that makes an image on top of the previous one (RUN in a real container whose
 * changes are committed, COPY/ADD as a layer made from the context, the others as config-only images),
 * and a step is reused from the cache when an image with the same parent and the same step config
 * (`container_config`, with COPY's content digest in its Cmd) exists. So an identical rebuild yields the
 * identical image ID.
 *
 * Vocabulary: *stage* — a FROM and its instructions; *meta args* — ARGs before the first FROM; *step* —
 * one instruction, numbered across the stages built, in Dockerfile order (`Step 3/9`).
 *
 * Stages that do not need each other run side by side; stages the target does not need are skipped.
 */
export interface BuildOptions {
  /** the Dockerfile's path in the context */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string[];
  quiet: boolean;
  /** RUN's network: default | bridge | none | host */
  networkMode: string;
  /** remove intermediate containers of a failed step too */
  forceRemove: boolean;
  platform?: string;
  /** send step events (`out.event`) instead of step text: berth build's --progress */
  progress?: boolean;
  /** credentials per registry server address (X-Registry-Config), for pulling base images */
  registryAuth?: Record<string, RegistryCredentials>;
}

/** A registry login as the client sent it (the registry client's Credentials, structurally). */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Pulls an image for FROM / COPY --from (the daemon's registry client); progress in Docker's JSON messages. */
export type BasePuller = (ref: string, opts: { platform?: string; auth?: RegistryCredentials; progress: (m: { status?: string; id?: string; progressDetail?: { current?: number } }) => void }) => Promise<ImageRecord>;

/** A step's progress, for `berth build --progress`: a wire type, see api/types/build.ts. */
export type { StepEvent };

/** Where the classic builder's JSON stream goes. */
export interface BuildOutput {
  /** `{"stream": …}` text */
  stream(text: string): void;
  /** `{"aux": …}` */
  aux(value: unknown): void;
  /** step events, when opts.progress asked for them */
  event?(e: StepEvent): void;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
}

export interface BuildService {
  build(context: Readable, opts: BuildOptions, out: BuildOutput): Promise<BuildResult>;
  /** `docker builder prune`: the cache the builder keeps beside its images (RUN --mount=type=cache dirs) */
  prune(opts?: CachePruneOptions): Promise<{ deleted: string[]; reclaimed: number }>;
}

/** A failing RUN: the code the docker CLI exits with. */
export class BuildStepError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}
