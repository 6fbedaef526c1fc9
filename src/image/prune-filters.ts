import type { Filters } from '../util/index.js';
import { matchLabels, validateFilterKeys } from '../util/index.js';
import { parseTimestamp } from './go-duration.js';
import type { LoadedImage } from './image-state.js';

/** `docker image prune` filters: dangling=true|false, until=<timestamp|duration>, label=…, label!=…. */
export function pruneMatcher(all: boolean, filters: Filters): { all: boolean; match: (img: LoadedImage) => boolean } {
  validateFilterKeys(filters, ['dangling', 'until', 'label', 'label!']);
  const dangling = filters.get('dangling');
  const wantAll = all || (dangling !== undefined && dangling.some((v) => v === 'false' || v === '0'));
  const until = (filters.get('until') ?? []).map((v) => parseTimestamp(v));
  const labels = filters.get('label');
  const notLabels = filters.get('label!') ?? [];
  return {
    all: wantAll,
    match(img) {
      const created = Date.parse(img.config.created ?? img.added);
      if (until.length && !until.every((u) => created < u)) return false;
      const have = img.config.config?.Labels;
      if (!matchLabels(have, labels)) return false;
      if (notLabels.some((l) => matchLabels(have, [l]))) return false;
      return true;
    },
  };
}
