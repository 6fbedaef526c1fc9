import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson, readJsonIfExists, type Logger } from '../util/index.js';
import { conflict, notFound } from '../errdefs/index.js';
import type { ContainerRecord } from './container-record.js';

/**
 * Container records on disk and in memory, with the name index.
 * Layout: <data-root>/containers/<id>/container.json (+ hosts, hostname, resolv.conf, ctr.log beside it, and
 * shm/, the tmpfs mountpoint of an --ipc shareable container's /dev/shm while it runs).
 * A directory without a readable container.json is a create that died half-way; load() removes it.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();

  constructor(
    readonly root: string,
    private readonly logger: Logger,
  ) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  async load(): Promise<ContainerRecord[]> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o710 });
    for (const id of await fs.readdir(this.root)) {
      if (!/^[a-f0-9]{64}$/.test(id)) continue;
      let rec: ContainerRecord | undefined;
      try {
        rec = await readJsonIfExists<ContainerRecord>(path.join(this.dir(id), 'container.json'));
      } catch (err) {
        this.logger.warn('unreadable container record, skipping', { id, error: (err as Error).message });
        continue;
      }
      if (!rec) {
        this.logger.info('removing half-created container', { id });
        await fs.rm(this.dir(id), { recursive: true, force: true });
        continue;
      }
      this.byId.set(rec.id, rec);
      this.byName.set(rec.name, rec.id);
    }
    return [...this.byId.values()];
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** Reserves a name; Conflict with Docker's message when it is taken. */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== id) {
      throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  hasName(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Docker's lookup order: full ID, exact name (with or without the slash), then a unique ID prefix.
   * NotFound `No such container: <input>`.
   */
  find(idOrName: string): ContainerRecord {
    const byId = this.byId.get(idOrName);
    if (byId) return byId;
    const name = idOrName.startsWith('/') ? idOrName : `/${idOrName}`;
    const named = this.byName.get(name);
    if (named && this.byId.has(named)) return this.byId.get(named)!;
    if (/^[a-f0-9]+$/.test(idOrName)) {
      const matches = [...this.byId.keys()].filter((id) => id.startsWith(idOrName));
      if (matches.length === 1) return this.byId.get(matches[0]!)!;
      if (matches.length > 1) throw notFound(`No such container: ${idOrName}`);
    }
    throw notFound(`No such container: ${idOrName}`);
  }

  async save(rec: ContainerRecord): Promise<void> {
    await fs.mkdir(this.dir(rec.id), { recursive: true, mode: 0o710 });
    await atomicWriteJson(path.join(this.dir(rec.id), 'container.json'), rec);
    this.byId.set(rec.id, rec);
  }

  async delete(rec: ContainerRecord): Promise<void> {
    // The record goes first, so a crash mid-way leaves a directory load() cleans up, never a half container.
    await fs.rm(path.join(this.dir(rec.id), 'container.json'), { force: true });
    this.byId.delete(rec.id);
    this.releaseName(rec.name, rec.id);
    await fs.rm(this.dir(rec.id), { recursive: true, force: true });
  }
}
