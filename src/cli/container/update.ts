import { ApiError } from '../../client/index.js';
import { type CommandDef, StatusError, UsageError } from '../command.js';
import { FlagError } from '../flags.js';
import { parseRestartPolicy, resourceFlags, sizeFlag } from './create-options.js';

/** `update`: new limits for one or more containers, docker's flags and output (names, warnings on stderr). */
export const updateCommand: CommandDef = {
  path: ['container', 'update'],
  aliases: [['update']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  args: { min: 1 },
  flags: [
    { name: 'blkio-weight', type: 'int', valueName: 'uint16', description: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
    { name: 'cpu-period', type: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
    { name: 'cpu-quota', type: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
    { name: 'cpu-shares', short: 'c', type: 'int', description: 'CPU shares (relative weight)' },
    { name: 'cpus', type: 'string', valueName: 'decimal', description: 'Number of CPUs' },
    { name: 'cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
    { name: 'cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
    { name: 'memory', short: 'm', type: 'string', valueName: 'bytes', description: 'Memory limit' },
    { name: 'memory-reservation', type: 'string', valueName: 'bytes', description: 'Memory soft limit' },
    { name: 'memory-swap', type: 'string', valueName: 'bytes', description: "Swap limit equal to memory plus swap: -1 to enable unlimited swap" },
    { name: 'pids-limit', type: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'restart', type: 'string', description: 'Restart policy to apply when a container exits' },
  ],
  async run(ctx, flags, args) {
    const body: Record<string, unknown> = resourceFlags(flags);
    const memory = sizeFlag(flags, 'memory', '-m, --memory');
    if (memory !== undefined) body.Memory = memory;
    const swap = sizeFlag(flags, 'memory-swap', '--memory-swap', true);
    if (swap !== undefined) body.MemorySwap = swap;
    if (flags.isSet('cpu-shares')) body.CpuShares = flags.int('cpu-shares');
    if (flags.isSet('cpus')) {
      const cpus = Number(flags.string('cpus'));
      if (!Number.isFinite(cpus)) throw new FlagError(`invalid argument "${flags.string('cpus')}" for "--cpus" flag: failed to parse ${flags.string('cpus')} as a rational number`);
      body.NanoCpus = Math.round(cpus * 1e9);
    }
    if (flags.isSet('pids-limit')) body.PidsLimit = flags.int('pids-limit');
    if (flags.isSet('restart')) body.RestartPolicy = parseRestartPolicy(flags.string('restart'));
    if (Object.keys(body).length === 0) throw new UsageError('you must provide one or more flags when using this command');
    const errors: string[] = [];
    for (const c of args) {
      try {
        const r = await ctx.client().containerUpdate(c, body);
        for (const w of r.Warnings ?? []) ctx.err(`${w}\n`);
        ctx.out(`${c}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(err.display);
      }
    }
    if (errors.length) throw new StatusError(errors.join('\n'), 1);
  },
};
