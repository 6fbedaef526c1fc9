import { promises as fs } from 'node:fs';
import type { RegistryStorage } from './registry-storage.js';

/**
 * Mark and sweep, as distribution's `garbage-collect`: every manifest a repository holds is live, and
 * so is what it names (config, layers, the manifests of an index, its subject's referrers stay with
 * it). Blobs nothing live names are deleted, and repository links to deleted blobs go with them.
 * Run it while no push is in flight (the server stopped, or idle): a blob uploaded but not yet named by
 * a manifest looks exactly like garbage.
 */
export interface GcResult {
  marked: number;
  deleted: string[];
  freedBytes: number;
}

export async function collectGarbage(storage: RegistryStorage, opts: { dryRun?: boolean } = {}): Promise<GcResult> {
  const live = new Set<string>();
  const repos = await storage.repositories();
  const mark = async (digest: string): Promise<void> => {
    if (live.has(digest)) return;
    live.add(digest);
    const text = await fs.readFile(storage.blobPath(digest), 'utf8').catch(() => undefined);
    if (text === undefined) return;
    let doc: { config?: { digest: string }; layers?: Array<{ digest: string }>; manifests?: Array<{ digest: string }> };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      return;
    }
    if (doc.config?.digest) live.add(doc.config.digest);
    for (const l of doc.layers ?? []) live.add(l.digest);
    for (const m of doc.manifests ?? []) await mark(m.digest);
  };
  for (const repo of repos) {
    for (const [digest] of await storage.revisions(repo)) await mark(digest);
  }
  const deleted: string[] = [];
  let freedBytes = 0;
  for (const digest of await storage.allBlobs()) {
    if (live.has(digest)) continue;
    deleted.push(digest);
    freedBytes += (await storage.blobSize(digest)) ?? 0;
    if (!opts.dryRun) await fs.rm(storage.blobPath(digest), { force: true });
  }
  if (!opts.dryRun) {
    for (const repo of repos) for (const d of await storage.layerLinks(repo)) if (!live.has(d)) await storage.unlinkBlob(repo, d);
  }
  return { marked: live.size, deleted, freedBytes };
}
