import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseReference } from '../../oci/index.js';
import { helperErase, helperGet, helperStore } from './credential-helper.js';

/**
 * Registry credentials as the docker CLI keeps them, in <config dir>/config.json:
 * - `credHelpers["<server>"]` names the helper for one registry, else `credsStore` the helper for all:
 *   the secret goes to `docker-credential-<name>` (credential-helper.ts) and config.json keeps only an
 *   empty `auths["<server>"]` entry, as docker does;
 * - otherwise `auths["<server>"].auth` = base64("user:password"), in the file itself.
 * When the login gave an identity token (a registry's OAuth2 refresh token, POST /auth's IdentityToken),
 * the docker CLI (28) keeps it instead of the password: `auths["<server>"]` = {auth: base64("user:"),
 * identitytoken}, or through a helper the token as the secret under the username "<token>".
 * Docker Hub's key is "https://index.docker.io/v1/". Other keys of the file are kept as they are.
 * As the docker CLI: a helper that fails to answer `get` means anonymous access, and logout ignores
 * a helper that has nothing to erase; a helper that fails to `store` fails the login.
 */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** A login as the docker CLI keeps it and sends it (X-Registry-Auth): fields that are empty are left out. */
export interface StoredAuth {
  username?: string;
  password?: string;
  serveraddress: string;
  /** the registry's refresh token from a login, kept instead of the password */
  identitytoken?: string;
}

/** The username under which the docker CLI gives a credential helper an identity token. */
const TOKEN_USERNAME = '<token>';

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [k: string]: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

/** The key config.json uses for a registry domain. */
export function serverKey(domainOrServer: string): string {
  const d = domainOrServer.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return d === 'docker.io' || d === 'index.docker.io' || d === 'registry-1.docker.io' || d === '' ? DOCKER_HUB_SERVER : d;
}

export function domainOfImage(name: string): string {
  return parseReference(name).domain;
}

export function configFile(dir: string): string {
  return path.join(dir, 'config.json');
}

async function readConfig(dir: string): Promise<ConfigFile> {
  try {
    return JSON.parse(await fs.readFile(configFile(dir), 'utf8')) as ConfigFile;
  } catch {
    return {};
  }
}

async function writeConfig(dir: string, cfg: ConfigFile): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = configFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(cfg, null, '\t'), { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** The credential helper for a server key (credHelpers, then credsStore), or undefined for the file. */
function helperFor(cfg: ConfigFile, key: string): string | undefined {
  return cfg.credHelpers?.[key] || cfg.credsStore || undefined;
}

export async function loadAuth(dir: string, server: string): Promise<StoredAuth | undefined> {
  const cfg = await readConfig(dir);
  const key = serverKey(server);
  const helper = helperFor(cfg, key);
  if (helper) {
    const c = await helperGet(helper, key).catch(() => undefined);
    if (!c) return undefined;
    if (c.Username === TOKEN_USERNAME) return { serveraddress: key, identitytoken: c.Secret };
    return withoutEmpty({ username: c.Username, password: c.Secret, serveraddress: key });
  }
  const auths = cfg.auths ?? {};
  const entry = auths[key] ?? auths[`http://${key}`] ?? auths[`https://${key}`];
  const identitytoken = typeof entry?.identitytoken === 'string' ? entry.identitytoken : '';
  if (!entry?.auth) return identitytoken ? { serveraddress: key, identitytoken } : undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return withoutEmpty({ username: text.slice(0, i), password: text.slice(i + 1), serveraddress: key, identitytoken });
}

function withoutEmpty(a: StoredAuth): StoredAuth {
  const out: StoredAuth = { serveraddress: a.serveraddress };
  if (a.username) out.username = a.username;
  if (a.password) out.password = a.password;
  if (a.identitytoken) out.identitytoken = a.identitytoken;
  return out;
}

/**
 * Stores a login (with an identity token, the password is not stored); returns the file when a password
 * went into it in plain text (the docker CLI warns then, and only then).
 */
export async function saveAuth(dir: string, a: StoredAuth): Promise<{ plaintextIn?: string }> {
  const cfg = await readConfig(dir);
  const key = serverKey(a.serveraddress);
  const helper = helperFor(cfg, key);
  const auths = cfg.auths ?? {};
  const password = a.identitytoken ? '' : (a.password ?? '');
  if (helper) {
    const secret = a.identitytoken ? { Username: TOKEN_USERNAME, Secret: a.identitytoken } : { Username: a.username ?? '', Secret: password };
    await helperStore(helper, { ServerURL: key, ...secret });
    auths[key] = {};
  } else {
    const entry: AuthEntry = {};
    if (a.username || password) entry.auth = Buffer.from(`${a.username ?? ''}:${password}`).toString('base64');
    if (a.identitytoken) entry.identitytoken = a.identitytoken;
    auths[key] = entry;
  }
  cfg.auths = auths;
  await writeConfig(dir, cfg);
  return helper || !password ? {} : { plaintextIn: configFile(dir) };
}

/**
 * `logout`: erases the server's credentials under each name a login may have used (host, http://host,
 * https://host; only the key for Docker Hub). An entry whose helper cannot erase it stays in the file.
 */
export async function removeAuth(dir: string, server: string): Promise<void> {
  const cfg = await readConfig(dir);
  const key = serverKey(server);
  const names = key === DOCKER_HUB_SERVER ? [key] : [key, `http://${key}`, `https://${key}`];
  const auths = cfg.auths ?? {};
  let changed = false;
  for (const name of names) {
    const helper = helperFor(cfg, name);
    if (helper && !(await helperErase(helper, name).then(() => true, () => false))) continue;
    if (name in auths) {
      delete auths[name];
      changed = true;
    }
  }
  if (changed) {
    cfg.auths = auths;
    await writeConfig(dir, cfg);
  }
}

/** The X-Registry-Auth header value for an image name: base64url JSON, "{}" when anonymous. */
export async function registryAuthHeader(dir: string, imageName: string): Promise<string> {
  const a = await loadAuth(dir, domainOfImage(imageName));
  return Buffer.from(JSON.stringify(a ?? {})).toString('base64url');
}

/**
 * The X-Registry-Config header value for a build: every login this client knows (config.json's auths, and
 * the registries credHelpers name), base64url JSON keyed by server address, so the daemon can pull base
 * images as the user. (A credsStore's full list needs the helpers' `list`, which berth does not call: the
 * registries logged in through it are the empty `auths` entries the login leaves, as with the docker CLI.)
 */
export async function registryConfigHeader(dir: string): Promise<string> {
  const cfg = await readConfig(dir);
  const servers = new Set([...Object.keys(cfg.auths ?? {}), ...Object.keys(cfg.credHelpers ?? {})]);
  const all: Record<string, StoredAuth> = {};
  for (const server of servers) {
    const a = await loadAuth(dir, server);
    if (a) all[server] = a;
  }
  return Buffer.from(JSON.stringify(all)).toString('base64url');
}
