import type { EventMessage } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { parseFilterFlags } from '../filter-flags.js';
import { rfc3339NanoFixed } from '../format/go-time.js';
import { compileTemplate, execTemplate } from '../format/templates.js';
import { TimestampError, getTimestamp } from '../timestamps.js';

/** `events`: the daemon's event stream, one line per event in docker's layout or through --format. */
export function prettyEvent(e: EventMessage): string {
  let s = '';
  if (e.timeNano) s += `${rfc3339NanoFixed(BigInt(e.timeNano as bigint))} `;
  else if (e.time) s += `${rfc3339NanoFixed(BigInt(e.time) * 1000000000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${s}\n`;
}

/** events.Message as a Go struct: templates use the Go field names, {{json .}} the wire names. */
class EventContext {
  Status?: string;
  ID?: string;
  From?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  Scope?: string;
  Time: number;
  TimeNano: bigint;
  constructor(private readonly raw: EventMessage) {
    Object.defineProperty(this, 'raw', { enumerable: false });
    this.Status = raw.status ?? '';
    this.ID = raw.id ?? '';
    this.From = raw.from ?? '';
    this.Type = raw.Type;
    this.Action = raw.Action;
    this.Actor = new ActorContext(raw.Actor?.ID ?? '', raw.Actor?.Attributes ?? {});
    this.Scope = raw.scope ?? '';
    this.Time = raw.time;
    this.TimeNano = BigInt((raw.timeNano as bigint | number | undefined) ?? 0);
  }
  toJSON(): unknown {
    return this.raw;
  }
}
Object.defineProperty(EventContext, 'name', { value: 'events.Message' });

class ActorContext {
  constructor(
    readonly ID: string,
    readonly Attributes: Record<string, string>,
  ) {}
}
Object.defineProperty(ActorContext, 'name', { value: 'events.Actor' });

export const eventsCommand: CommandDef = {
  path: ['system', 'events'],
  aliases: [['events']],
  usage: '[OPTIONS]',
  short: 'Get real time events from the server',
  args: { max: 0 },
  flags: [
    { name: 'filter', short: 'f', type: 'list', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'since', type: 'string', description: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', description: 'Stream events until this timestamp' },
  ],
  async run(ctx, flags) {
    let since: string | undefined;
    let until: string | undefined;
    try {
      if (flags.string('since')) since = getTimestamp(flags.string('since'));
      if (flags.string('until')) until = getTimestamp(flags.string('until'));
    } catch (e) {
      if (e instanceof TimestampError) throw new StatusError(e.message, 1);
      throw e;
    }
    const format = flags.string('format');
    const body = format === 'json' ? '{{json .}}' : format;
    const events = await ctx.client().events({ since, until, filters: parseFilterFlags(flags.list('filter')) });
    const tmpl = body ? compileTemplate(body) : undefined;
    for await (const e of events) {
      ctx.out(tmpl ? `${execTemplate(tmpl, new EventContext(e))}\n` : prettyEvent(e));
    }
  },
};
