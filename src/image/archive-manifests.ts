import { invalidArgument } from '../errdefs/index.js';
import { type Descriptor, type ImageIndex, type ImageManifest, MediaTypes, normalizeName } from '../oci/index.js';
import { hexOf } from '../util/index.js';
import type { ArchiveSpool, SpooledFile } from './archive-spool.js';

/** One image found in a `docker load` archive. */
export interface LoadCandidate {
  config: SpooledFile;
  layers: SpooledFile[];
  /** normalised repo tags to give it */
  names: string[];
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const WANT = { os: 'linux', architecture: 'amd64' };

/**
 * The images of an archive: a Docker archive's manifest.json (old `<id>/layer.tar` + `<hex>.json` style
 * and Docker 25+'s blobs/ style alike) wins; otherwise an OCI layout's index.json, walking nested indexes
 * and picking linux/amd64.
 */
export async function archiveCandidates(spool: ArchiveSpool): Promise<LoadCandidate[]> {
  const manifest = await spool.json<DockerManifestEntry[]>('manifest.json');
  if (manifest) {
    if (!Array.isArray(manifest)) throw invalidArgument('invalid archive: manifest.json is not a list');
    return manifest.map((m) => ({
      config: spool.require(m.Config),
      layers: (m.Layers ?? []).map((l) => spool.require(l)),
      names: (m.RepoTags ?? []).map((t) => normalizeName(t)),
    }));
  }
  const index = await spool.json<ImageIndex>('index.json');
  if (!index) throw invalidArgument('invalid archive: neither manifest.json nor index.json found');
  const byConfig = new Map<string, LoadCandidate>();
  for (const desc of index.manifests ?? []) {
    const m = await pickManifest(spool, desc, 0);
    if (!m) continue;
    const config = blob(spool, m.config);
    const c = byConfig.get(config.digest) ?? { config, layers: m.layers.map((l) => blob(spool, l)), names: [] };
    const name = nameOf(desc);
    if (name && !c.names.includes(name)) c.names.push(name);
    byConfig.set(config.digest, c);
  }
  if (byConfig.size === 0) throw invalidArgument(`invalid archive: no image for ${WANT.os}/${WANT.architecture} in index.json`);
  return [...byConfig.values()];
}

function blob(spool: ArchiveSpool, d: Descriptor): SpooledFile {
  const f = spool.require(`blobs/sha256/${hexOf(d.digest)}`);
  if (f.digest !== d.digest) throw invalidArgument(`digest mismatch: ${d.digest}`);
  return f;
}

function isIndex(d: Descriptor, body: { manifests?: unknown; mediaType?: string }): boolean {
  return d.mediaType === MediaTypes.OciIndex || d.mediaType === MediaTypes.DockerManifestList || Array.isArray(body.manifests);
}

function platformOk(d: Descriptor): boolean {
  return !d.platform || (d.platform.os === WANT.os && d.platform.architecture === WANT.architecture);
}

async function pickManifest(spool: ArchiveSpool, d: Descriptor, depth: number): Promise<ImageManifest | undefined> {
  if (depth > 8 || !platformOk(d)) return undefined;
  const f = spool.get(`blobs/sha256/${hexOf(d.digest)}`);
  if (!f) return undefined; // e.g. platforms the archive does not carry
  const body = await spool.json<ImageManifest & ImageIndex>(`blobs/sha256/${hexOf(d.digest)}`);
  if (!body) return undefined;
  if (isIndex(d, body)) {
    for (const child of body.manifests ?? []) {
      const m = await pickManifest(spool, child, depth + 1);
      if (m) return m;
    }
    return undefined;
  }
  if (!body.config || !Array.isArray(body.layers)) throw invalidArgument(`invalid archive: ${d.digest} is not an image manifest`);
  return body;
}

/** containerd's full name annotation, else a ref.name that is a whole reference (not just a tag). */
function nameOf(d: Descriptor): string | undefined {
  const a = d.annotations ?? {};
  const full = a['io.containerd.image.name'];
  if (full) return normalizeName(full);
  const ref = a['org.opencontainers.image.ref.name'];
  if (ref && /[:/]/.test(ref)) {
    try {
      return normalizeName(ref);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
