import { ApiError } from '../../client/index.js';
import { type CommandContext, type CommandDef, PROGRAM, StatusError } from '../command.js';
import type { ParsedFlags } from '../flags.js';
import { createContainer } from './create-container.js';
import { CREATE_FLAGS, buildCreateRequest } from './create-options.js';
import { pumpHijacked } from './hijacked-streams.js';

/**
 * `run`: create, attach (before start, so no output is lost), wait (also before start, for
 * next-exit or, with --rm, removed), start, stream, and exit with the container's code.
 * Exit 125 when the daemon refuses; 126/127 when the command cannot be invoked/found.
 */
const RUN_FLAGS = [
  ...CREATE_FLAGS,
  { name: 'detach', short: 'd', type: 'bool' as const, description: 'Run container in background and print container ID' },
  { name: 'detach-keys', type: 'string' as const, description: 'Override the key sequence for detaching a container' },
  { name: 'sig-proxy', type: 'bool' as const, default: true, description: 'Proxy received signals to the process' },
].sort((a, b) => a.name.localeCompare(b.name));

/** docker's toStatusError: the exit code a failed start gives `run`. */
export function startErrorStatus(err: unknown, commandPath: string): StatusError {
  const msg = err instanceof ApiError ? err.display : (err as Error).message;
  let code = 125;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(msg)) code = 127;
  else if (/permission denied|is a directory/.test(msg)) code = 126;
  return new StatusError(`${PROGRAM}: ${msg}\n\nRun '${commandPath} --help' for more information`, code);
}

async function runContainer(ctx: CommandContext, flags: ParsedFlags, args: string[]): Promise<number> {
  const req = buildCreateRequest(flags, args, ctx.env);
  const detach = flags.bool('detach');
  const body = req.body;
  if (detach) {
    if (flags.list('attach').length) throw new StatusError('conflicting options: cannot specify both --attach and --detach', 1);
    body.AttachStdin = body.AttachStdout = body.AttachStderr = false;
    body.StdinOnce = false;
  } else {
    if (body.Tty && body.AttachStdin && !ctx.stdin.isTTY) throw new StatusError('the input device is not a TTY', 1);
    if (body.AttachStdin) body.StdinOnce = true;
  }
  const client = ctx.client();
  const created = await createContainer(ctx, req, flags.string('pull'), flags.bool('quiet'), flags.string('cidfile'));
  for (const w of created.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  const id = created.Id;

  if (detach) {
    try {
      await client.containerStart(id);
    } catch (err) {
      throw startErrorStatus(err, ctx.commandPath);
    }
    ctx.out(`${id}\n`);
    return 0;
  }

  const attachStreams = body.AttachStdin || body.AttachStdout || body.AttachStderr;
  let streams: ReturnType<typeof pumpHijacked> | undefined;
  if (attachStreams) {
    const conn = await client.containerAttach(id, {
      stream: true,
      stdin: body.AttachStdin,
      stdout: body.AttachStdout,
      stderr: body.AttachStderr,
      detachKeys: flags.string('detach-keys') || ctx.config().detachKeys || undefined,
    });
    streams = pumpHijacked(ctx, conn, {
      tty: !!body.Tty,
      stdin: !!body.AttachStdin,
      detachKeys: flags.string('detach-keys') || ctx.config().detachKeys,
    });
  }
  const { result: waitResult } = await client.containerWait(id, body.HostConfig?.AutoRemove ? 'removed' : 'next-exit');

  try {
    await client.containerStart(id);
  } catch (err) {
    streams?.close();
    if (body.HostConfig?.AutoRemove) {
      // docker waits for the daemon to remove the container; a daemon that does not is helped, not waited on forever
      const removed = await Promise.race([waitResult.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
      if (!removed) await client.containerRemove(id, { force: true }).catch(() => undefined);
    }
    throw startErrorStatus(err, ctx.commandPath);
  }
  if (body.Tty && ctx.stdout.isTTY) {
    const resize = (): void => {
      client
        .send('POST', `/containers/${id}/resize`, { query: { h: ctx.stdout.rows, w: ctx.stdout.columns } })
        .catch(() => undefined);
    };
    resize();
    ctx.stdout.on('resize', resize);
  }
  const proxied: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = new Map<NodeJS.Signals, () => void>();
  if (flags.bool('sig-proxy') && !body.Tty) {
    for (const sig of proxied) {
      const h = (): void => {
        client.containerKill(id, sig).catch(() => undefined);
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
  }
  try {
    if (streams) await streams.done;
    if (streams?.detached()) return 0;
    const result = await waitResult;
    if (result.Error?.Message) throw new StatusError(`${PROGRAM}: ${result.Error.Message}`, 125);
    return result.StatusCode;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

export const runCommand: CommandDef = {
  path: ['container', 'run'],
  aliases: [['run']],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  args: { min: 1 },
  flags: RUN_FLAGS,
  interspersed: false,
  runStyleErrors: true,
  run: runContainer,
};

export const createCommand: CommandDef = {
  path: ['container', 'create'],
  aliases: [['create']],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  args: { min: 1 },
  flags: CREATE_FLAGS,
  interspersed: false,
  async run(ctx, flags, args) {
    const req = buildCreateRequest(flags, args, ctx.env);
    const created = await createContainer(ctx, req, flags.string('pull'), flags.bool('quiet'), flags.string('cidfile'));
    for (const w of created.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
    ctx.out(`${created.Id}\n`);
  },
};
