import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The docker CLI's config file (--config DIR, else DOCKER_CONFIG, else ~/.docker; config.json), for
 * the settings that change output: psFormat, imagesFormat, statsFormat, … and detachKeys. A missing or
 * unreadable file is an empty config, as in docker.
 */
export interface CliConfig {
  psFormat?: string;
  imagesFormat?: string;
  statsFormat?: string;
  volumesFormat?: string;
  networksFormat?: string;
  detachKeys?: string;
}

export function configDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

export function loadCliConfig(dir: string): CliConfig {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const out: CliConfig = {};
    for (const k of ['psFormat', 'imagesFormat', 'statsFormat', 'volumesFormat', 'networksFormat', 'detachKeys'] as const) {
      if (typeof parsed[k] === 'string') out[k] = parsed[k] as string;
    }
    return out;
  } catch {
    return {};
  }
}
