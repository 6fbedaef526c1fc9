import type { HealthcheckConfig } from '../../api/types/container.js';

/**
 * Docker's health state (State.Health) and how one probe result changes it (moby daemon/health.go):
 * exit 0 → healthy, streak 0; a failure counts towards the streak unless the container is still
 * `starting` and inside its start period; `retries` failures in a row → unhealthy. The log keeps the
 * last 5 results.
 */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface Health {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;
const NS = 1e6; // ns per ms

/** Docker's defaults, in milliseconds. */
export interface ProbeSettings {
  /** the command as the runtime runs it */
  args: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

/** The probe settings of a config, or undefined when there is none (no Test, or Test ["NONE"]). */
export function probeSettings(hc: HealthcheckConfig | undefined): ProbeSettings | undefined {
  const test = hc?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  let args: string[];
  if (test[0] === 'CMD') args = test.slice(1);
  else if (test[0] === 'CMD-SHELL') args = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else return undefined; // [] or "inherit" mean the image's, merged before we get here
  if (args.length === 0) return undefined;
  const ms = (ns: number | undefined, def: number) => (ns && ns > 0 ? ns / NS : def);
  return {
    args,
    intervalMs: ms(hc!.Interval, 30_000),
    timeoutMs: ms(hc!.Timeout, 30_000),
    startPeriodMs: ms(hc!.StartPeriod, 0),
    startIntervalMs: ms(hc!.StartInterval, 5_000),
    retries: hc!.Retries && hc!.Retries > 0 ? hc!.Retries : 3,
  };
}

export function initialHealth(): Health {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

/** The new health after one probe; `sinceStartMs` is how long after the container start the probe began. */
export function applyProbeResult(h: Health, result: HealthLogEntry, settings: ProbeSettings, sinceStartMs: number): Health {
  const log = [...h.Log, { ...result, Output: truncateOutput(result.Output) }].slice(-MAX_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const inStartPeriod = h.Status === 'starting' && sinceStartMs < settings.startPeriodMs;
  if (inStartPeriod) return { ...h, Log: log };
  const streak = h.FailingStreak + 1;
  return { Status: streak >= settings.retries ? 'unhealthy' : h.Status, FailingStreak: streak, Log: log };
}

function truncateOutput(s: string): string {
  const b = Buffer.from(s);
  return b.length <= MAX_OUTPUT_BYTES ? s : b.subarray(0, MAX_OUTPUT_BYTES).toString();
}

/** The delay before the next probe: the start interval while starting inside the start period. */
export function nextProbeDelay(h: Health, settings: ProbeSettings, sinceStartMs: number): number {
  return h.Status === 'starting' && sinceStartMs < settings.startPeriodMs ? settings.startIntervalMs : settings.intervalMs;
}
