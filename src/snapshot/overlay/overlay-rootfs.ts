import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalidArgument, internal } from '../../errdefs/index.js';
import { atomicWriteJson, readJsonIfExists } from '../../util/index.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { mountCount } from '../mountinfo.js';
import type { RootfsManager } from '../rootfs-manager.js';
import { mountOverlay, unmount } from '../sys-calls.js';

/** mount(2) copies at most one page of option data, NUL included. */
const MAX_MOUNT_DATA = 4095;

interface LowerFile {
  lowerDirs: string[];
}

function exec(file: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, encoding: 'utf8' }, (err, _stdout, stderr) => {
      if (err) reject(internal(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`, err));
      else resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * RootfsManager over the kernel's overlayfs: lowerdir = the image's unpacked layers (top-most first),
 * upperdir/workdir per container. See rootfs-manager.ts for layout and lifecycle.
 *
 * The kernel happily stacks a second overlay on the same upper/work dirs (HOST-NOTES §1), so every
 * operation runs under a per-container lock and mount() first looks in /proc/self/mountinfo.
 */
export class OverlayRootfsManager implements RootfsManager {
  readonly driver = 'overlay';
  private readonly lock = new KeyedMutex();
  private readonly root: string;

  constructor(dataRoot: string) {
    this.root = path.join(dataRoot, 'rootfs');
  }

  private dir(containerId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId)) throw invalidArgument(`invalid container ID: ${containerId}`);
    return path.join(this.root, containerId);
  }

  private indexSupported?: Promise<boolean>;
  private indexOptionSupported(): Promise<boolean> {
    this.indexSupported ??= fs.access('/sys/module/overlay/parameters/index').then(
      () => true,
      () => false,
    );
    return this.indexSupported;
  }

  upperDir(containerId: string): string {
    return path.join(this.dir(containerId), 'upper');
  }

  create(containerId: string, lowerDirs: string[]): Promise<void> {
    return this.lock.run(containerId, async () => {
      for (const d of lowerDirs) {
        if (!path.isAbsolute(d) || /[,:]/.test(d)) throw invalidArgument(`invalid lower dir: ${d}`);
      }
      const dir = this.dir(containerId);
      for (const sub of ['upper', 'work', 'merged']) await fs.mkdir(path.join(dir, sub), { recursive: true, mode: 0o755 });
      await atomicWriteJson(path.join(dir, 'lower.json'), { lowerDirs } satisfies LowerFile);
    });
  }

  mount(containerId: string): Promise<string> {
    return this.lock.run(containerId, async () => {
      const dir = this.dir(containerId);
      const merged = path.join(dir, 'merged');
      if ((await mountCount(merged)) > 0) return merged;
      const lower = await readJsonIfExists<LowerFile>(path.join(dir, 'lower.json'));
      if (!lower) throw invalidArgument(`rootfs of ${containerId} was not created`);
      let lowerDirs = lower.lowerDirs;
      if (lowerDirs.length === 0) {
        // overlay needs one lower dir: an image without layers gets an empty one
        const empty = path.join(dir, 'empty');
        await fs.mkdir(empty, { recursive: true });
        lowerDirs = [empty];
      }
      const upper = path.join(dir, 'upper');
      const work = path.join(dir, 'work');
      // index=off as Docker passes it: with the inode index on, a re-unpacked layer (new inodes) fails to mount.
      const extra = (await this.indexOptionSupported()) ? ',index=off' : '';
      let data = `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work}${extra}`;
      let cwd: string | undefined;
      if (data.length > MAX_MOUNT_DATA) {
        // Too long for one page: short symlinks l/<n> → layer, and mount run from the container dir.
        const links = path.join(dir, 'l');
        await fs.rm(links, { recursive: true, force: true });
        await fs.mkdir(links);
        await Promise.all(lowerDirs.map((d, i) => fs.symlink(d, path.join(links, String(i)))));
        data = `lowerdir=${lowerDirs.map((_d, i) => `l/${i}`).join(':')},upperdir=upper,workdir=work${extra}`;
        cwd = dir;
        if (data.length > MAX_MOUNT_DATA) throw invalidArgument(`too many layers (${lowerDirs.length}) for an overlay mount`);
      }
      // The syscall where it can (absolute paths); mount(8) run from the container dir for relative ones.
      if (cwd) await exec('mount', ['-t', 'overlay', 'overlay', '-o', data, merged], cwd);
      else mountOverlay(data, merged);
      return merged;
    });
  }

  unmount(containerId: string): Promise<void> {
    return this.lock.run(containerId, () => this.unmountLocked(containerId));
  }

  private async unmountLocked(containerId: string): Promise<void> {
    const merged = path.join(this.dir(containerId), 'merged');
    for (let attempt = 0; (await mountCount(merged)) > 0; attempt++) {
      try {
        // Lazy detach only as a last resort: it hides a mount that something still holds.
        unmount(merged, attempt >= 5);
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(50 * (attempt + 1));
      }
    }
  }

  remove(containerId: string): Promise<void> {
    return this.lock.run(containerId, async () => {
      await this.unmountLocked(containerId);
      const dir = this.dir(containerId);
      if ((await mountCount(path.join(dir, 'merged'))) > 0) throw internal(`rootfs of ${containerId} is still mounted`);
      await fs.rm(dir, { recursive: true, force: true });
    });
  }
}
