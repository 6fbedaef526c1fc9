import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryAuth } from './registry-auth.js';
import { regError } from './registry-errors.js';

/**
 * The registry's token endpoint, /token, as distribution's specs describe a token server:
 *
 * - "Token Authentication Specification": GET ?service=&scope=…, with the user's Basic credentials →
 *   {token, access_token, expires_in, issued_at}. With `offline_token=true&client_id=…` the answer also
 *   holds a `refresh_token` (what dockerd's login asks for, and returns to its client as IdentityToken).
 * - "OAuth2 Token Authentication": POST application/x-www-form-urlencoded with `service`, `client_id`
 *   (both required), `scope` (space-separated) and either `grant_type=password&username=&password=`
 *   (`access_type=offline` adds a `refresh_token`) or `grant_type=refresh_token&refresh_token=…` (what
 *   dockerd sends when its client gives it an identity token) → {access_token, scope, expires_in,
 *   issued_at[, refresh_token]}; a refresh grant gives back the same refresh token.
 *
 * Refusals: bad credentials or a refresh token that is not this process's, or was issued to another
 * service or client, are 401 with the registry's JSON error (what docker's clients parse and show);
 * a malformed request is 400 with an OAuth2 error ({error, error_description}).
 */
export async function serveToken(auth: RegistryAuth, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const answer = req.method === 'POST' ? await oauthToken(auth, req) : await getToken(auth, req, res, url);
  const body = Buffer.from(JSON.stringify(answer));
  res.writeHead('error' in answer ? 400 : 200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}

type OAuthError = { error: 'invalid_request' | 'unsupported_grant_type'; error_description: string };
type TokenAnswer = Record<string, string | number> | OAuthError;

const MAX_FORM = 64 * 1024;

async function getToken(auth: RegistryAuth, req: IncomingMessage, res: ServerResponse, url: URL): Promise<TokenAnswer> {
  const q = url.searchParams;
  const offline = q.get('offline_token') === 'true';
  const service = q.get('service') ?? auth.service;
  const clientId = q.get('client_id') ?? '';
  if (offline) {
    const bad = checkOffline(auth, service, clientId);
    if (bad) return bad;
  }
  const user = await auth.basicUser(req);
  if (!user) {
    res.setHeader('WWW-Authenticate', 'Basic realm="berth-registry-token"');
    throw regError('UNAUTHORIZED');
  }
  const t = auth.accessToken(user, scopesOf(q.getAll('scope')));
  return { ...t, access_token: t.token, ...(offline ? { refresh_token: auth.refreshToken(user, service, clientId) } : {}) };
}

async function oauthToken(auth: RegistryAuth, req: IncomingMessage): Promise<TokenAnswer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return invalid('invalid_request', 'the token request must be application/x-www-form-urlencoded');
  }
  const form = await readForm(req);
  if (!form) return invalid('invalid_request', `the token request is larger than ${MAX_FORM} bytes`);
  const grant = form.get('grant_type') ?? '';
  const service = form.get('service') ?? '';
  const clientId = form.get('client_id') ?? '';
  if (!service || !clientId) return invalid('invalid_request', 'service and client_id are required');
  let user: string;
  let refresh: string | undefined;
  if (grant === 'password') {
    const username = form.get('username') ?? '';
    if (!username || !(await auth.checkPassword(username, form.get('password') ?? ''))) throw regError('UNAUTHORIZED', null, 'incorrect username or password');
    user = username;
    if (form.get('access_type') === 'offline') {
      const bad = checkOffline(auth, service, clientId);
      if (bad) return bad;
      refresh = auth.refreshToken(user, service, clientId);
    }
  } else if (grant === 'refresh_token') {
    refresh = form.get('refresh_token') ?? '';
    if (!refresh) return invalid('invalid_request', 'refresh_token is required with grant_type=refresh_token');
    const r = auth.redeemRefreshToken(refresh, service, clientId);
    if ('refused' in r) throw regError('UNAUTHORIZED', null, r.refused);
    user = r.user;
  } else {
    return invalid(grant ? 'unsupported_grant_type' : 'invalid_request', grant ? `grant_type ${grant} is not supported (password, refresh_token)` : 'grant_type is required');
  }
  const scopes = scopesOf([form.get('scope') ?? '']);
  const t = auth.accessToken(user, scopes);
  return { access_token: t.token, scope: scopes.join(' '), expires_in: t.expires_in, issued_at: t.issued_at, ...(refresh ? { refresh_token: refresh } : {}) };
}

/** A refresh token is only for this registry's service, and needs a client to be bound to. */
function checkOffline(auth: RegistryAuth, service: string, clientId: string): OAuthError | undefined {
  if (!clientId) return invalid('invalid_request', 'client_id is required for a refresh token');
  if (service !== auth.service) return invalid('invalid_request', `service "${service}" is not this registry's ("${auth.service}")`);
  return undefined;
}

/** `scope` values, each a space-separated list (the OAuth2 form sends one, GET may repeat it). */
function scopesOf(values: string[]): string[] {
  return [...new Set(values.flatMap((v) => v.split(' ')).filter(Boolean))];
}

function invalid(error: OAuthError['error'], description: string): OAuthError {
  return { error, error_description: description };
}

/** The form body, or undefined when it is too large (the rest is read and dropped, so the answer still goes out). */
function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n <= MAX_FORM) chunks.push(c);
    });
    req.on('end', () => resolve(n > MAX_FORM ? undefined : new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
