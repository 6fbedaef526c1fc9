import type { Duplex } from 'node:stream';
import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { RequestContext } from '../../server/context.js';
import { versionAtLeast } from '../../server/version.js';
import type { ExecService, ExecInstanceView } from '../../../container/exec/index.js';
import { decodeConsoleSize } from '../../../container/exec/index.js';
import type { ExecCreateRequest, ExecInspectResponse, ExecStartRequest } from '../../types/exec.js';
import { frame } from '../../../util/index.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { parseDetachKeys } from '../container/routes.js';

export interface ExecBackend {
  execs: ExecService;
}

export function execRoutes(r: Router, b: ExecBackend): void {
  const e = b.execs;

  r.post('/containers/{id}/exec', async (ctx) => {
    const body = await ctx.json<ExecCreateRequest>();
    // Docker validates the detach keys at create (moby: "invalid escape keys"), not at start
    if (body?.DetachKeys) parseDetachKeys(body.DetachKeys);
    return new Reply(201, e.create(ctx.params.id!, body));
  });

  r.get('/exec/{id}/json', async (ctx) => inspectJson(e.inspect(ctx.params.id!)));

  r.post('/exec/{id}/resize', async (ctx) => {
    const h = ctx.int('h') ?? 0;
    const w = ctx.int('w') ?? 0;
    if (h < 0 || w < 0) throw invalidArgument(`invalid terminal size ${h}x${w}`);
    await e.resize(ctx.params.id!, h, w);
    return new Reply(200);
  });

  r.post('/exec/{id}/start', async (ctx) => start(ctx, e));
}

function inspectJson(x: ExecInstanceView): ExecInspectResponse {
  const c = x.config;
  return {
    ID: x.id,
    Running: x.state === 'running' || x.state === 'starting',
    ExitCode: x.exitCode,
    // moby's ProcessConfig: user is omitted when empty
    ProcessConfig: { tty: c.tty, entrypoint: c.cmd[0]!, arguments: c.cmd.slice(1), privileged: c.privileged, ...(c.user ? { user: c.user } : {}) },
    OpenStdin: c.attachStdin,
    OpenStderr: c.attachStderr,
    OpenStdout: c.attachStdout,
    CanRemove: false,
    ContainerID: x.containerId,
    DetachKeys: c.detachKeys,
    Pid: x.pid,
  };
}

async function start(ctx: RequestContext, e: ExecService): Promise<Reply | void> {
  const body = (await ctx.json<ExecStartRequest>()) ?? {};
  const consoleSize = decodeConsoleSize(body.ConsoleSize);
  // Docker answers 404 before it takes the connection over; every later error goes into the stream.
  const inst = e.inspect(ctx.params.id!);
  if (body.Detach) {
    await e.start(inst.id, { detach: true, consoleSize });
    return new Reply(200);
  }
  // moby frames by the start request's Tty, not the exec's (the docker CLI sends the same value)
  const tty = !!body.Tty;
  const contentType = tty || !versionAtLeast(ctx.version, '1.42') ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  const sock: Duplex = ctx.hijack(contentType);
  const write = (s: 1 | 2, data: Buffer): void => {
    if (sock.writable) sock.write(tty ? data : frame(s, data));
  };
  sock.on('error', () => undefined);
  let stream;
  try {
    stream = await e.start(inst.id, { detach: false, consoleSize }, { onData: write });
  } catch (err) {
    // moby writes the start error as output (on stdout) and ends the stream; the CLI prints it and exits
    // with the exec's ExitCode (126/127).
    write(1, Buffer.from(`${err instanceof Error ? err.message : String(err)}\r\n`));
    sock.end();
    return;
  }
  const detachKeys = tty && inst.config.attachStdin ? parseDetachKeys(inst.config.detachKeys || 'ctrl-p,ctrl-q') : [];
  let matched = 0;
  sock.on('data', (d: Buffer) => {
    for (const byte of detachKeys.length ? d : []) {
      matched = byte === detachKeys[matched] ? matched + 1 : byte === detachKeys[0] ? 1 : 0;
      if (matched === detachKeys.length) {
        stream.detach();
        return;
      }
    }
    stream.writeStdin(d);
  });
  // the client's stdin ended (half-close): so does the process's. Not with a TTY: there stdin and output are
  // one pty master, and conmon closing "stdin" would cut the output still on its way (Docker keeps it open).
  sock.on('end', () => {
    if (!tty) stream.closeStdin();
  });
  // the client went away: the process keeps running, as in Docker
  sock.on('close', () => stream.detach());
  await stream.done;
  sock.end();
}
