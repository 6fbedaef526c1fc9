import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errdefs/index.js';
import { runCommand } from '../util/index.js';
import { NativeRootfsManager } from './native/native-rootfs.js';
import { OverlayRootfsManager } from './overlay/overlay-rootfs.js';
import type { RootfsManager } from './rootfs-manager.js';

export type RootfsDriver = 'overlay' | 'native';

/** A RootfsManager that says which driver it uses (for `docker info`'s "Storage Driver"). */
export interface DrivenRootfsManager extends RootfsManager {
  readonly driver: RootfsDriver;
}

/** Tries a real overlay mount under <dataRoot>/rootfs; true when it mounted and unmounted cleanly. */
export async function overlayWorks(dataRoot: string): Promise<boolean> {
  const probe = path.join(dataRoot, 'rootfs', `.probe-${randomBytes(6).toString('hex')}`);
  const [l, u, w, m] = ['l', 'u', 'w', 'm'].map((d) => path.join(probe, d)) as [string, string, string, string];
  try {
    for (const d of [l, u, w, m]) await fs.mkdir(d, { recursive: true });
    await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${l},upperdir=${u},workdir=${w}`, m]);
    await runCommand('umount', [m]);
    return true;
  } catch {
    return false;
  } finally {
    await fs.rm(probe, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Picks the container rootfs driver: the one asked for, or overlay when a probe mount works, else the
 * copying native fallback. Asking for overlay where it does not work is Unavailable.
 */
export async function createRootfsManager(opts: { dataRoot: string; driver?: RootfsDriver }): Promise<DrivenRootfsManager> {
  if (opts.driver === 'native') return new NativeRootfsManager(opts.dataRoot);
  const works = await overlayWorks(opts.dataRoot);
  if (works) return new OverlayRootfsManager(opts.dataRoot);
  if (opts.driver === 'overlay') throw unavailable('overlay storage driver is not supported on this host');
  return new NativeRootfsManager(opts.dataRoot);
}
