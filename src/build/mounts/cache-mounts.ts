import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
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
    let released = false;
    return {
      dir,
      fresh,
      release: () => {
        if (released) return;
        released = true;
        release();
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
