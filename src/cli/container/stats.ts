import { ApiError } from '../../client/index.js';
import { type CommandContext, type CommandDef, StatusError } from '../command.js';
import { bytesSize, humanSize } from '../format/humanize.js';
import { FormatterContext, renderList } from '../format/list-format.js';
import { truncateId } from '../format/strings.js';
import { parseFilterFlags } from '../filter-flags.js';

/**
 * `stats`: docker's figures from /containers/{id}/stats (CPU % from the cpu/precpu deltas, memory
 * without the inactive file cache, network and block I/O sums). --no-stream prints one table; otherwise
 * the table is refreshed every second (the screen cleared on a terminal).
 */
class StatsContext extends FormatterContext {}
Object.defineProperty(StatsContext, 'name', { value: 'formatter.statsContext' });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the stats document is read field by field

export const STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export function statsRow(s: Json, trunc = true): StatsContext {
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const cpuDelta = Number(cpu.cpu_usage?.total_usage ?? 0) - Number(pre.cpu_usage?.total_usage ?? 0);
  const sysDelta = Number(cpu.system_cpu_usage ?? 0) - Number(pre.system_cpu_usage ?? 0);
  const online = Number(cpu.online_cpus ?? 0) || (cpu.cpu_usage?.percpu_usage?.length ?? 0);
  const cpuPercent = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const mem = s.memory_stats ?? {};
  let usage = Number(mem.usage ?? 0);
  const st = mem.stats ?? {};
  const inactive = st.total_inactive_file !== undefined ? Number(st.total_inactive_file) : Number(st.inactive_file ?? 0);
  if (inactive < usage) usage -= inactive;
  const limit = Number(mem.limit ?? 0);
  const memPercent = limit > 0 ? (usage / limit) * 100 : 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values((s.networks ?? {}) as Record<string, Json>)) {
    rx += Number(n.rx_bytes ?? 0);
    tx += Number(n.tx_bytes ?? 0);
  }
  let read = 0;
  let write = 0;
  for (const e of (s.blkio_stats?.io_service_bytes_recursive ?? []) as Json[]) {
    const op = String(e.op ?? '').toLowerCase();
    if (op === 'read') read += Number(e.value ?? 0);
    if (op === 'write') write += Number(e.value ?? 0);
  }
  const id = String(s.id ?? '');
  const shortId = trunc ? truncateId(id) : id;
  return new StatsContext({
    BlockIO: `${humanSize(read)} / ${humanSize(write)}`,
    CPUPerc: `${cpuPercent.toFixed(2)}%`,
    Container: shortId,
    ID: shortId,
    MemPerc: `${memPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(usage)} / ${bytesSize(limit)}`,
    Name: String(s.name ?? '').replace(/^\//, ''),
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  });
}

async function sample(ctx: CommandContext, names: string[], trunc: boolean): Promise<StatsContext[]> {
  const client = ctx.client();
  const rows = await Promise.all(
    names.map(async (n) => {
      try {
        return statsRow(await client.containerStatsOnce(n), trunc);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) throw new StatusError(err.display, 1);
        throw err;
      }
    }),
  );
  return rows;
}

export const statsCommand: CommandDef = {
  path: ['container', 'stats'],
  aliases: [['stats']],
  usage: '[OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'no-stream', type: 'bool', description: 'Disable streaming stats and only pull the first result' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
  ],
  async run(ctx, flags, args) {
    const trunc = !flags.bool('no-trunc');
    const names = async (): Promise<string[]> => {
      if (args.length) return args;
      const list = await ctx.client().containerList({ all: flags.bool('all'), filters: parseFilterFlags([]) });
      return list.map((c) => c.Id);
    };
    const headers = { ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS' };
    const render = async (): Promise<string> =>
      renderList({ format: flags.string('format') || (ctx.config().statsFormat ?? ''), defaultTable: STATS_TABLE, headers, rows: await sample(ctx, await names(), trunc) });
    if (flags.bool('no-stream')) {
      ctx.out(await render());
      return;
    }
    for (;;) {
      const text = await render();
      ctx.out(ctx.stdout.isTTY ? `\x1b[2J\x1b[H${text}` : text);
      await new Promise((r) => setTimeout(r, 1000));
    }
  },
};
