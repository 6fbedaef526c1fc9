import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseReference } from '../../oci/index.js';

/**
 * Registry credentials in the docker CLI's config.json: `auths["<server>"].auth` = base64("user:password"),
 * Docker Hub under "https://index.docker.io/v1/". Other keys of the file are kept as they are. (Credential
 * helpers, `credsStore`, are not run: berth reads and writes the file only.)
 */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

export interface StoredAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** The key config.json uses for a registry domain. */
export function serverKey(domainOrServer: string): string {
  const d = domainOrServer.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return d === 'docker.io' || d === 'index.docker.io' || d === 'registry-1.docker.io' || d === '' ? DOCKER_HUB_SERVER : d;
}

export function domainOfImage(name: string): string {
  return parseReference(name).domain;
}

async function readConfig(dir: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function writeConfig(dir: string, cfg: Record<string, unknown>): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'config.json');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(cfg, null, '\t'), { mode: 0o600 });
  await fs.rename(tmp, file);
}

export async function loadAuth(dir: string, server: string): Promise<StoredAuth | undefined> {
  const cfg = await readConfig(dir);
  const auths = (cfg.auths ?? {}) as Record<string, { auth?: string }>;
  const key = serverKey(server);
  const entry = auths[key] ?? auths[`http://${key}`] ?? auths[`https://${key}`];
  if (!entry?.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1), serveraddress: key };
}

export async function saveAuth(dir: string, a: StoredAuth): Promise<void> {
  const cfg = await readConfig(dir);
  const auths = (cfg.auths ?? {}) as Record<string, unknown>;
  auths[serverKey(a.serveraddress)] = { auth: Buffer.from(`${a.username}:${a.password}`).toString('base64') };
  cfg.auths = auths;
  await writeConfig(dir, cfg);
}

/** true when there was an entry to remove */
export async function removeAuth(dir: string, server: string): Promise<boolean> {
  const cfg = await readConfig(dir);
  const auths = (cfg.auths ?? {}) as Record<string, unknown>;
  const key = serverKey(server);
  if (!(key in auths)) return false;
  delete auths[key];
  cfg.auths = auths;
  await writeConfig(dir, cfg);
  return true;
}

/** The X-Registry-Auth header value for an image name: base64url JSON, "{}" when anonymous. */
export async function registryAuthHeader(dir: string, imageName: string): Promise<string> {
  const a = await loadAuth(dir, domainOfImage(imageName));
  return Buffer.from(JSON.stringify(a ?? {})).toString('base64url');
}
