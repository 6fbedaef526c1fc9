import type { ServerResponse } from 'node:http';
import type { Router } from '../../server/router.js';
import type { RequestContext } from '../../server/context.js';
import { internal, invalidArgument, isKind } from '../../../errdefs/index.js';
import type { Credentials, ProgressMessage, RegistryService } from '../../../registry/client/index.js';

/**
 * Registry routes: POST /auth (login), GET /distribution/{name}/json, and the helpers the image routes use
 * for pull (`POST /images/create?fromImage=`) and push (`POST /images/{name}/push`).
 */
/** What the routes use of the registry client (an interface, so the daemon may load the client lazily). */
export type RegistryClient = Pick<RegistryService, 'login' | 'inspect' | 'push' | 'pull'>;

export interface DistributionBackend {
  registry: RegistryClient;
}

export function distributionRoutes(r: Router, b: DistributionBackend): void {
  r.post('/auth', async (ctx) => {
    const body = (await ctx.json<AuthConfig>()) ?? {};
    if (!body.serveraddress) body.serveraddress = 'https://index.docker.io/v1/';
    return b.registry.login(body.serveraddress, toCredentials(body));
  });
  r.get('/distribution/{name:.*}/json', async (ctx) => b.registry.inspect(ctx.params.name!, registryAuth(ctx)));
}

interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

function toCredentials(a: AuthConfig): Credentials | undefined {
  let { username, password } = a;
  // the legacy "auth" field: base64("user:password")
  if (!username && a.auth) {
    const text = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i > 0) {
      username = text.slice(0, i);
      password = text.slice(i + 1);
    }
  }
  if (!username && !a.identitytoken && !a.registrytoken) return undefined;
  return { username, password, identitytoken: a.identitytoken, registrytoken: a.registrytoken };
}

/** X-Registry-Auth: base64url(JSON AuthConfig), as the docker CLI sends it; absent or "{}" is anonymous. */
export function registryAuth(ctx: RequestContext): Credentials | undefined {
  const h = ctx.req.headers['x-registry-auth'];
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  try {
    return toCredentials(JSON.parse(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as AuthConfig);
  } catch {
    // dockerd ignores an undecodable header (anonymous access)
    return undefined;
  }
}

/**
 * X-Registry-Config (POST /build): base64url(JSON { "<registry>": AuthConfig, … }), every credential the
 * client knows, keyed by server address ("127.0.0.1:5000", "https://index.docker.io/v1/"). Undecodable: none.
 */
export function registryConfigAuth(ctx: RequestContext): Record<string, Credentials> {
  const h = ctx.req.headers['x-registry-config'];
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return {};
  try {
    const all = JSON.parse(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Record<string, AuthConfig>;
    const out: Record<string, Credentials> = {};
    for (const [server, a] of Object.entries(all ?? {})) {
      const c = a && typeof a === 'object' ? toCredentials(a) : undefined;
      if (c) out[server] = c;
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * Docker's progress stream: the 200 and the first line go out with the first message, so an error before
 * it (unknown repository, bad credentials) is answered with its own status, as dockerd does; an error after
 * it becomes an {"errorDetail"} line.
 */
export async function streamProgress(ctx: RequestContext, work: (say: (m: ProgressMessage) => void) => Promise<void>): Promise<void> {
  let res: ServerResponse | undefined;
  const say = (m: ProgressMessage) => {
    res ??= ctx.stream('application/json');
    res.write(JSON.stringify(m) + '\r\n');
  };
  try {
    await work(say);
  } catch (err) {
    if (!res) throw err;
    const message = (err as Error).message;
    res.write(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
  }
  res?.end();
  if (!res) ctx.stream('application/json').end();
}

/**
 * dockerd answers a pull whose credentials the registry refused with 500, never 401: on a 401 the docker
 * CLI would prompt for a login ("Login prior to pull:") and try again.
 */
export function pullError(err: unknown): never {
  if (isKind(err, 'Unauthorized')) throw internal((err as Error).message, err);
  throw err;
}

export function checkPushName(name: string): string {
  if (!name) throw invalidArgument('repository name must have at least one component');
  return name;
}
