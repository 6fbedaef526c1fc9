import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Every layer directory some container's root filesystem stacks: the `lowerDirs` of each
 * <data-root>/rootfs/<container-id>/lower.json (both rootfs drivers write it at create). A container can
 * outlive its image (`rmi -f` of a stopped container's image keeps the layers), so this, not the image
 * store, says which layers containers still need.
 */
export async function lowerDirsInUse(dataRoot: string): Promise<Set<string>> {
  const root = path.join(dataRoot, 'rootfs');
  const used = new Set<string>();
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    let text: string;
    try {
      text = await fs.readFile(path.join(root, e.name, 'lower.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    // a record that cannot be read keeps everything: better a leftover layer than a broken container
    const lower = JSON.parse(text) as { lowerDirs?: unknown };
    if (!Array.isArray(lower.lowerDirs)) throw new Error(`unreadable ${path.join(root, e.name, 'lower.json')}`);
    for (const d of lower.lowerDirs) if (typeof d === 'string') used.add(path.resolve(d));
  }
  return used;
}
