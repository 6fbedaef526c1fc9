import type { RestartPolicy } from '../api/types/container.js';

/**
 * Docker's restart policies (`--restart no | on-failure[:N] | always | unless-stopped`) as pure decisions,
 * and the back-off between restarts: 100 ms, doubling on each restart up to 1 minute, back to 100 ms once
 * a run lasted 10 s or more (moby's restartmanager).
 */
export const INITIAL_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
const RESET_AFTER_MS = 10_000;

export interface ExitFacts {
  exitCode: number;
  /** stopped or killed by the user (docker stop/kill), not an exit of its own */
  manuallyStopped: boolean;
  /** restarts so far */
  restartCount: number;
}

/** Whether the container is restarted after an exit while berthd runs. */
export function shouldRestart(policy: RestartPolicy | undefined, facts: ExitFacts): boolean {
  if (facts.manuallyStopped) return false;
  switch (policy?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      if (facts.exitCode === 0) return false;
      const max = policy.MaximumRetryCount ?? 0;
      return max <= 0 || facts.restartCount < max;
    }
    default:
      return false;
  }
}

/** Whether the container is started when berthd starts (Docker: always; unless-stopped unless the user stopped it). */
export function startsWithDaemon(policy: RestartPolicy | undefined, manuallyStopped: boolean): boolean {
  if (policy?.Name === 'always') return true;
  return policy?.Name === 'unless-stopped' && !manuallyStopped;
}

/** The delay before the next restart, given the previous delay and how long the last run lasted. */
export function nextDelay(previousMs: number | undefined, ranForMs: number): number {
  if (previousMs === undefined || ranForMs >= RESET_AFTER_MS) return INITIAL_DELAY_MS;
  return Math.min(previousMs * 2, MAX_DELAY_MS);
}

/** Parses `--restart` values as the API receives them, with Docker's errors. */
export function validatePolicy(policy: RestartPolicy | undefined): string | undefined {
  if (!policy?.Name) return undefined;
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(policy.Name)) return `invalid restart policy: unknown policy '${policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  const n = policy.MaximumRetryCount ?? 0;
  if (n < 0) return 'invalid restart policy: maximum retry count must be a positive integer';
  if (n > 0 && policy.Name !== 'on-failure') return `invalid restart policy: maximum retry count can only be used with 'on-failure'`;
  return undefined;
}
