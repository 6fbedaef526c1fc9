import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { getXattr, OPAQUE_XATTR } from '../../snapshot/sys-calls.js';

/** Docker's change kinds: `docker diff` prints C, A, D. */
export enum ChangeKind {
  Modified = 0,
  Added = 1,
  Deleted = 2,
}

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

/**
 * Files the runtime creates in the rootfs as mountpoints (runc makes them in the upper dir when the image
 * lacks them). Docker keeps these in a separate "-init" layer, so they never show in diff or commit;
 * berth has no init layer, so they are left out here when they are such empty placeholders.
 */
export const MOUNTPOINT_PATHS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/proc', '/sys', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/.dockerenv', '/etc/mtab']);

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

/** Whether a container path exists in the image's layers (top-most first), honouring their whiteouts. */
async function inLower(lowerDirs: string[], p: string): Promise<Stats | undefined> {
  for (const layer of lowerDirs) {
    const st = await fs.lstat(path.join(layer, p)).catch(() => undefined);
    if (st) return isWhiteout(st) ? undefined : st;
    // an opaque directory on the way hides everything below it in lower layers
    if (await opaqueAbove(layer, p)) return undefined;
  }
  return undefined;
}

async function opaqueAbove(layer: string, p: string): Promise<boolean> {
  const parts = p.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 1; i--) {
    const dir = path.join(layer, ...parts.slice(0, i));
    const st = await fs.lstat(dir).catch(() => undefined);
    if (!st) continue;
    return st.isDirectory() && getXattr(dir, OPAQUE_XATTR)?.toString() === 'y';
  }
  return false;
}

/**
 * Whether `rel` (a path in the upper dir, "etc/hosts") is only a placeholder the runtime made for a mount:
 * commit leaves these out of the layer, as Docker's init layer keeps them out of its images. `extra`: more
 * such paths (a build step's mount targets and their parents, which BuildKit leaves out too).
 */
export async function isRuntimePlaceholder(upper: string, lowerDirs: string[], rel: string, st: Stats, extra?: ReadonlySet<string>): Promise<boolean> {
  const p = '/' + rel;
  const known = (x: string) => MOUNTPOINT_PATHS.has(x) || !!extra?.has(x);
  if (!known(p)) return false;
  return isPlaceholder(path.join(upper, rel), p, st, await inLower(lowerDirs, p), known);
}

/** Whether an upper-dir object is only a runtime mountpoint placeholder (empty file or empty dir tree). */
async function isPlaceholder(abs: string, p: string, st: Stats, lower: Stats | undefined, known: (p: string) => boolean): Promise<boolean> {
  if (!known(p) || lower) return false;
  if (st.isFile()) return st.size === 0;
  if (!st.isDirectory()) return false;
  for (const child of await fs.readdir(abs)) {
    const cst = await fs.lstat(path.join(abs, child));
    if (!(await isPlaceholder(path.join(abs, child), path.posix.join(p, child), cst, undefined, known))) return false;
  }
  return true;
}

/**
 * A container's changes from its overlay upper dir against the image's layers: a whiteout (char 0:0) is
 * Deleted; an object absent from the layers is Added (its contents too); one present is Modified. A
 * directory present in the layers is reported only when something below it changed or its own mode or
 * owner did: overlay copies a directory up whenever anything inside changes, and its mtime then differs
 * anyway. An opaque directory (trusted.overlay.opaque=y, from `rm -r d; mkdir d`) is Modified and what it
 * hides from the layers is Deleted. Placeholders the runtime made for its mounts are left out. Sorted by path, as `docker diff` lists them.
 * Reads the upper dir directly: it is the daemon's own directory, not reachable by the container as a path.
 */
export async function containerChanges(upper: string, lowerDirs: string[]): Promise<Change[]> {
  const out: Change[] = [];
  await walk(upper, '/', lowerDirs, out);
  return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}

/** Returns whether anything at or below `dir` was reported. */
async function walk(upper: string, dir: string, lowerDirs: string[], out: Change[]): Promise<boolean> {
  let any = false;
  for (const name of (await fs.readdir(path.join(upper, dir))).sort()) {
    const p = path.posix.join(dir, name);
    const abs = path.join(upper, p);
    const st = await fs.lstat(abs).catch(() => undefined);
    if (!st) continue;
    if (isWhiteout(st)) {
      out.push({ Path: p, Kind: ChangeKind.Deleted });
      any = true;
      continue;
    }
    const lower = await inLower(lowerDirs, p);
    if (await isPlaceholder(abs, p, st, lower, (x) => MOUNTPOINT_PATHS.has(x))) continue;
    if (!lower || !(st.isDirectory() && lower.isDirectory())) {
      out.push({ Path: p, Kind: lower ? ChangeKind.Modified : ChangeKind.Added });
      any = true;
      if (st.isDirectory()) await walk(upper, p, lower ? lowerDirs : [], out);
      continue;
    }
    // a directory on both sides
    const at = out.length;
    let changed = st.mode !== lower.mode || st.uid !== lower.uid || st.gid !== lower.gid;
    if (getXattr(abs, OPAQUE_XATTR)?.toString() === 'y') {
      changed = true;
      const kept = new Set(await fs.readdir(abs));
      for (const hidden of await lowerChildren(lowerDirs, p)) {
        if (!kept.has(hidden)) out.push({ Path: path.posix.join(p, hidden), Kind: ChangeKind.Deleted });
      }
      // what is below was made anew, but a path the image had is reported Modified, as Docker does
      await walk(upper, p, lowerDirs, out);
    } else if (await walk(upper, p, lowerDirs, out)) changed = true;
    if (changed) {
      out.splice(at, 0, { Path: p, Kind: ChangeKind.Modified });
      any = true;
    }
  }
  return any;
}

async function lowerChildren(lowerDirs: string[], p: string): Promise<string[]> {
  const names = new Set<string>();
  for (const layer of lowerDirs) {
    for (const n of await fs.readdir(path.join(layer, p)).catch(() => [] as string[])) {
      const st = await fs.lstat(path.join(layer, p, n)).catch(() => undefined);
      if (st && !isWhiteout(st) && (await inLower(lowerDirs, path.posix.join(p, n)))) names.add(n);
    }
  }
  return [...names];
}
