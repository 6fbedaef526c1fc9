import type { ImageRecord, ImageService } from '../image/index.js';
import type { ImageRunConfig } from '../oci/index.js';

/**
 * The classic builder's cache: a step is reused when a child of the current image was made by a step
 * with the identical config (`container_config`, compared as canonical JSON). Only the parent's children
 * are looked at. While stages run side by side, an identical step two stages ask for at once is made
 * once: the second waits for the first and takes its image as a cache hit, as it would in a serial build
 * — so the images a build ends with do not depend on which stage got there first.
 */
export class StepCache {
  private readonly inflight = new Map<string, Promise<ImageRecord>>();

  constructor(
    private readonly images: ImageService,
    private readonly noCache: boolean,
    /** --cache-from: only these images may be reused */
    private readonly candidates?: Set<string>,
  ) {}

  /** An image made from `parent` by a step with this config, if one exists. */
  async probe(parent: string, cc: ImageRunConfig): Promise<ImageRecord | undefined> {
    if (this.noCache) return undefined;
    const key = canonical(cc);
    for (const img of await this.images.children(parent)) {
      if (!img.config.container_config) continue;
      if (this.candidates && !this.candidates.has(img.id)) continue;
      if (canonical(img.config.container_config) === key) return img;
    }
    return undefined;
  }

  /**
   * The step's image: from the cache, from the same step running in another stage, or made by `make`
   * (`check` runs first when nothing is cached: a step that cannot be made says so there).
   */
  async step(parent: string, cc: ImageRunConfig, make: () => Promise<ImageRecord>): Promise<{ image: ImageRecord; cached: boolean }> {
    if (this.noCache) return { image: await make(), cached: false };
    const key = parent + '\0' + canonical(cc);
    const running = this.inflight.get(key);
    if (running) return { image: await running, cached: true };
    const hit = await this.probe(parent, cc);
    if (hit) return { image: hit, cached: true };
    const again = this.inflight.get(key);
    if (again) return { image: await again, cached: true };
    const made = make();
    this.inflight.set(key, made);
    try {
      return { image: await made, cached: false };
    } finally {
      this.inflight.delete(key);
    }
  }
}

/** JSON with sorted keys, for comparing configs. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => JSON.stringify(k) + ':' + canonical((v as Record<string, unknown>)[k])).join(',') + '}';
  }
  return JSON.stringify(v ?? null);
}
