import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { ABORTED, CLOSED, type HashJob, SEQ, STATE, USED, WSEQ } from './sha256-ring.js';

/**
 * The thread behind sha256Stream(): one job at a time, read from a shared ring the main thread copies
 * into. The worker blocks on the ring while it is empty; one worker per concurrent job.
 */
parentPort!.on('message', (job: HashJob) => {
  const ctrl = new Int32Array(job.ctrl);
  const data = new Uint8Array(job.data);
  const hash = createHash('sha256');
  let tail = 0;
  for (;;) {
    const seq = Atomics.load(ctrl, WSEQ);
    const used = Atomics.load(ctrl, USED);
    if (used > 0) {
      const n = Math.min(used, data.length - tail);
      hash.update(data.subarray(tail, tail + n));
      tail = (tail + n) % data.length;
      Atomics.sub(ctrl, USED, n);
      Atomics.add(ctrl, SEQ, 1);
      Atomics.notify(ctrl, SEQ);
      continue;
    }
    const state = Atomics.load(ctrl, STATE);
    if (state === CLOSED) return parentPort!.postMessage(hash.digest('hex'));
    if (state === ABORTED) return parentPort!.postMessage(null);
    Atomics.wait(ctrl, WSEQ, seq);
  }
});
