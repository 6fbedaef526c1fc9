import type { HistoryItem } from './image-service.js';
import type { LoadedImage } from './image-state.js';

/** An image with its familiar tags, for history's ID column. */
export type HistoryLookup = (id: string) => { image: LoadedImage; tags: string[] } | undefined;

/**
 * `docker history`: one entry per config history entry, newest first; Size is the size of the layer a
 * non-empty entry made. As Docker does, the entries are then labelled from the top with the image's ID
 * and tags, then its parent's, and so on while parents are known (commit/build chains); the rest say
 * "<missing>" with null tags.
 */
export function imageHistory(img: LoadedImage, lookup: HistoryLookup): HistoryItem[] {
  const out: HistoryItem[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = img.layers[layer]?.size ?? 0;
      layer++;
    }
    out.unshift({
      Id: '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  let current: ReturnType<HistoryLookup> = lookup(img.id) ?? { image: img, tags: [] };
  for (const item of out) {
    if (!current) break;
    item.Id = current.image.id;
    item.Tags = current.tags.length ? current.tags : null;
    current = current.image.parent ? lookup(current.image.parent) : undefined;
  }
  return out;
}
