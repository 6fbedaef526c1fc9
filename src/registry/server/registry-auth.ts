import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';

/**
 * Who may do what on the registry server.
 *
 * - none: everyone may pull and push (distribution's default).
 * - htpasswd (basic): every request needs a user of the htpasswd file (bcrypt entries only, as
 *   distribution accepts); the challenge is `Basic realm="…"`.
 * - token (bearer): the same users, but they trade their password for a short-lived token at
 *   GET /token (the WWW-Authenticate Bearer flow of the distribution spec); the registry then accepts
 *   only tokens. Tokens are HMAC-signed by a key made at start, so they die with the process.
 * An authenticated user may pull and push every repository (htpasswd has no access lists).
 */
export interface AuthOptions {
  htpasswd?: string;
  realm?: string;
  token?: boolean;
}

export type Action = 'pull' | 'push' | 'delete';

export interface AuthResult {
  ok: boolean;
  /** the WWW-Authenticate value to answer with when not ok */
  challenge?: string;
}

export class RegistryAuth {
  private readonly users = new Map<string, string>();
  /** "user\0password" → bcrypt said yes; bcrypt costs tens of ms per check and clients log in per request */
  private readonly verified = new Set<string>();
  private readonly key = randomBytes(32);

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

  private async basicUser(req: IncomingMessage): Promise<string | undefined> {
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
    const realm = this.opts.realm ?? 'berth-registry';
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

  /** GET /token?service=&scope=…: a token for the scopes asked, to a user with a valid password. */
  async issueToken(req: IncomingMessage, scopes: string[]): Promise<{ token: string; expires_in: number; issued_at: string } | undefined> {
    const user = await this.basicUser(req);
    if (!user) return undefined;
    const claims = { sub: user, exp: Date.now() + 300_000, scopes };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const sig = createHmac('sha256', this.key).update(payload).digest('base64url');
    return { token: `${payload}.${sig}`, expires_in: 300, issued_at: new Date().toISOString() };
  }

  private tokenAllows(token: string, scope: string): boolean {
    const [payload, sig] = token.split('.');
    if (!payload || !sig) return false;
    const want = createHmac('sha256', this.key).update(payload).digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return false;
    let claims: { exp: number; scopes: string[] };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return false;
    }
    if (claims.exp < Date.now()) return false;
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
