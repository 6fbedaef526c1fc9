/**
 * Volumes: directories berthd owns, that outlive the containers mounting them.
 *
 * Vocabulary
 * - A **volume** has a name (Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, or 64 random hex digits when the
 *   creator gave none), a driver (only `local`), labels and driver options. Its data is the directory
 *   `<data-root>/volumes/<name>/_data` (the **mountpoint**), which containers get bind-mounted.
 * - An **anonymous** volume is one created without a name (`-v /path`, an image's VOLUME, `--mount
 *   type=volume` without a source, `POST /volumes/create` without a Name). It carries the label
 *   `com.docker.volume.anonymous` (as Docker ≥ 23), which is what `volume prune` (without all=true),
 *   `rm -v` and `--rm` go by.
 * - A **reference** is a container that names the volume in its mount points, whatever its state. A
 *   referenced volume cannot be removed (409 "volume is in use"), not even with force, as with Docker.
 * - An **active mount** is a running container that has the volume mounted. Only volumes with the local
 *   driver's `type`/`device`/`o` options need a mount of their own (tmpfs, a bind of another directory,
 *   nfs…): it is made when the first container using the volume starts and undone when the last one stops.
 *
 * Lifecycle: create → (reference, mount/unmount)* → release → remove. References and active mounts live in
 * memory; berthd rebuilds them at start from the container records (ContainerService.recover).
 *
 * On-disk layout (local-store.ts owns it; keep this drawing true):
 * ```
 * <data-root>/volumes/<name>/volume.json   the record (VolumeRecord), written atomically, last
 * <data-root>/volumes/<name>/_data/        the data, bind-mounted into containers
 * ```
 * A `<name>` directory without a readable volume.json is a create that died half-way: it never shows up and
 * is removed at start. Removal deletes volume.json first, so a removal that dies half-way is finished at start.
 */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  /** null when the creator gave none (Docker shows `null`) */
  labels: Record<string, string> | null;
  /** the local driver's options (`type`, `device`, `o`); null when none */
  options: Record<string, string> | null;
  /** RFC 3339, second precision, as Docker shows CreatedAt */
  createdAt: string;
}

/** A volume as callers see it: the record and where its data is on the host. */
export interface Volume extends VolumeRecord {
  mountpoint: string;
}

/** Docker's label on anonymous volumes (moby volume/service: AnonymousLabel). */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export const DEFAULT_DRIVER = 'local';

export function isAnonymous(v: Pick<VolumeRecord, 'labels'>): boolean {
  return !!v.labels && Object.prototype.hasOwnProperty.call(v.labels, ANONYMOUS_LABEL);
}

/** True when the volume needs a mount of its own (the local driver's device options). */
export function needsMount(v: Pick<VolumeRecord, 'options'>): boolean {
  return !!v.options && (v.options.device !== undefined || v.options.type !== undefined);
}
