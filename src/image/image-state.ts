import { notFound } from '../errdefs/index.js';
import { type ImageConfig, parseReference, type Reference, referenceString, repositoryName, withDefaultTag } from '../oci/index.js';
import type { ImageRecord } from './image-service.js';
import type { StoredImageFile } from './image-records.js';

/** An image as held in memory: its record file plus its parsed config. */
export interface LoadedImage extends StoredImageFile {
  config: ImageConfig;
}

/** What resolve() found, and whether the input named the image (a reference) or gave its ID. */
export interface Resolution {
  image: LoadedImage;
  /** the normalised reference that matched, when the input was a name */
  reference?: string;
}

export function isTagRef(ref: string): boolean {
  return !ref.includes('@');
}

/** Parses a name; undefined when the input is no valid reference (then it can only be an ID). */
export function tryParse(input: string): Reference | undefined {
  try {
    return withDefaultTag(parseReference(input));
  } catch {
    return undefined;
  }
}

/**
 * The in-memory image index: images by ID and references (normalised repo tags and repo digests) → ID.
 * Pure lookups; persistence and locking belong to the service.
 */
export class ImageState {
  readonly images = new Map<string, LoadedImage>();
  readonly refs = new Map<string, string>();

  refsOf(id: string): string[] {
    return [...this.refs.entries()].filter(([, v]) => v === id).map(([k]) => k).sort();
  }

  toRecord(img: LoadedImage): ImageRecord {
    const refs = this.refsOf(img.id);
    const rec: ImageRecord = {
      id: img.id,
      config: img.config,
      repoTags: refs.filter(isTagRef),
      repoDigests: refs.filter((r) => !isTagRef(r)),
      created: img.config.created ?? '',
      size: img.layers.reduce((n, l) => n + l.size, 0),
    };
    if (img.parent) rec.parent = img.parent;
    return rec;
  }

  /** Name first, then full ID (with or without "sha256:"), then an unambiguous ID prefix. */
  resolve(input: string): Resolution {
    const ref = tryParse(input);
    if (ref) {
      const key = referenceString(ref);
      const id = this.refs.get(key);
      const image = id ? this.images.get(id) : undefined;
      if (image) return { image, reference: key };
      // name@sha256:<image ID> names the image too when the repository has it
      if (ref.digest) {
        const byId = this.images.get(ref.digest);
        const repo = repositoryName(ref);
        if (byId && this.refsOf(byId.id).some((r) => r.startsWith(repo + ':') || r.startsWith(repo + '@'))) return { image: byId };
      }
    }
    const hex = input.startsWith('sha256:') ? input.slice(7) : input;
    if (/^[a-f0-9]{1,64}$/.test(hex)) {
      const exact = this.images.get('sha256:' + hex);
      if (exact) return { image: exact };
      const matches = [...this.images.values()].filter((i) => i.id.startsWith('sha256:' + hex));
      if (matches.length === 1 && matches[0]) return { image: matches[0] };
    }
    throw notFound(`No such image: ${input}`);
  }

  /** Whether another image names this one as its parent (commit, build). */
  hasChildren(id: string): boolean {
    for (const img of this.images.values()) if (img.parent === id) return true;
    return false;
  }

  /** Images sharing a chain ID or diff ID with others are kept when one of them goes. */
  chainInUse(chainId: string, except: string): boolean {
    for (const img of this.images.values()) if (img.id !== except && img.layers.some((l) => l.chainId === chainId)) return true;
    return false;
  }

  diffInUse(diffId: string, except: string): boolean {
    for (const img of this.images.values()) if (img.id !== except && img.layers.some((l) => l.diffId === diffId)) return true;
    return false;
  }
}
