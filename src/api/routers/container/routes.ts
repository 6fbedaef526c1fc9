import type { Duplex } from 'node:stream';
import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { RequestContext } from '../../server/context.js';
import { versionAtLeast } from '../../server/version.js';
import type { ContainerService, WaitCondition } from '../../../container/index.js';
import type { ContainerCreateRequest } from '../../types/container.js';
import { frame, parseFilters, validateFilterKeys } from '../../../util/index.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { inspectJson, listJson } from './wire.js';
import { parseTimeSeconds } from '../system/event-time.js';

export interface ContainerBackend {
  containers: ContainerService;
  upperDir(id: string): string;
  sizeRw(id: string): Promise<number>;
  /** the container's exec instances, created or running (inspect's ExecIDs); null when none */
  execIds?(id: string): string[] | null;
}

export function containerRoutes(r: Router, b: ContainerBackend): void {
  const c = b.containers;

  r.post('/containers/create', async (ctx) => {
    const body = await ctx.json<ContainerCreateRequest>();
    if (!body) throw invalidArgument('config cannot be empty in order to create a container');
    const res = await c.create(body, ctx.str('name') || undefined);
    return new Reply(201, res);
  });

  r.get('/containers/json', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    await c.prepareAncestorFilter(filters);
    const recs = c.list({ all: ctx.bool('all'), limit: ctx.int('limit'), filters });
    const now = Date.now();
    const withSize = ctx.bool('size');
    return Promise.all(
      recs.map(async (rec) => {
        const j = listJson(rec, now);
        if (withSize) {
          j.SizeRw = await b.sizeRw(rec.id);
          j.SizeRootFs = j.SizeRw;
        }
        return j;
      }),
    );
  });

  r.get('/containers/{id}/json', async (ctx) => {
    const rec = c.get(ctx.params.id!);
    const j = inspectJson(rec, b.upperDir(rec.id), ctx.bool('size') ? await b.sizeRw(rec.id) : undefined);
    if (b.execIds) j.ExecIDs = b.execIds(rec.id);
    return j;
  });

  r.post('/containers/{id}/start', async (ctx) => {
    await c.start(ctx.params.id!);
    return new Reply(204);
  });

  // Docker: `t` (and `timeout` before API 1.42… Podman documents the same quirk) and `signal` since 1.42.
  const stopOpts = (ctx: RequestContext) => ({ timeout: ctx.int('t') ?? ctx.int('timeout'), signal: ctx.str('signal') || undefined });
  r.post('/containers/{id}/stop', async (ctx) => {
    await c.stop(ctx.params.id!, stopOpts(ctx));
    return new Reply(204);
  });
  r.post('/containers/{id}/restart', async (ctx) => {
    await c.restart(ctx.params.id!, stopOpts(ctx));
    return new Reply(204);
  });
  r.post('/containers/{id}/kill', async (ctx) => {
    await c.kill(ctx.params.id!, ctx.str('signal') || undefined);
    return new Reply(204);
  });

  r.post('/containers/{id}/wait', async (ctx) => {
    const cond = (ctx.str('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw invalidArgument(`invalid condition: "${cond}"`);
    const waiting = c.wait(ctx.params.id!, cond);
    // Docker sends the headers at once, so the client knows the wait is registered before it starts the container.
    const res = ctx.stream('application/json');
    const result = await waiting;
    res.end(JSON.stringify(result) + '\n');
  });

  r.delete('/containers/{id}', async (ctx) => {
    await c.remove(ctx.params.id!, { force: ctx.bool('force'), volumes: ctx.bool('v') });
    return new Reply(204);
  });

  r.post('/containers/{id}/rename', async (ctx) => {
    await c.rename(ctx.params.id!, ctx.str('name') ?? '');
    return new Reply(204);
  });

  r.post('/containers/prune', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['until', 'label', 'label!']);
    return c.prune(filters);
  });

  r.post('/containers/{id}/resize', async (ctx) => {
    await c.resize(ctx.params.id!, ctx.int('h') ?? 0, ctx.int('w') ?? 0);
    return new Reply(200);
  });

  r.get('/containers/{id}/logs', async (ctx) => {
    const rec = c.get(ctx.params.id!);
    const stdout = ctx.bool('stdout');
    const stderr = ctx.bool('stderr');
    if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
    // Docker: a tail that is not a whole number, or is negative, means all (testcontainers sends tail=-1)
    const tailRaw = ctx.str('tail') ?? '';
    const tail = /^\+?\d+$/.test(tailRaw) ? Number(tailRaw) : undefined;
    const since = ctx.str('since') && ctx.str('since') !== '0' ? parseTimeSeconds(ctx.str('since')!) : undefined;
    const until = ctx.str('until') && ctx.str('until') !== '0' ? parseTimeSeconds(ctx.str('until')!) : undefined;
    const timestamps = ctx.bool('timestamps');
    const tty = !!rec.config.Tty;
    let cancel!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    const res = ctx.stream(tty ? 'application/vnd.docker.raw-stream' : versionAtLeast(ctx.version, '1.42') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream');
    res.once('close', cancel);
    for await (const entry of c.logs(rec.id, { follow: ctx.bool('follow'), stdout, stderr, since, until, tail, cancelled })) {
      const payload = timestamps ? Buffer.concat([Buffer.from(dockerTimestamp(entry.time) + ' '), entry.data]) : entry.data;
      const chunk = tty ? payload : frame(entry.stream === 'stdout' ? 1 : 2, payload);
      if (!res.write(chunk)) await new Promise((r2) => res.once('drain', r2));
      if (res.destroyed) break;
    }
    res.end();
  });

  r.post('/containers/{id}/attach', async (ctx) => attach(ctx, c));
}

