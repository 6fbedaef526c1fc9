import type { HistoryItem } from './image-service.js';
import type { LoadedImage } from './image-state.js';

/**
 * `docker history`: one entry per config history entry, newest first; Size is the size of the layer a
 * non-empty entry made; the top entry carries the image ID and its tags, the others "<missing>" and null
 * (Docker walks parents for older IDs; imported and loaded images have none).
 */
export function imageHistory(img: LoadedImage, familiarTags: string[]): HistoryItem[] {
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
  const top = out[0];
  if (top) {
    top.Id = img.id;
    top.Tags = familiarTags.length ? familiarTags : null;
  }
  return out;
}
