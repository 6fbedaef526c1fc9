import type { Logger } from '../../util/index.js';
import { applyProbeResult, initialHealth, nextProbeDelay, probeSettings, type Health, type HealthLogEntry, type ProbeSettings } from './health-state.js';
import type { HealthcheckConfig } from '../../api/types/container.js';

/** What the monitor needs from the container service. */
export interface HealthTarget {
  id: string;
  startedAt: number;
  healthcheck: HealthcheckConfig | undefined;
}

export interface HealthHooks {
  /** runs the probe in the container; resolves with its result (timeouts and start failures included) */
  probe(id: string, args: string[], timeoutMs: number): Promise<HealthLogEntry>;
  /** stores the new health and tells about a status change */
  update(id: string, health: Health, previous: Health): Promise<void>;
}

/**
 * Runs each running container's health probe on its schedule, one probe at a time per container, from
 * start until stop(). A daemon restart calls start() again for re-adopted containers.
 */
export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly hooks: HealthHooks,
    private readonly logger: Logger,
  ) {}

  /** Starts probing; returns the initial health, or undefined when the container has no health check. */
  start(t: HealthTarget, current?: Health): Health | undefined {
    this.stop(t.id);
    const settings = probeSettings(t.healthcheck);
    if (!settings) return undefined;
    const gen = (this.generation.get(t.id) ?? 0) + 1;
    this.generation.set(t.id, gen);
    const health = current ?? initialHealth();
    this.schedule(t, settings, health, gen);
    return health;
  }

  stop(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    this.generation.set(id, (this.generation.get(id) ?? 0) + 1);
  }

  stopAll(): void {
    for (const id of [...this.timers.keys()]) this.stop(id);
  }

  private schedule(t: HealthTarget, settings: ProbeSettings, health: Health, gen: number): void {
    const delay = nextProbeDelay(health, settings, Date.now() - t.startedAt);
    const timer = setTimeout(() => void this.runOnce(t, settings, health, gen), delay);
    timer.unref();
    this.timers.set(t.id, timer);
  }

  private async runOnce(t: HealthTarget, settings: ProbeSettings, health: Health, gen: number): Promise<void> {
    if (this.generation.get(t.id) !== gen) return;
    const started = Date.now();
    let result: HealthLogEntry;
    try {
      result = await this.hooks.probe(t.id, settings.args, settings.timeoutMs);
    } catch (err) {
      result = { Start: new Date(started).toISOString(), End: new Date().toISOString(), ExitCode: -1, Output: (err as Error).message };
    }
    if (this.generation.get(t.id) !== gen) return; // stopped while probing
    const next = applyProbeResult(health, result, settings, started - t.startedAt);
    try {
      await this.hooks.update(t.id, next, health);
    } catch (err) {
      this.logger.warn('health update failed', { id: t.id, error: err });
    }
    if (this.generation.get(t.id) === gen) this.schedule(t, settings, next, gen);
  }
}
