import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../../errdefs/index.js';
import { atomicWriteJson, readJsonIfExists, runCommand } from '../../util/index.js';
import { KeyedMutex } from '../keyed-mutex.js';
import type { RootfsManager } from '../rootfs-manager.js';
import { getXattr, OPAQUE_XATTR } from '../sys-calls.js';

interface LowerFile {
  lowerDirs: string[];
}

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch {
    return undefined;
  }
}

/**
 * The copying fallback where overlayfs is unavailable (like Docker's vfs driver): mount() copies the
 * layers bottom-up into `merged` once, applying whiteouts and opaque dirs itself; the copy is the
 * container's writable layer, so upperDir() is `merged` and unmount() does nothing.
 *
 * Copying layer after layer into one tree is where GNU tar is unsafe (HOST-NOTES §5); here each layer is
 * copied with `cp -a --remove-destination` only after every path the layer has as a directory was made a
 * real directory in `merged` (a symlink left by a lower layer is removed first), so nothing is written
 * through a symlink.
 */
export class NativeRootfsManager implements RootfsManager {
  readonly driver = 'native';
  private readonly lock = new KeyedMutex();
  private readonly root: string;

  constructor(dataRoot: string) {
    this.root = path.join(dataRoot, 'rootfs');
  }

  private dir(containerId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId)) throw invalidArgument(`invalid container ID: ${containerId}`);
    return path.join(this.root, containerId);
  }

  upperDir(containerId: string): string {
    return path.join(this.dir(containerId), 'merged');
  }

  create(containerId: string, lowerDirs: string[]): Promise<void> {
    return this.lock.run(containerId, async () => {
      const dir = this.dir(containerId);
      await fs.mkdir(dir, { recursive: true });
      await atomicWriteJson(path.join(dir, 'lower.json'), { lowerDirs } satisfies LowerFile);
    });
  }

  mount(containerId: string): Promise<string> {
    return this.lock.run(containerId, async () => {
      const dir = this.dir(containerId);
      const merged = path.join(dir, 'merged');
      if (await lstatOrUndefined(merged)) return merged;
      const lower = await readJsonIfExists<LowerFile>(path.join(dir, 'lower.json'));
      if (!lower) throw invalidArgument(`rootfs of ${containerId} was not created`);
      // Built aside and renamed, so a crash mid-copy never leaves a partial rootfs that looks ready.
      const tmp = path.join(dir, 'merged.tmp');
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.mkdir(tmp, { mode: 0o755 });
      try {
        for (const layer of [...lower.lowerDirs].reverse()) await applyLayer(layer, tmp);
        await fs.rename(tmp, merged);
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
      return merged;
    });
  }

  async unmount(_containerId: string): Promise<void> {
    // Nothing is mounted: the copy stays until remove().
  }

  remove(containerId: string): Promise<void> {
    return this.lock.run(containerId, async () => {
      await fs.rm(this.dir(containerId), { recursive: true, force: true });
    });
  }
}

/** Copies one layer onto `dest` with overlay semantics. */
async function applyLayer(layer: string, dest: string): Promise<void> {
  const whiteouts: string[] = [];
  await prepare(layer, dest, '', whiteouts);
  await runCommand('cp', ['-a', '--remove-destination', `${layer}/.`, `${dest}/`]);
  for (const rel of whiteouts) await fs.rm(path.join(dest, rel), { recursive: true, force: true });
}

/** Makes `dest` ready for the layer's copy: whiteouts and opaque dirs applied, type clashes removed. */
async function prepare(layer: string, dest: string, rel: string, whiteouts: string[]): Promise<void> {
  for (const entry of await fs.readdir(path.join(layer, rel), { withFileTypes: true })) {
    const r = path.join(rel, entry.name);
    const target = path.join(dest, r);
    const have = await lstatOrUndefined(target);
    if (entry.isCharacterDevice() && (await fs.lstat(path.join(layer, r))).rdev === 0) {
      whiteouts.push(r);
      if (have) await fs.rm(target, { recursive: true, force: true });
    } else if (entry.isDirectory()) {
      const opaque = getXattr(path.join(layer, r), OPAQUE_XATTR)?.toString() === 'y';
      if (have && (opaque || !have.isDirectory())) await fs.rm(target, { recursive: true, force: true });
      await prepare(layer, dest, r, whiteouts);
    } else if (have?.isDirectory()) {
      await fs.rm(target, { recursive: true, force: true });
    }
  }
}
