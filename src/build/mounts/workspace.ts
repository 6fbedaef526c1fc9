import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mountPoints } from '../../snapshot/mountinfo.js';
import { mountOverlay, unmount } from '../../snapshot/sys-calls.js';
import type { Logger } from '../../util/index.js';
import type { BuildContext } from '../context.js';

/**
 * One build's scratch space on the host, for what `RUN --mount=type=bind` mounts into a step: the build
 * context written out once (the context is otherwise only in memory), and overlay mounts of a stage's or
 * an image's layers (read-only: the layers alone; `rw`: with an upper dir that is thrown away after the
 * step). Nothing here outlives the build; a daemon that died mid-build leaves it to `sweep` at the next
 * first build.
 *
 * Layout: <data-root>/build/tmp/<random>/{context/, empty/, m<n>/{merged,upper,work}}
 * Everything mounted is unmounted (detached) before a directory is removed, so a removal can never reach
 * into a layer.
 */
export class BuildWorkspace {
  private dir?: string;
  private contextDir?: Promise<string>;
  private n = 0;
  private readonly mounted = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  private async base(): Promise<string> {
    if (!this.dir) {
      this.dir = path.join(this.root, randomBytes(8).toString('hex'));
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    }
    return this.dir;
  }

  /** The build context as a directory (written on first use). */
  context(ctx: BuildContext): Promise<string> {
    this.contextDir ??= (async () => {
      const dir = path.join(await this.base(), 'context');
      await writeContext(ctx, dir);
      return dir;
    })();
    return this.contextDir;
  }

  /**
   * An overlay of `lowerDirs` (top-most first) at a fresh mountpoint; with `writable`, an upper dir takes
   * the writes (and goes with unmountStep). Returns the mountpoint.
   */
  async overlay(lowerDirs: string[], writable: boolean): Promise<string> {
    const dir = path.join(await this.base(), `m${this.n++}`);
    const merged = path.join(dir, 'merged');
    await fs.mkdir(merged, { recursive: true });
    const lowers = [...lowerDirs];
    if (!writable && lowers.length < 2) {
      // overlayfs wants two lower dirs when it has no upper: an empty one fills in
      const empty = path.join(dir, 'empty');
      await fs.mkdir(empty);
      lowers.push(empty);
      if (lowers.length < 2) lowers.push(empty);
    }
    let data = `lowerdir=${lowers.join(':')}`;
    if (writable) {
      if (lowers.length === 0) {
        const empty = path.join(dir, 'empty');
        await fs.mkdir(empty);
        lowers.push(empty);
        data = `lowerdir=${empty}`;
      }
      await fs.mkdir(path.join(dir, 'upper'));
      await fs.mkdir(path.join(dir, 'work'));
      data += `,upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`;
    }
    mountOverlay(data, merged);
    this.mounted.add(merged);
    return merged;
  }

  /** Unmounts and removes what overlay() made for one step. */
  async release(mountpoint: string): Promise<void> {
    if (this.mounted.has(mountpoint)) {
      try {
        unmount(mountpoint, true);
      } catch (err) {
        this.logger.warn('build mount: unmount failed', { mountpoint, error: err });
        return; // never remove a tree that may still be mounted
      }
      this.mounted.delete(mountpoint);
    }
    await fs.rm(path.dirname(mountpoint), { recursive: true, force: true });
  }

  /** The end of the build: every mount detached, the directory removed. */
  async dispose(): Promise<void> {
    for (const m of [...this.mounted]) await this.release(m);
    if (this.dir) await removeUnmounted(this.dir, this.logger);
  }
}

/** Removes `dir` after detaching any mount still below it (a build cut short by a daemon crash). */
export async function removeUnmounted(dir: string, logger: Logger): Promise<void> {
  const below = (await mountPoints()).filter((m) => m === dir || m.startsWith(dir + '/')).sort().reverse();
  for (const m of below) {
    try {
      unmount(m, true);
    } catch (err) {
      logger.warn('build workspace: unmount failed, leaving it', { mountpoint: m, error: err });
      return;
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
}

/** Leftovers of builds a dead daemon did not finish. */
export async function sweepWorkspaces(root: string, logger: Logger): Promise<void> {
  for (const name of await fs.readdir(root).catch(() => [] as string[])) await removeUnmounted(path.join(root, name), logger);
}

/**
 * Writes the in-memory context out. No context entry lies below a symlink (context.ts refuses such
 * tars), and the directory is fresh, so every path written here is one the daemon itself made.
 */
async function writeContext(ctx: BuildContext, dir: string): Promise<void> {
  await fs.mkdir(dir, { mode: 0o755 });
  const dirs: Array<[string, number, Date]> = [];
  for (const name of ctx.walk('')) {
    const e = ctx.get(name)!;
    const p = path.join(dir, name);
    if (e.type === 'dir') {
      await fs.mkdir(p, { mode: 0o700 });
      dirs.push([p, e.mode, e.mtime]);
    } else if (e.type === 'file') {
      await fs.writeFile(p, e.data ?? Buffer.alloc(0), { mode: e.mode, flag: 'wx' });
      await fs.chmod(p, e.mode);
      await fs.utimes(p, e.mtime, e.mtime);
    } else await fs.symlink(e.linkname ?? '', p);
    await fs.lchown(p, e.uid, e.gid);
  }
  for (const [p, mode, mtime] of dirs.reverse()) {
    await fs.chmod(p, mode);
    await fs.utimes(p, mtime, mtime);
  }
}
