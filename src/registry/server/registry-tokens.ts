import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The registry server's tokens: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, signed with a key
 * made when the process starts, so that every token dies with the process (there is nothing to revoke
 * or to keep on disk). Two kinds, told apart by `typ` inside the signed claims, so one can never pass
 * for the other:
 * - access: a bearer token for the registry's API, good for `scopes` until `exp` (ms since the epoch);
 * - refresh: docker's "identity token" (the OAuth2 refresh token of an offline login), good for access
 *   tokens of its user (`sub`) from the service (`svc`) and client (`cid`) it was issued to, for as long
 *   as the process lives (distribution's spec gives refresh tokens no expiry).
 */
export interface AccessClaims {
  typ: 'access';
  sub: string;
  exp: number;
  scopes: string[];
}

export interface RefreshClaims {
  typ: 'refresh';
  sub: string;
  svc: string;
  cid: string;
  /** issued at (ms), so that two logins get two tokens */
  iat: number;
}

export type TokenClaims = AccessClaims | RefreshClaims;

export class TokenSigner {
  private readonly key = randomBytes(32);

  sign(claims: TokenClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The claims of a token this process signed, of the kind asked for; undefined for anything else. */
  verify<K extends TokenClaims['typ']>(token: string, typ: K): Extract<TokenClaims, { typ: K }> | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
    const payload = token.slice(0, dot);
    const got = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(payload);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
      return claims && claims.typ === typ ? (claims as Extract<TokenClaims, { typ: K }>) : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
