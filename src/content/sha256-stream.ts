import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ABORTED, CLOSED, CTRL_SLOTS, type HashJob, OPEN, SEQ, STATE, USED, WSEQ } from './sha256-ring.js';

/**
 * sha256 of a stream of chunks, computed on a worker thread when the stream is long.
 *
 * A pull hashes every layer twice (the compressed blob against its digest, the tar against its diff ID),
 * and on the daemon's one JavaScript thread that was a fifth of a 100 MB pull. Here the main thread only
 * copies each chunk into a ring of shared memory (a memcpy, ~10× cheaper than hashing it) and a worker
 * hashes from the ring on another core. The first MiB is kept by reference: a stream that ends before
 * it (configs, manifests, small layers) is hashed right here, where a hand-off would cost more than it saves.
 */
export interface Sha256Stream {
  /** Adds bytes. A promise means the worker is behind: wait for it before the next update. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** "sha256:<hex>" of everything added; nothing may be added after. */
  digest(): Promise<string>;
  /** Gives up on the hash (the stream failed); frees the worker. Harmless after digest(). */
  abort(): void;
}

export function sha256Stream(): Sha256Stream {
  return new RingHash();
}

const INLINE = 1 << 20;
const RING = 4 << 20;
const KEEP_IDLE = 4;
/** at most this many hashes run on workers at once; more (many pulls at once) are hashed inline */
const MAX_BUSY = 8;
let busy = 0;

/** Workers hashing now and workers waiting for a job (for tests). */
export function sha256Workers(): { busy: number; idle: number } {
  return { busy, idle: idle.length };
}

interface Slot {
  worker: Worker;
  ctrl: Int32Array;
  data: Uint8Array;
  job: HashJob;
  /** set while a job runs: the worker's answer (hex, or null when aborted) */
  answer?: (hex: string | null) => void;
  fail?: (err: Error) => void;
}

const idle: Slot[] = [];

/** Atomics.waitAsync (Node 16+), not yet in TypeScript's es2022 lib */
type WaitAsync = { waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> } };

function newSlot(): Slot {
  const job: HashJob = { ctrl: new SharedArrayBuffer(CTRL_SLOTS * 4), data: new SharedArrayBuffer(RING) };
  const worker = new Worker(new URL('./sha256-worker.js', import.meta.url));
  const slot: Slot = { worker, ctrl: new Int32Array(job.ctrl), data: new Uint8Array(job.data), job };
  worker.on('message', (hex: string | null) => slot.answer?.(hex));
  const broken = (err: Error) => {
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    const fail = slot.fail;
    if (!fail) return;
    // the job dies with the worker, which is not reused
    busy--;
    slot.answer = undefined;
    slot.fail = undefined;
    fail(err);
  };
  worker.on('error', broken);
  worker.on('exit', (code) => broken(new Error(`sha256 worker exited with code ${code}`)));
  return slot;
}

function acquire(): Slot | undefined {
  if (busy >= MAX_BUSY) return undefined;
  busy++;
  const slot = idle.pop() ?? newSlot();
  slot.ctrl.fill(0);
  Atomics.store(slot.ctrl, STATE, OPEN);
  slot.worker.ref();
  slot.worker.postMessage(slot.job);
  return slot;
}

function release(slot: Slot): void {
  busy--;
  slot.answer = undefined;
  slot.fail = undefined;
  slot.worker.unref();
  if (idle.length < KEEP_IDLE) idle.push(slot);
  else void slot.worker.terminate();
}

class RingHash implements Sha256Stream {
  private kept: Uint8Array[] = [];
  private keptBytes = 0;
  /** hashing here: the stream is short so far, or every worker was busy */
  private inline?: Hash;
  private slot?: Slot;
  private head = 0;
  private answer?: Promise<string | null>;
  private failure?: Promise<never>;
  private finished = false;
  private aborted = false;
  private wakeAborted?: () => void;

  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.finished) throw new Error('sha256 stream: update after digest or abort');
    if (this.inline) {
      this.inline.update(chunk);
      return undefined;
    }
    if (!this.slot) {
      if (this.keptBytes + chunk.length <= INLINE) {
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
        return undefined;
      }
      const kept = this.kept;
      this.kept = [];
      if (!this.start()) {
        this.inline = createHash('sha256');
        for (const c of kept) this.inline.update(c);
        this.inline.update(chunk);
        return undefined;
      }
      return this.feed([...kept, chunk]);
    }
    return this.feed([chunk]);
  }

  async digest(): Promise<string> {
    if (this.finished) throw new Error('sha256 stream: digest twice or after abort');
    this.finished = true;
    if (!this.slot) {
      const hash = this.inline ?? createHash('sha256');
      for (const c of this.kept) hash.update(c);
      this.kept = [];
      return 'sha256:' + hash.digest('hex');
    }
    this.signal(CLOSED);
    const hex = await this.answer!;
    return 'sha256:' + hex!;
  }

  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.aborted = true;
    this.kept = [];
    if (this.slot) this.signal(ABORTED);
    // an update waiting for room ends now: the slot goes back to the pool and may carry another stream
    this.wakeAborted?.();
  }

  /** Hands the stream to a worker; false when all are busy. */
  private start(): boolean {
    const slot = acquire();
    if (!slot) return false;
    this.slot = slot;
    this.answer = new Promise<string | null>((resolve, reject) => {
      slot.answer = (hex) => {
        release(slot);
        resolve(hex);
      };
      slot.fail = reject;
    });
    // an abort's answer (null) or a broken worker must not surface as an unhandled rejection
    this.answer.catch(() => undefined);
    this.failure = this.answer.then(() => new Promise<never>(() => undefined));
    this.failure.catch(() => undefined);
    return true;
  }

  private signal(state: number): void {
    const ctrl = this.slot!.ctrl;
    Atomics.store(ctrl, STATE, state);
    Atomics.add(ctrl, WSEQ, 1);
    Atomics.notify(ctrl, WSEQ);
  }

  /** Copies the chunks into the ring; when it is full, waits for the worker to make room and goes on. */
  private feed(chunks: Uint8Array[]): Promise<void> | undefined {
    if (this.aborted) return undefined;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      const n = this.copyIn(c);
      if (n < c.length) {
        const rest = [c.subarray(n), ...chunks.slice(i + 1)];
        return this.room().then(() => this.feed(rest));
      }
    }
    return undefined;
  }

  private copyIn(c: Uint8Array): number {
    const { ctrl, data } = this.slot!;
    const n = Math.min(RING - Atomics.load(ctrl, USED), c.length);
    if (n === 0) return 0;
    const first = Math.min(n, RING - this.head);
    data.set(c.subarray(0, first), this.head);
    if (first < n) data.set(c.subarray(first, n), 0);
    this.head = (this.head + n) % RING;
    Atomics.add(ctrl, USED, n);
    Atomics.add(ctrl, WSEQ, 1);
    Atomics.notify(ctrl, WSEQ);
    return n;
  }

  /** Resolves once the worker has read something (or at once if the ring has room already). */
  private room(): Promise<void> {
    const ctrl = this.slot!.ctrl;
    const seen = Atomics.load(ctrl, SEQ);
    if (Atomics.load(ctrl, USED) < RING) return Promise.resolve();
    const wait = (Atomics as unknown as WaitAsync).waitAsync(ctrl, SEQ, seen);
    if (!wait.async) return Promise.resolve();
    return Promise.race([wait.value.then(() => undefined), this.failure!, new Promise<void>((resolve) => (this.wakeAborted = resolve))]);
  }
}
