/**
 * A container's root filesystem: the image's unpacked layers (read-only lower dirs) with a writable upper
 * dir on top, joined by overlayfs at a mountpoint; or, where overlay is missing, a copy of the layers.
 *
 * Layout: <data-root>/rootfs/<container-id>/{upper,work,merged,lower.json}
 * Lifecycle: create (dirs + lower.json, no mount) → mount (idempotent: an existing mount is reused, never
 * stacked twice on the same upper/work) → unmount (idempotent) → remove (unmounts first).
 * Mounts are per container, serialised by a per-container lock in this module.
 */
export interface RootfsManager {
  create(containerId: string, lowerDirs: string[]): Promise<void>;
  /** Mounts and returns the mountpoint path. */
  mount(containerId: string): Promise<string>;
  unmount(containerId: string): Promise<void>;
  remove(containerId: string): Promise<void>;
  /** Directory holding the writable layer (for diff/commit/size later). */
  upperDir(containerId: string): string;
}
