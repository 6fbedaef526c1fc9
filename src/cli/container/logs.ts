import type { CommandDef } from '../command.js';
import { StatusError } from '../command.js';
import { TimestampError, getTimestamp } from '../timestamps.js';
import { FrameDecoder } from '../../util/stream-framing.js';

/** `logs`: raw when the container has a TTY, else demultiplexed onto stdout and stderr. */
export const logsCommand: CommandDef = {
  path: ['container', 'logs'],
  aliases: [['logs']],
  usage: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'details', type: 'bool', description: 'Show extra details provided to logs' },
    { name: 'follow', short: 'f', type: 'bool', description: 'Follow log output' },
    { name: 'since', type: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', type: 'string', default: 'all', description: 'Number of lines to show from the end of the logs' },
    { name: 'timestamps', short: 't', type: 'bool', description: 'Show timestamps' },
    { name: 'until', type: 'string', description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  async run(ctx, flags, [name]) {
    const client = ctx.client();
    const c = await client.containerInspect(name);
    let since: string | undefined;
    let until: string | undefined;
    try {
      if (flags.string('since')) since = getTimestamp(flags.string('since'));
    } catch (e) {
      if (e instanceof TimestampError) throw new StatusError(`invalid value for "since": ${e.message}`, 1);
      throw e;
    }
    try {
      if (flags.string('until')) until = getTimestamp(flags.string('until'));
    } catch (e) {
      if (e instanceof TimestampError) throw new StatusError(`invalid value for "until": ${e.message}`, 1);
      throw e;
    }
    const res = await client.containerLogs(c.Id, {
      stdout: true,
      stderr: true,
      since,
      until,
      timestamps: flags.bool('timestamps') || undefined,
      follow: flags.bool('follow') || undefined,
      tail: flags.string('tail'),
      details: flags.bool('details') || undefined,
    });
    const tty = !!c.Config.Tty;
    const decoder = new FrameDecoder((stream, payload) => {
      if (stream === 2 || stream === 3) ctx.stderr.write(payload);
      else ctx.stdout.write(payload);
    });
    for await (const chunk of res) {
      if (tty) ctx.stdout.write(chunk as Buffer);
      else decoder.push(chunk as Buffer);
    }
  },
};
