import { ApiError } from '../../client/index.js';
import { type CommandContext, type CommandDef, StatusError } from '../command.js';
import { humanSize } from '../format/humanize.js';
import { confirm } from '../prompt.js';
import { parseFilterFlags } from '../filter-flags.js';
import { pumpHijacked } from './hijacked-streams.js';

/**
 * Commands that act on containers by name: start, stop, kill, restart, rm, rename, wait, attach and
 * prune. Like docker, the many-container ones go on past a failure, print each error on stderr
 * (`Error response from daemon: …`) and exit 1 at the end.
 */
function errorText(err: unknown): string {
  return err instanceof ApiError ? err.display : (err as Error).message;
}

async function forEach(ctx: CommandContext, names: string[], fn: (name: string) => Promise<string | void>): Promise<string[]> {
  const failed: string[] = [];
  for (const name of names) {
    try {
      const out = await fn(name);
      ctx.out(`${out ?? name}\n`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.err(`${errorText(err)}\n`);
      failed.push(name);
    }
  }
  return failed;
}

const TIMEOUT_FLAGS = [
  { name: 'signal', short: 's', type: 'string' as const, description: 'Signal to send to the container' },
  { name: 'timeout', short: 't', type: 'int' as const, description: 'Seconds to wait before killing the container' },
  { name: 'time', type: 'int' as const, hidden: true },
];

export const stopCommand: CommandDef = {
  path: ['container', 'stop'],
  aliases: [['stop']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  args: { min: 1 },
  flags: TIMEOUT_FLAGS,
  async run(ctx, flags, args) {
    const t = flags.isSet('timeout') ? flags.int('timeout') : flags.isSet('time') ? flags.int('time') : undefined;
    const failed = await forEach(ctx, args, (n) => ctx.client().containerStop(n, { t, signal: flags.string('signal') || undefined }));
    return failed.length ? 1 : 0;
  },
};

export const restartCommand: CommandDef = {
  path: ['container', 'restart'],
  aliases: [['restart']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  args: { min: 1 },
  flags: TIMEOUT_FLAGS,
  async run(ctx, flags, args) {
    const t = flags.isSet('timeout') ? flags.int('timeout') : flags.isSet('time') ? flags.int('time') : undefined;
    const failed = await forEach(ctx, args, (n) => ctx.client().containerRestart(n, { t, signal: flags.string('signal') || undefined }));
    return failed.length ? 1 : 0;
  },
};

export const killCommand: CommandDef = {
  path: ['container', 'kill'],
  aliases: [['kill']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  args: { min: 1 },
  flags: [{ name: 'signal', short: 's', type: 'string', description: 'Signal to send to the container' }],
  async run(ctx, flags, args) {
    const failed = await forEach(ctx, args, (n) => ctx.client().containerKill(n, flags.string('signal') || undefined));
    return failed.length ? 1 : 0;
  },
};

export const rmCommand: CommandDef = {
  path: ['container', 'rm'],
  aliases: [['container', 'remove'], ['rm']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  args: { min: 1 },
  flags: [
    { name: 'force', short: 'f', type: 'bool', description: 'Force the removal of a running container (uses SIGKILL)' },
    { name: 'link', short: 'l', type: 'bool', description: 'Remove the specified link' },
    { name: 'volumes', short: 'v', type: 'bool', description: 'Remove anonymous volumes associated with the container' },
  ],
  async run(ctx, flags, args) {
    const force = flags.bool('force');
    const failed: string[] = [];
    for (const name of args) {
      const n = name.replace(/^\/+/, '');
      try {
        if (!n) throw new StatusError('Container name cannot be empty', 1);
        await ctx.client().containerRemove(n, { force, v: flags.bool('volumes'), link: flags.bool('link') });
        ctx.out(`${name}\n`);
      } catch (err) {
        // docker rm -f of a container that does not exist: the error is printed, the exit code stays 0
        if (force && err instanceof ApiError && err.status === 404) {
          ctx.err(`${errorText(err)}\n`);
          continue;
        }
        if (!(err instanceof ApiError) && !(err instanceof StatusError)) throw err;
        ctx.err(`${errorText(err)}\n`);
        failed.push(name);
      }
    }
    return failed.length ? 1 : 0;
  },
};

export const startCommand: CommandDef = {
  path: ['container', 'start'],
  aliases: [['start']],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  args: { min: 1 },
  flags: [
    { name: 'attach', short: 'a', type: 'bool', description: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', type: 'bool', description: "Attach container's STDIN" },
  ],
  async run(ctx, flags, args) {
    const client = ctx.client();
    if (flags.bool('attach') || flags.bool('interactive')) {
      if (args.length > 1) throw new StatusError('you cannot start and attach multiple containers at once', 1);
      const c = await client.containerInspect(args[0]);
      const stdin = flags.bool('interactive') && !!c.Config.OpenStdin;
      const conn = await client.containerAttach(c.Id, { stream: true, stdin, stdout: true, stderr: true });
      const streams = pumpHijacked(ctx, conn, { tty: !!c.Config.Tty, stdin });
      const { result } = await client.containerWait(c.Id, 'next-exit');
      try {
        await client.containerStart(c.Id);
      } catch (err) {
        streams.close();
        throw err;
      }
      await streams.done;
      const res = await result;
      return res.StatusCode;
    }
    const failed: string[] = [];
    for (const name of args) {
      try {
        await client.containerStart(name);
        ctx.out(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        ctx.err(`${errorText(err)}\n`);
        failed.push(name);
      }
    }
    if (failed.length) throw new StatusError(`Error: failed to start containers: ${failed.join(', ')}`, 1);
    return 0;
  },
};

export const renameCommand: CommandDef = {
  path: ['container', 'rename'],
  aliases: [['rename']],
  usage: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  args: { min: 2, max: 2 },
  async run(ctx, _flags, [oldName, newName]) {
    const o = oldName.trim();
    const n = newName.trim();
    if (!o || !n) throw new StatusError('Error: Neither old nor new names may be empty', 1);
    try {
      await ctx.client().containerRename(o, n);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.err(`${err.display}\n`);
      throw new StatusError(`Error: failed to rename container named ${oldName}`, 1);
    }
  },
};

export const waitCommand: CommandDef = {
  path: ['container', 'wait'],
  aliases: [['wait']],
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  async run(ctx, _flags, args) {
    const failed = await forEach(ctx, args, async (n) => {
      const { result } = await ctx.client().containerWait(n, 'not-running');
      const r = await result;
      return String(r.StatusCode);
    });
    return failed.length ? 1 : 0;
  },
};

export const attachCommand: CommandDef = {
  path: ['container', 'attach'],
  aliases: [['attach']],
  usage: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'no-stdin', type: 'bool', description: 'Do not attach STDIN' },
    { name: 'sig-proxy', type: 'bool', default: true, description: 'Proxy all received signals to the process' },
  ],
  async run(ctx, flags, [name]) {
    const client = ctx.client();
    const c = await client.containerInspect(name);
    if (!c.State.Running) throw new StatusError('You cannot attach to a stopped container, start it first', 1);
    if (c.State.Paused) throw new StatusError('You cannot attach to a paused container, unpause it first', 1);
    const stdin = !flags.bool('no-stdin') && !!c.Config.OpenStdin;
    if (stdin && c.Config.Tty && !ctx.stdin.isTTY) throw new StatusError('the input device is not a TTY', 1);
    const conn = await client.containerAttach(c.Id, {
      stream: true,
      stdin,
      stdout: true,
      stderr: true,
      detachKeys: flags.string('detach-keys') || ctx.config().detachKeys || undefined,
    });
    const streams = pumpHijacked(ctx, conn, { tty: !!c.Config.Tty, stdin, detachKeys: flags.string('detach-keys') || ctx.config().detachKeys });
    await streams.done;
    if (streams.detached()) return 0;
    const after = await client.containerInspect(c.Id).catch(() => undefined);
    if (after && !after.State.Running) return after.State.ExitCode;
    return 0;
  },
};

export const containerPruneCommand: CommandDef = {
  path: ['container', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove all stopped containers',
  args: { max: 0 },
  flags: [
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    if (!flags.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) {
      return 0;
    }
    const res = await ctx.client().containerPrune(parseFilterFlags(flags.list('filter'), '--filter'));
    const deleted = res.ContainersDeleted ?? [];
    if (deleted.length) ctx.out(`Deleted Containers:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0, 4)}\n`);
  },
};
