import type { HostConfig } from '../api/types/container.js';
import type { HostResources } from '../cgroups/index.js';
import { parseCpuList } from '../cgroups/index.js';
import { conflict, invalidArgument } from '../errdefs/index.js';
import { buildRlimits, linuxResources, readHostLimits, type HostLimits, type SpecInput } from '../runtime/index.js';

/**
 * A container's resource limits, as Docker checks, stores and applies them (moby daemon_unix.go
 * verifyPlatformContainerResources and adaptContainerSettings, container_unix.go UpdateContainer,
 * update_linux.go toContainerdResources):
 *   create  → verifyResources (errors in Docker's words, warnings) → adaptResources (Docker's defaults stored)
 *   start   → specResources (the spec's linux.resources)
 *   update  → verifyResources(update) → mergeUpdate (Docker's conflict rules) → updateResources (runc update body)
 */

/** Docker's floor for memory limits and reservations (linuxMinMemory). */
export const MIN_MEMORY = 6 * 1024 * 1024;
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** The resource fields of HostConfig that `POST /containers/{id}/update` takes (with RestartPolicy). */
export const UPDATABLE = ['Memory', 'MemorySwap', 'MemoryReservation', 'CpuShares', 'NanoCpus', 'CpuQuota', 'CpuPeriod', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight'] as const;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Checks the limits against Docker's rules and what the host has. Returns Docker's warnings; a limit the
 * host cannot give at all (Block I/O weight here) is dropped from hc with a warning, as Docker does.
 */
export function verifyResources(hc: HostConfig, host: HostResources, opts: { update?: boolean; hostLimits?: HostLimits } = {}): string[] {
  const warnings: string[] = [];
  const memory = num(hc.Memory);
  const swap = num(hc.MemorySwap);
  const reservation = num(hc.MemoryReservation);
  if (memory !== 0 && memory < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap !== -1 && !host.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    hc.MemorySwap = -1;
  }
  if (memory > 0 && swap > 0 && swap < memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0 && !opts.update) throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = hc.MemorySwappiness;
  if (typeof swappiness === 'number' && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw invalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation > 0 && reservation < MIN_MEMORY) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (hc.OomKillDisable === true && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  const nano = num(hc.NanoCpus);
  if (nano > 0 && num(hc.CpuPeriod) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && num(hc.CpuQuota) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > host.numCpu * 1e9) {
    throw invalidArgument(`Range of CPUs is from 0.01 to ${host.numCpu}.00, as there are only ${host.numCpu} CPUs available`);
  }
  const period = num(hc.CpuPeriod);
  if (period !== 0 && (period < 1000 || period > 1000000)) throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  const quota = num(hc.CpuQuota);
  if (quota > 0 && quota < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  checkCpuset('CPUs', 'cpus', typeof hc.CpusetCpus === 'string' ? hc.CpusetCpus : '', host.cpus);
  checkCpuset('memory nodes', 'mems', typeof hc.CpusetMems === 'string' ? hc.CpusetMems : '', host.mems);
  const weight = num(hc.BlkioWeight);
  if (weight > 0 && !host.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    hc.BlkioWeight = 0;
  } else if (weight > 0 && (weight < 10 || weight > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
  if (!opts.update && hc.Ulimits?.length) buildRlimits(hc.Ulimits, opts.hostLimits ?? readHostLimits());
  if (!opts.update && typeof hc.ShmSize === 'number' && hc.ShmSize < 0) throw invalidArgument('SHM size can not be less than 0');
  return warnings;
}

function checkCpuset(what: string, field: 'cpus' | 'mems', requested: string, available: string): void {
  if (!requested) return;
  const want = parseCpuList(requested);
  if (!want) throw invalidArgument(`Invalid value ${requested} for cpuset ${field}: invalid format: ${requested}`);
  const have = parseCpuList(available) ?? new Set<number>();
  if ([...want].some((c) => !have.has(c))) {
    throw invalidArgument(`Requested ${what} are not available - requested ${requested}, available: ${available}`);
  }
}

/** Docker's defaults, stored at create so that inspect shows them: swap 2 × memory, 64 MB /dev/shm, OomKillDisable false. */
export function adaptResources(hc: HostConfig): void {
  if (num(hc.Memory) > 0 && num(hc.MemorySwap) === 0) hc.MemorySwap = num(hc.Memory) * 2;
  if (!num(hc.ShmSize)) hc.ShmSize = DEFAULT_SHM_SIZE;
  if (hc.OomKillDisable === undefined || hc.OomKillDisable === null) hc.OomKillDisable = false;
  if (hc.MemorySwappiness === -1) hc.MemorySwappiness = null;
  if (typeof hc.PidsLimit === 'number' && hc.PidsLimit <= 0) hc.PidsLimit = null;
}

/** The limits the runtime spec gets at start. */
export function specResources(hc: HostConfig): NonNullable<SpecInput['resources']> {
  const nano = num(hc.NanoCpus);
  const swappiness = hc.MemorySwappiness;
  return {
    memory: num(hc.Memory) || undefined,
    memorySwap: num(hc.MemorySwap) || undefined,
    memoryReservation: num(hc.MemoryReservation) || undefined,
    memorySwappiness: typeof swappiness === 'number' && swappiness >= 0 ? swappiness : undefined,
    disableOOMKiller: hc.OomKillDisable === true || undefined,
    cpuShares: num(hc.CpuShares) || undefined,
    cpuQuota: nano ? Math.round(nano / 1e4) : num(hc.CpuQuota) || undefined,
    cpuPeriod: nano ? 100000 : num(hc.CpuPeriod) || undefined,
    cpusetCpus: (hc.CpusetCpus as string | undefined) || undefined,
    cpusetMems: (hc.CpusetMems as string | undefined) || undefined,
    pidsLimit: typeof hc.PidsLimit === 'number' && hc.PidsLimit > 0 ? hc.PidsLimit : undefined,
    blkioWeight: num(hc.BlkioWeight) || undefined,
  };
}

/**
 * Docker's UpdateContainer: the changes applied onto the stored HostConfig (a new object), with its
 * conflict rules between --cpus and --cpu-period/--cpu-quota and between memory and swap.
 */
export function mergeUpdate(current: HostConfig, update: HostConfig): HostConfig {
  const cur = current;
  const next: HostConfig = { ...current };
  if (num(update.NanoCpus) > 0 && num(cur.CpuPeriod) > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (num(update.NanoCpus) > 0 && num(cur.CpuQuota) > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (num(update.CpuPeriod) > 0 && num(cur.NanoCpus) > 0) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (num(update.CpuQuota) > 0 && num(cur.NanoCpus) > 0) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  for (const k of ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'MemorySwap', 'MemoryReservation'] as const) {
    if (num(update[k]) !== 0) next[k] = update[k];
  }
  for (const k of ['CpusetCpus', 'CpusetMems'] as const) if (typeof update[k] === 'string' && update[k] !== '') next[k] = update[k];
  if (num(update.Memory) !== 0) {
    if (num(cur.MemorySwap) > 0 && num(update.Memory) > num(cur.MemorySwap) && num(update.MemorySwap) === 0) {
      throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    next.Memory = update.Memory;
  }
  if (update.PidsLimit !== undefined && update.PidsLimit !== null) next.PidsLimit = update.PidsLimit;
  const rp = update.RestartPolicy;
  if (rp?.Name) {
    if (cur.AutoRemove && rp.Name !== 'no') throw conflict('Restart policy cannot be updated because AutoRemove is enabled for the container');
    next.RestartPolicy = rp;
  }
  return next;
}

/** The `runc update --resources` body for a container's (merged) HostConfig: only what is set, pids -1 to lift a limit. */
export function updateResources(hc: HostConfig): Record<string, unknown> {
  const r = specResources(hc);
  const res = linuxResources({ ...r, memorySwap: undefined, memorySwappiness: undefined, disableOOMKiller: undefined });
  const mem = (res.memory ?? {}) as Record<string, number>;
  delete mem.swap;
  if (num(hc.MemorySwap) > 0 || num(hc.MemorySwap) === -1) mem.swap = num(hc.MemorySwap);
  if (Object.keys(mem).length) res.memory = mem;
  if (typeof hc.PidsLimit === 'number' && hc.PidsLimit <= 0) res.pids = { limit: -1 };
  return res;
}

/** Docker's check of a RestartPolicy given to update. */
export function validateRestartPolicy(rp: HostConfig['RestartPolicy']): void {
  if (!rp?.Name) return;
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(rp.Name)) throw invalidArgument(`invalid restart policy: unknown policy '${rp.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (rp.Name !== 'on-failure' && num(rp.MaximumRetryCount) !== 0) throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (num(rp.MaximumRetryCount) < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
}
