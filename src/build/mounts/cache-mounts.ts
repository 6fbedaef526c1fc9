import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { dirSize } from '../../util/index.js';
import type { Sharing } from './mount-spec.js';

/**
 * The directories behind `RUN --mount=type=cache`: kept under the data root across builds and daemon
 * restarts, never part of an image. Each cache id has instances: `0` is the one `shared` and `locked`
 * users mount (shared users together, a locked user alone, later users waiting for it), `private` users
 * take the first instance nobody uses, a new one if all are busy.
 *
 * Layout: <data-root>/build/cache/<sha256(id)[:32]>/{id,0,1,…}  (`id` holds the cache id, for people)
 * In-use state is in memory: the daemon's builds are its only users.
 */
export interface CacheMountRequest {
  id: string;
  sharing: Sharing;
  mode: number;
  uid: number;
  gid: number;
}

export interface CachePruneOptions {
  /** only caches last used before this time (ms since the epoch) */
  until?: number;
  /** only these cache ids */
  ids?: string[];
  /** stop once the caches hold no more than this many bytes */
  keepBytes?: number;
}

function touch(dir: string): Promise<void> {
  const now = new Date();
  return fs.utimes(dir, now, now).catch(() => undefined);
}

export interface HeldCache {
  dir: string;
  /** whether the directory was just made (a `from=` seeds it) */
  fresh: boolean;
  release(): void;
}

interface Instance {
  shared: number;
  exclusive: boolean;
  waiters: Array<() => void>;
}

export class CacheMounts {
  private readonly instances = new Map<string, Instance>();
  /** cache dirs an acquire is between its start and marking its instance in use: prune leaves them */
  private readonly acquiring = new Map<string, number>();

  constructor(readonly root: string) {}

  private keyDir(id: string): string {
    return path.join(this.root, createHash('sha256').update(id).digest('hex').slice(0, 32));
  }

  private inst(dir: string): Instance {
    let i = this.instances.get(dir);
    if (!i) this.instances.set(dir, (i = { shared: 0, exclusive: false, waiters: [] }));
    return i;
  }

  async acquire(req: CacheMountRequest): Promise<HeldCache> {
    const base = this.keyDir(req.id);
    this.acquiring.set(base, (this.acquiring.get(base) ?? 0) + 1);
    try {
      return await this.take(base, req);
    } finally {
      const n = (this.acquiring.get(base) ?? 1) - 1;
      if (n > 0) this.acquiring.set(base, n);
      else this.acquiring.delete(base);
    }
  }

  /**
   * `docker builder prune`: removes the cache directories no build is using, least recently used first,
   * and answers the cache ids removed and the bytes they held. `until` keeps what was used since then,
   * `ids` limits the prune to those cache ids, and `keepBytes` (`--keep-storage`) stops once all the cache
   * directories together hold no more than that.
   */
  async prune(opts: CachePruneOptions = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    const all: Array<{ base: string; dir: string; id: string; used: number; size: number }> = [];
    for (const key of await fs.readdir(this.root).catch(() => [] as string[])) {
      const base = path.join(this.root, key);
      const id = (await fs.readFile(path.join(base, 'id'), 'utf8').catch(() => key)).trim();
      const names = (await fs.readdir(base).catch(() => [] as string[])).filter((n) => n !== 'id');
      // an id with no directory (its first build failed before making one) is nothing to keep
      if (!names.length && !this.acquiring.has(base)) await fs.rm(base, { recursive: true, force: true });
      for (const name of names) {
        const dir = path.join(base, name);
        const st = await fs.stat(dir).catch(() => undefined);
        if (!st) continue;
        all.push({ base, dir, id, used: st.mtimeMs, size: await dirSize(dir).catch(() => 0) });
      }
    }
    let total = all.reduce((n, c) => n + c.size, 0);
    const candidates = all
      .filter((c) => !this.acquiring.has(c.base) && !this.busy(c.dir))
      .filter((c) => opts.until === undefined || c.used < opts.until)
      .filter((c) => !opts.ids?.length || opts.ids.includes(c.id))
      .sort((a, b) => a.used - b.used);
    const deleted = new Set<string>();
    let reclaimed = 0;
    for (const c of candidates) {
      if (opts.keepBytes !== undefined && total <= opts.keepBytes) break;
      await fs.rm(c.dir, { recursive: true, force: true });
      this.instances.delete(c.dir);
      total -= c.size;
      reclaimed += c.size;
      deleted.add(c.id);
    }
    // a cache id whose instances are all gone goes too (unless a build is taking it right now)
    for (const base of new Set(candidates.map((c) => c.base))) {
      if (this.acquiring.has(base)) continue;
      const left = (await fs.readdir(base).catch(() => [] as string[])).filter((n) => n !== 'id');
      if (!left.length) await fs.rm(base, { recursive: true, force: true });
    }
    return { deleted: [...deleted], reclaimed };
  }

  private async take(base: string, req: CacheMountRequest): Promise<HeldCache> {
    await fs.mkdir(base, { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(base, 'id'), req.id + '\n');
    let dir: string;
    let release: () => void;
    if (req.sharing === 'private') {
      let n = 0;
      while (this.busy(path.join(base, String(n)))) n++;
      dir = path.join(base, String(n));
      const i = this.inst(dir);
      i.exclusive = true;
      release = () => this.releaseExclusive(dir);
    } else {
      dir = path.join(base, '0');
      const i = this.inst(dir);
      if (req.sharing === 'shared') {
        while (i.exclusive) await new Promise<void>((r) => i.waiters.push(r));
        i.shared++;
        release = () => {
          i.shared--;
          this.wake(dir);
        };
      } else {
        while (i.exclusive || i.shared > 0) await new Promise<void>((r) => i.waiters.push(r));
        i.exclusive = true;
        release = () => this.releaseExclusive(dir);
      }
    }
    let fresh = false;
    try {
      await fs.mkdir(dir, { mode: req.mode });
      await fs.chmod(dir, req.mode);
      await fs.chown(dir, req.uid, req.gid);
      fresh = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        release();
        throw err;
      }
    }
    // the directory's mtime is its last use, which `prune --filter until=` and `--keep-storage` go by
    await touch(dir);
    let released = false;
    return {
      dir,
      fresh,
      release: () => {
        if (released) return;
        released = true;
        release();
        void touch(dir);
      },
    };
  }

  private busy(dir: string): boolean {
    const i = this.instances.get(dir);
    return !!i && (i.exclusive || i.shared > 0);
  }

  private releaseExclusive(dir: string): void {
    this.inst(dir).exclusive = false;
    this.wake(dir);
  }

  private wake(dir: string): void {
    const i = this.inst(dir);
    // the record stays (one per cache directory): a woken waiter holds it
    for (const w of i.waiters.splice(0)) w();
  }
}
