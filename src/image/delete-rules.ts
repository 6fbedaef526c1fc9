import { conflict } from '../errdefs/index.js';
import { parseReference, repositoryName } from '../oci/index.js';
import { shortId } from '../util/index.js';
import { isTagRef } from './image-state.js';

/**
 * Docker's `rmi` rules, kept apart from the store so they read like moby's image_delete.go:
 * which references count as "one", and the exact conflict wording clients match on.
 */
export const repoOf = (ref: string): string => repositoryName(parseReference(ref));

/** Docker's isSingleReference: one tag, possibly with digest references of the same repository. */
export function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: string | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (!isTagRef(r)) canonical.add(repoOf(r));
    else if (single === undefined) single = r;
    else return false;
  }
  single ??= refs[0] ?? '';
  return canonical.size === 1 && canonical.has(repoOf(single));
}

/** "image is being used by running|stopped container <short>" */
export function usedBy(c: { id: string; running: boolean }): string {
  return `image is being used by ${c.running ? 'running' : 'stopped'} container ${shortId(c.id)}`;
}

/** `conflict: unable to delete <short> (must be forced|cannot be forced) - <why>` */
export function deleteConflict(id: string, hard: boolean, message: string): Error {
  return conflict(`conflict: unable to delete ${shortId(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${message}`);
}

/** The repository of a reference with neither tag nor digest ("busybox"), else undefined. */
export function nameOnly(input: string): string | undefined {
  try {
    const ref = parseReference(input);
    return ref.tag || ref.digest ? undefined : repositoryName(ref);
  } catch {
    return undefined;
  }
}
