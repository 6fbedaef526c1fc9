import { invalidArgument } from '../errdefs/index.js';

/**
 * Image references, normalised as Docker does:
 *   busybox                 → docker.io/library/busybox:latest
 *   me/app:1                → docker.io/me/app:1
 *   127.0.0.1:5000/app      → 127.0.0.1:5000/app:latest
 *   app@sha256:…            → docker.io/library/app@sha256:…
 * The familiar form strips docker.io/ and library/ again, for display (`docker images`).
 */
export interface Reference {
  domain: string;
  path: string; // e.g. library/busybox
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

function invalid(detail?: string): never {
  throw invalidArgument(detail ? `invalid reference format: ${detail}` : 'invalid reference format');
}

/** Parses and normalises a reference. Does not add a default tag (see withDefaultTag). */
export function parseReference(input: string): Reference {
  if (!input || input.length > 255 * 2) invalid();
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) invalid();
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) invalid();
  }
  if (!rest) invalid();
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (path !== path.toLowerCase()) invalid(`repository name (${path}) must be lowercase`);
  for (const comp of path.split('/')) if (!PATH_COMPONENT.test(comp)) invalid();
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (!/^[a-zA-Z0-9.-]+(?::[0-9]+)?$/.test(domain) && !/^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/.test(domain)) invalid();
  return { domain, path, tag, digest: digest?.toLowerCase() };
}

/** Adds ":latest" when there is neither a tag nor a digest. */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
}

/** docker.io/library/busybox */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised string: docker.io/library/busybox:latest[@sha256:…] */
export function referenceString(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** The familiar (display) form of a repository: busybox, me/app, 127.0.0.1:5000/app */
export function familiarRepository(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice(8) : ref.path;
}

export function familiarString(ref: Reference): string {
  let s = familiarRepository(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** "busybox" → "docker.io/library/busybox:latest" in one call. */
export function normalizeName(input: string): string {
  return referenceString(withDefaultTag(parseReference(input)));
}

/** "docker.io/library/busybox:latest" → "busybox:latest" */
export function familiarName(normalized: string): string {
  return familiarString(parseReference(normalized));
}

/** A reference that is a (possibly short) hex image ID rather than a name, as Docker accepts. */
export function looksLikeId(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{12,64}$/.test(s);
}
