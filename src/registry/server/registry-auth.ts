import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';
import { TokenSigner } from './registry-tokens.js';

/**
 * Who may do what on the registry server.
 *
 * - none: everyone may pull and push (distribution's default).
 * - htpasswd (basic): every request needs a user of the htpasswd file (bcrypt entries only, as
 *   distribution accepts); the challenge is `Basic realm="…"`.
 * - token (bearer): the same users, but they trade their password for a short-lived token at
 *   /token (the WWW-Authenticate Bearer flow of the distribution spec, registry-token-endpoint.ts); the
 *   registry then accepts only tokens. A login asking for offline access also gets a refresh token
 *   (docker's identity token) that buys access tokens without the password. Tokens are HMAC-signed by
 *   a key made at start, so they die with the process (registry-tokens.ts).
 * An authenticated user may pull and push every repository (htpasswd has no access lists).
 */
export interface AuthOptions {
  htpasswd?: string;
  realm?: string;
  token?: boolean;
}

export type Action = 'pull' | 'push' | 'delete';

/** access tokens live 5 minutes (distribution's clients ask again when one expires) */
const ACCESS_TTL_S = 300;

export interface AuthResult {
  ok: boolean;
  /** the WWW-Authenticate value to answer with when not ok */
  challenge?: string;
}

export class RegistryAuth {
  private readonly users = new Map<string, string>();
  /** "user\0password" → bcrypt said yes; bcrypt costs tens of ms per check and clients log in per request */
  private readonly verified = new Set<string>();
  private readonly signer = new TokenSigner();

  constructor(private readonly opts: AuthOptions) {
    if (opts.htpasswd) {
      for (const line of readFileSync(opts.htpasswd, 'utf8').split('\n')) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const hash = line.slice(i + 1).trim();
        if (/^\$2[aby]\$/.test(hash)) this.users.set(line.slice(0, i), hash);
      }
    }
  }

  get enabled(): boolean {
    return this.opts.htpasswd !== undefined;
  }

  async checkPassword(user: string, password: string): Promise<boolean> {
    const hash = this.users.get(user);
    if (!hash) return false;
    const key = `${user}\0${password}\0${hash}`;
    if (this.verified.has(key)) return true;
    // bcryptjs understands $2a$/$2b$; htpasswd -B writes $2y$, the same algorithm
    const ok = await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    if (ok) this.verified.add(key);
    return ok;
  }

  /** The service name of the Bearer challenge, which tokens are asked for and refresh tokens bound to. */
  get service(): string {
    return this.opts.realm ?? 'berth-registry';
  }

  /** The user of a request's valid Basic credentials. */
  async basicUser(req: IncomingMessage): Promise<string | undefined> {
    const m = /^Basic\s+(\S+)/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) return undefined;
    const user = text.slice(0, i);
    return (await this.checkPassword(user, text.slice(i + 1))) ? user : undefined;
  }

  /** Checks a request for `scope` (repository:<name>:<actions>, or registry:catalog:*, or "" for /v2/). */
  async authorize(req: IncomingMessage, scope: string, host: string): Promise<AuthResult> {
    if (!this.enabled) return { ok: true };
    const realm = this.service;
    if (!this.opts.token) {
      if (await this.basicUser(req)) return { ok: true };
      return { ok: false, challenge: `Basic realm="${realm}"` };
    }
    const m = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
    if (m && this.tokenAllows(m[1]!, scope)) return { ok: true };
    const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    let challenge = `Bearer realm="${proto}://${host}/token",service="${realm}"`;
    if (scope) challenge += `,scope="${scope}"`;
    if (m) challenge += ',error="insufficient_scope"';
    return { ok: false, challenge };
  }

  /** An access token for `scopes` to a user the caller authenticated. */
  accessToken(user: string, scopes: string[]): { token: string; expires_in: number; issued_at: string } {
    const token = this.signer.sign({ typ: 'access', sub: user, exp: Date.now() + ACCESS_TTL_S * 1000, scopes });
    return { token, expires_in: ACCESS_TTL_S, issued_at: new Date().toISOString() };
  }

  /** A refresh token (identity token) for a user the caller authenticated, bound to the service and client asking. */
  refreshToken(user: string, service: string, clientId: string): string {
    return this.signer.sign({ typ: 'refresh', sub: user, svc: service, cid: clientId, iat: Date.now() });
  }

  /** The user a refresh token stands for, when this process issued it to this service and client. */
  redeemRefreshToken(token: string, service: string, clientId: string): { user: string } | { refused: string } {
    const claims = this.signer.verify(token, 'refresh');
    if (!claims || !this.users.has(claims.sub)) return { refused: 'invalid refresh token' };
    if (claims.svc !== service || claims.cid !== clientId) return { refused: 'refresh token was issued to another service or client' };
    return { user: claims.sub };
  }

  private tokenAllows(token: string, scope: string): boolean {
    const claims = this.signer.verify(token, 'access');
    if (!claims || claims.exp < Date.now()) return false;
    if (!scope) return true;
    const [type, name, actions] = splitScope(scope);
    return actions.every((a) => claims.scopes.some((s) => {
      const [t, n, acts] = splitScope(s);
      return t === type && n === name && (acts.includes(a) || acts.includes('*'));
    }));
  }
}

/** "repository:a/b:pull,push" → ["repository", "a/b", ["pull", "push"]] (names may hold a port's colon). */
export function splitScope(scope: string): [string, string, string[]] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [scope, '', []];
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1).split(',').filter(Boolean)];
}
