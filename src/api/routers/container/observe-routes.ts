import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { ContainerService } from '../../../container/index.js';
import type { ObserveService, StatsSample } from '../../../observe/index.js';
import type { HostConfig } from '../../types/container.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { statsJson } from './stats-wire.js';

/** stats, top, pause, unpause, update: thin handlers over the ObserveService. */
export interface ObserveBackend {
  containers: ContainerService;
  observe: ObserveService;
  /** time between streamed samples; Docker's collector ticks every second */
  statsIntervalMs?: number;
}

export function observeRoutes(r: Router, b: ObserveBackend): void {
  const { containers, observe } = b;
  const interval = b.statsIntervalMs ?? 1000;

  r.get('/containers/{id}/stats', async (ctx) => {
    const sampler = observe.sampler(ctx.params.id!);
    const rec = () => containers.get(ctx.params.id!);
    const stream = ctx.bool('stream', true);
    const oneShot = ctx.bool('one-shot');
    // Docker: one-shot only goes with stream=false
    if (oneShot && stream) throw invalidArgument('cannot have stream=true and one-shot=true');
    if (!stream) {
      const first = await sampler.sample();
      // Docker answers a stopped container's one sample at once, with only name and id set
      if (oneShot || !first.metrics) return new Reply(200, statsJson(rec(), first, undefined, observe.memTotal));
      // otherwise it waits for a second sample, so that precpu_stats is filled
      await sleep(interval);
      return new Reply(200, statsJson(rec(), await sampler.sample(), first, observe.memTotal));
    }
    const res = ctx.stream('application/json');
    let closed = false;
    res.once('close', () => (closed = true));
    let prev: StatsSample | undefined;
    while (!closed && !res.destroyed) {
      const cur = await sampler.sample();
      let current;
      try {
        current = rec();
      } catch {
        break; // removed
      }
      res.write(JSON.stringify(statsJson(current, cur, prev, observe.memTotal)) + '\n');
      prev = cur;
      await sleep(interval);
    }
    res.end();
  });

  r.get('/containers/{id}/top', async (ctx) => observe.top(ctx.params.id!, ctx.str('ps_args') || undefined));

  r.post('/containers/{id}/pause', async (ctx) => {
    await observe.pause(ctx.params.id!);
    return new Reply(204);
  });

  r.post('/containers/{id}/unpause', async (ctx) => {
    await observe.unpause(ctx.params.id!);
    return new Reply(204);
  });

  r.post('/containers/{id}/update', async (ctx) => {
    const body = await ctx.json<HostConfig>();
    return observe.update(ctx.params.id!, body ?? {});
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
