import { invalidArgument } from '../errdefs/index.js';

/**
 * Normalises a tar member name (or hard-link target) to its path components inside the layer:
 * leading "/" and "./" are dropped (an absolute name is confined to the layer, as GNU tar does),
 * "." components vanish, and any ".." component is refused with InvalidArgument.
 * The layer root itself is [].
 */
export function memberComponents(name: string): string[] {
  if (name.includes('\0')) throw invalidArgument(`invalid tar member name ${JSON.stringify(name)}`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalidArgument(`refusing tar member ${JSON.stringify(name)}: path contains '..'`);
  return parts;
}

export function joinComponents(parts: string[]): string {
  return parts.join('/');
}
