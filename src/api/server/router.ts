import type { RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => Promise<unknown>;

/** What a handler's return value becomes: JSON with a status, or nothing (204 unless handled). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly contentType = 'application/json',
  ) {}
}

export interface Route {
  method: string;
  pattern: RegExp;
  paramNames: string[];
  handler: Handler;
}

/**
 * A route table. Paths use `{name}` for one segment and `{name:.*}` for a greedy one (image names
 * contain slashes: `/images/{name:.*}/json`, as Docker's mux has it).
 */
export class Router {
  readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const paramNames: string[] = [];
    const escape = (lit: string) => lit.replace(/[.+?^$()|[\]\\*]/g, '\\$&');
    let re = '';
    let last = 0;
    for (const m of path.matchAll(/\{(\w+)(:\.\*)?\}/g)) {
      re += escape(path.slice(last, m.index)) + (m[2] ? '(.+)' : '([^/]+)');
      paramNames.push(m[1]!);
      last = m.index! + m[0].length;
    }
    re += escape(path.slice(last));
    this.routes.push({ method, pattern: new RegExp(`^${re}$`), paramNames, handler });
    return this;
  }
  get(path: string, h: Handler): this { return this.add('GET', path, h); }
  post(path: string, h: Handler): this { return this.add('POST', path, h); }
  put(path: string, h: Handler): this { return this.add('PUT', path, h); }
  delete(path: string, h: Handler): this { return this.add('DELETE', path, h); }
  head(path: string, h: Handler): this { return this.add('HEAD', path, h); }

  /** The route for a method and path, and its decoded params; `methodMismatch` when only the method is wrong. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
    let methodMismatch = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.paramNames.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return { methodMismatch };
  }
}
