import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mountTmpfs, unmount } from '../snapshot/sys-calls.js';

/**
 * The /dev/shm of an `--ipc shareable` container lives on the host, in its record's directory (dockerd's
 * containers/<id>/mounts/shm), bound into it and into every container that joins its IPC namespace
 * (`--ipc container:<id>`): a tmpfs mounted inside one container's mount namespace cannot be bound into
 * another's. Mounted at its start, unmounted (lazily: joiners keep theirs) at its exit or removal.
 */
export function shareableShmDir(containerDir: string): string {
  return path.join(containerDir, 'shm');
}

/** Mounts a fresh tmpfs of `size` bytes (a leftover of an earlier run goes first); returns its path. */
export async function mountShareableShm(containerDir: string, size: number): Promise<string> {
  const dir = shareableShmDir(containerDir);
  unmountShareableShm(containerDir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  mountTmpfs(dir, `mode=1777,size=${size}`);
  return dir;
}

/** Idempotent: nothing mounted is not an error. */
export function unmountShareableShm(containerDir: string): void {
  try {
    unmount(shareableShmDir(containerDir), true);
  } catch {
    /* not mounted */
  }
}
