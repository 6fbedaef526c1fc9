import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Resolves `p` inside `root` the way the container would see it: symlinks are followed, but as if `root`
 * were `/`, so an absolute or `..`-climbing link can never lead out of the root (Docker's
 * FollowSymlinkInScope). Returns a host path under root. Missing trailing components are kept as they are.
 */
export async function resolveInRoot(rootIn: string, p: string, maxLinks = 255): Promise<string> {
  const root = path.resolve(rootIn);
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (parts.length) {
    const comp = parts.shift()!;
    if (comp === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, comp);
    let st;
    try {
      st = await fs.lstat(candidate);
    } catch {
      resolved.push(comp, ...parts.filter((c) => c !== '..'));
      // Missing: the rest cannot contain links; `..` after a missing component is dropped conservatively.
      return path.join(root, ...normalise(resolved));
    }
    if (st.isSymbolicLink()) {
      if (++links > maxLinks) throw Object.assign(new Error(`too many levels of symbolic links: ${p}`), { code: 'ELOOP' });
      const target = await fs.readlink(candidate);
      const targetParts = target.split('/').filter((c) => c !== '' && c !== '.');
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...targetParts);
      continue;
    }
    resolved.push(comp);
  }
  return path.join(root, ...resolved);
}

function normalise(parts: string[]): string[] {
  const out: string[] = [];
  for (const c of parts) if (c === '..') out.pop(); else out.push(c);
  return out;
}

/** mkdir -p of a container path inside root, never leaving root. Returns the host path. */
export async function mkdirInRoot(root: string, p: string, mode = 0o755): Promise<string> {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  let cur = '/';
  for (const comp of parts) {
    cur = path.posix.join(cur, comp);
    const host = await resolveInRoot(root, cur);
    // Everything resolveInRoot found was followed inside root; what is missing are plain names below a
    // real directory, so creating them recursively cannot leave the root.
    await fs.mkdir(host, { mode, recursive: true });
  }
  return resolveInRoot(root, p);
}
