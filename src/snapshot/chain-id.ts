import { sha256 } from '../util/index.js';

/** OCI chain IDs: chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}
