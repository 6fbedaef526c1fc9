import { EngineError, invalidArgument, notFound } from '../errdefs/index.js';
import type { ImageRecord, ImageService } from '../image/index.js';
import { familiarName, familiarString, normalizeName, parseReference } from '../oci/index.js';
import type { BasePuller, BuildOptions, RegistryCredentials } from './build-service.js';

/**
 * The image a FROM (or COPY --from / --mount from=) names, as the classic builder finds it: the local image,
 * pulled from its registry when it is not here, and pulled in any case with `--pull`. The pull's progress
 * goes into the build output as the docker CLI prints it without a terminal (`<id>: Pull complete`,
 * `Digest: …`, `Status: …`); its errors are the pull's own.
 */
export async function resolveBaseImage(
  images: ImageService,
  pull: BasePuller | undefined,
  ref: string,
  opts: Pick<BuildOptions, 'pull' | 'platform' | 'registryAuth'>,
  say?: (text: string) => void,
): Promise<ImageRecord> {
  let normalized: string;
  try {
    normalized = normalizeName(ref);
  } catch {
    throw invalidArgument(`invalid reference format: ${ref}`);
  }
  if (!opts.pull || !pull) {
    try {
      return await images.resolve(ref);
    } catch (err) {
      if (!(err instanceof EngineError && err.kind === 'NotFound')) throw err;
      if (!pull) {
        const repo = familiarName(normalized).replace(/:[^:/]+$/, '');
        throw notFound(`pull access denied for ${repo}, repository does not exist or may require 'docker login'`);
      }
    }
  }
  const parsed = parseReference(normalized);
  return pull(normalized, {
    platform: opts.platform,
    auth: credentialsFor(opts.registryAuth, parsed.domain),
    progress: (m) => {
      // the moving parts (Downloading 3 MB/10 MB…) are left out, as the docker CLI does without a terminal
      if (!say || !m.status || m.progressDetail?.current !== undefined) return;
      say(m.id ? `${m.id}: ${m.status}\n` : `${m.status}\n`);
    },
  }).catch((err: unknown) => {
    if (err instanceof EngineError && err.kind === 'NotFound' && !/pull access denied|manifest/.test(err.message)) {
      throw notFound(`pull access denied for ${familiarString(parsed)}, repository does not exist or may require 'docker login': ${err.message}`);
    }
    throw err;
  });
}

/** The client's credentials for a registry: keyed by host[:port], or by URL (Docker Hub's is its v1 index URL). */
function credentialsFor(all: Record<string, RegistryCredentials> | undefined, domain: string): RegistryCredentials | undefined {
  if (!all) return undefined;
  const keys = domain === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [domain, `https://${domain}`, `http://${domain}`];
  for (const k of keys) if (all[k]) return all[k];
  return undefined;
}
