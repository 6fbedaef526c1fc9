import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../errdefs/index.js';
import { atomicWriteJson, readJsonIfExists, runCommand, type Logger } from '../util/index.js';
import { mountCount } from '../snapshot/mountinfo.js';
import { needsMount, type VolumeRecord } from './volume.js';

const RECORD = 'volume.json';
const DATA = '_data';

/** The local driver's options (moby volume/local: validOpts, mandatoryOpts). `size` needs quotas: refused. */
const VALID_OPTS = new Set(['type', 'device', 'o', 'size']);
const MANDATORY_OPTS: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/** Docker's errors for the local driver's options, unwrapped (the service prefixes "create <name>: "). */
export function validateLocalOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts) return;
  for (const k of Object.keys(opts)) if (!VALID_OPTS.has(k)) throw invalidArgument(`invalid option: "${k}"`);
  for (const [opt, required] of Object.entries(MANDATORY_OPTS)) {
    if (!(opt in opts)) continue;
    for (const r of required) if (!(r in opts)) throw invalidArgument(`missing required option: "${r}"`);
  }
  if ('size' in opts) throw invalidArgument('quota size requested but no quota support');
}

/**
 * The local driver's directories and records (layout drawn in volume.ts). Knows nothing of references;
 * the service serialises calls per volume name.
 */
export class LocalVolumeStore {
  constructor(
    readonly root: string,
    private readonly logger: Logger,
  ) {}

  dir(name: string): string {
    return path.join(this.root, name);
  }

  mountpoint(name: string): string {
    return path.join(this.root, name, DATA);
  }

  /** Every complete volume; half-created and half-removed ones are cleaned up. */
  async load(): Promise<VolumeRecord[]> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    const out: VolumeRecord[] = [];
    for (const name of await fs.readdir(this.root)) {
      const dir = this.dir(name);
      if (name.startsWith('.')) {
        // a removal renamed it aside and died before it was gone
        await this.removeDir(dir).catch((err) => this.logger.warn('cannot remove leftover volume dir', { dir, error: err }));
        continue;
      }
      let rec: VolumeRecord | undefined;
      try {
        rec = await readJsonIfExists<VolumeRecord>(path.join(dir, RECORD));
      } catch (err) {
        this.logger.warn('unreadable volume record, skipping', { name, error: (err as Error).message });
        continue;
      }
      if (!rec) {
        this.logger.info('removing half-created volume', { name });
        await this.removeDir(dir).catch((err) => this.logger.warn('cannot remove half-created volume', { name, error: err }));
        continue;
      }
      out.push(rec);
    }
    return out;
  }

  /** Creates the directories, then the record: until the record is there, the volume does not exist. */
  async create(rec: VolumeRecord): Promise<void> {
    const dir = this.dir(rec.name);
    // a leftover of a create that died half-way under the same name
    if (!(await readJsonIfExists(path.join(dir, RECORD)).catch(() => undefined))) await this.removeDir(dir);
    await fs.mkdir(dir, { mode: 0o701 });
    try {
      await fs.mkdir(path.join(dir, DATA), { mode: 0o755 });
      await atomicWriteJson(path.join(dir, RECORD), rec);
    } catch (err) {
      await this.removeDir(dir).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Removes a volume: its record first (so it is gone even if the rest fails), then its data. A volume
   * with its own mount is unmounted first and never deleted through a mount that is still there.
   */
  async remove(rec: VolumeRecord): Promise<void> {
    const dir = this.dir(rec.name);
    if (needsMount(rec)) await this.unmount(rec);
    await fs.rm(path.join(dir, RECORD), { force: true });
    const aside = path.join(this.root, `.${rec.name}-${randomBytes(4).toString('hex')}`);
    await fs.rename(dir, aside).catch(() => undefined);
    await this.removeDir(aside);
  }

  /** rm -rf that refuses to descend into a mount (a bind-type volume still mounted would take host data). */
  private async removeDir(dir: string): Promise<void> {
    const data = path.join(dir, DATA);
    if ((await mountCount(data)) > 0) {
      await runCommand('umount', [data]).catch(() => undefined);
      if ((await mountCount(data)) > 0) throw new Error(`${data} is still mounted`);
    }
    await fs.rm(dir, { recursive: true, force: true });
  }

  /** Mounts a volume's device on its _data (mount -t type -o o device), unless already mounted. */
  async mount(rec: VolumeRecord): Promise<void> {
    if (!needsMount(rec)) return;
    const data = this.mountpoint(rec.name);
    if ((await mountCount(data)) > 0) return;
    const o = rec.options!;
    const args = ['-t', o.type ?? 'none'];
    if (o.o) args.push('-o', o.o);
    args.push(o.device ?? 'none', data);
    try {
      await runCommand('mount', args);
    } catch (err) {
      throw invalidArgument(`error while mounting volume '${data}': failed to mount local volume: ${(err as Error & { stderr?: string }).stderr?.trim() || (err as Error).message}`);
    }
  }

  async unmount(rec: VolumeRecord): Promise<void> {
    if (!needsMount(rec)) return;
    const data = this.mountpoint(rec.name);
    while ((await mountCount(data)) > 0) await runCommand('umount', [data]);
  }

  async isMounted(rec: VolumeRecord): Promise<boolean> {
    return (await mountCount(this.mountpoint(rec.name))) > 0;
  }

  /** Bytes used by the volume's files (du's apparent sizes of regular files). */
  async size(name: string): Promise<number> {
    let total = 0;
    const walk = async (d: string): Promise<void> => {
      const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) total += (await fs.lstat(p).catch(() => ({ size: 0 }))).size;
      }
    };
    await walk(this.mountpoint(name));
    return total;
  }

  async isEmpty(name: string): Promise<boolean> {
    return (await fs.readdir(this.mountpoint(name))).length === 0;
  }
}