/** Docker prints log timestamps as RFC 3339 with nanoseconds and a Z. conmon writes +00:00. */
function dockerTimestamp(t: string): string {
  return t.replace(/\+00:00$/, 'Z');
}

async function attach(ctx: RequestContext, c: ContainerService): Promise<void> {
  // a container whose process has just exited is attached to once that exit is handled (see exitSettled)
  await c.exitSettled(ctx.params.id!);
  const rec = c.get(ctx.params.id!);
  const wantStdin = ctx.bool('stdin');
  const wantStdout = ctx.bool('stdout');
  const wantStderr = ctx.bool('stderr');
  const stream = ctx.bool('stream');
  const logs = ctx.bool('logs');
  const tty = !!rec.config.Tty;
  const contentType = tty || !versionAtLeast(ctx.version, '1.42') ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  // Docker: a body sent with the attach request is not stdin (moby hijacks and drops what came with the
  // request). dockerode sends its options as a JSON body too: read it off so stdin starts after it.
  if (ctx.isUpgrade) await ctx.body();
  const sock: Duplex = ctx.hijack(contentType);
  const write = (s: 1 | 2, data: Buffer) => {
    if ((s === 1 && !wantStdout) || (s === 2 && !wantStderr)) return;
    if (!sock.writable) return;
    sock.write(tty ? data : frame(s, data));
  };
  if (logs) {
    for await (const e of c.logs(rec.id, { follow: false, stdout: wantStdout, stderr: wantStderr })) write(e.stream === 'stdout' ? 1 : 2, e.data);
  }
  if (!stream) {
    sock.end();
    return;
  }
  let ended = false;
  const session = await c.attach(rec.id, {
    onData: write,
    onEnd: () => {
      if (ended) return;
      ended = true;
      sock.end();
    },
  });
  if (wantStdin && rec.config.OpenStdin) {
    const detachKeys = parseDetachKeys(ctx.str('detachKeys') ?? 'ctrl-p,ctrl-q');
    let matched = 0;
    sock.on('data', (d: Buffer) => {
      if (tty && detachKeys.length) {
        for (const byte of d) {
          matched = byte === detachKeys[matched] ? matched + 1 : byte === detachKeys[0] ? 1 : 0;
          if (matched === detachKeys.length) {
            session.detach();
            sock.end();
            return;
          }
        }
      }
      session.writeStdin(d);
    });
    // StdinOnce: the client's half-close closes the container's stdin. Not with a TTY: stdin and output are
    // one pty master there, and closing it would cut the output still on its way.
    sock.on('end', () => {
      if (rec.config.StdinOnce && !tty) session.closeStdin();
    });
  } else {
    sock.on('data', () => undefined);
  }
  sock.on('close', () => {
    if (!ended) session.detach();
  });
  sock.on('error', () => session.detach());
}

/** "ctrl-p,ctrl-q" → [16, 17]; single characters as themselves. */
export function parseDetachKeys(spec: string): number[] {
  if (!spec) return [];
  return spec.split(',').map((k) => {
    const m = /^ctrl-(.)$/.exec(k);
    if (m) {
      const ch = m[1]!;
      if (ch === '@') return 0;
      if (ch >= 'a' && ch <= 'z') return ch.charCodeAt(0) - 96;
      const special: Record<string, number> = { '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (ch in special) return special[ch]!;
      throw invalidArgument(`Invalid escape keys (${spec}) provided`);
    }
    if (k.length === 1) return k.charCodeAt(0);
    throw invalidArgument(`Invalid escape keys (${spec}) provided`);
  });
}
