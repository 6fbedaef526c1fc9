import { type CommandDef, StatusError } from '../command.js';
import { expandEnv, parseKeyValueFile } from './create-options.js';
import { pumpHijacked } from './hijacked-streams.js';

/**
 * `exec`: create the exec, start it attached (hijacked like attach) or detached, then exit with the
 * exec's own exit code, as docker does (126/127 for a command that cannot be run come from there).
 */
export const execCommand: CommandDef = {
  path: ['container', 'exec'],
  aliases: [['exec']],
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  args: { min: 2 },
  interspersed: false,
  flags: [
    { name: 'detach', short: 'd', type: 'bool', description: 'Detached mode: run command in the background' },
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'env', short: 'e', type: 'list', description: 'Set environment variables' },
    { name: 'env-file', type: 'list', description: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
    { name: 'privileged', type: 'bool', description: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  ],
  async run(ctx, flags, [container, ...cmd]) {
    const client = ctx.client();
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    const stdin = flags.bool('interactive');
    const env = [...flags.list('env-file').flatMap((f) => parseKeyValueFile(f, (k) => ctx.env[k])), ...flags.list('env').map((e) => expandEnv(e, ctx.env))];
    if (!detach && tty && stdin && !ctx.stdin.isTTY) throw new StatusError('the input device is not a TTY', 1);
    const created = await client.execCreate(container, {
      User: flags.string('user') || undefined,
      Privileged: flags.bool('privileged'),
      Tty: tty,
      ConsoleSize: tty && ctx.stdout.isTTY && ctx.stdout.rows ? [ctx.stdout.rows, ctx.stdout.columns] : undefined,
      AttachStdin: stdin && !detach,
      AttachStdout: !detach,
      AttachStderr: !detach,
      Detach: detach,
      DetachKeys: flags.string('detach-keys') || undefined,
      Env: env.length ? env : undefined,
      WorkingDir: flags.string('workdir') || undefined,
      Cmd: cmd,
    });
    if (detach) {
      await client.execStartDetached(created.Id, tty);
      return 0;
    }
    const conn = await client.execStartAttached(created.Id, tty);
    const streams = pumpHijacked(ctx, conn, { tty, stdin });
    // as docker: follow the terminal's size (the initial one went with the create)
    const resize = (): void => {
      client.send('POST', `/exec/${encodeURIComponent(created.Id)}/resize`, { query: { h: ctx.stdout.rows, w: ctx.stdout.columns } }).catch(() => undefined);
    };
    if (tty && ctx.stdout.isTTY) ctx.stdout.on('resize', resize);
    try {
      await streams.done;
    } finally {
      ctx.stdout.off('resize', resize);
    }
    const info = await client.execInspect(created.Id);
    return info.ExitCode ?? 0;
  },
};
