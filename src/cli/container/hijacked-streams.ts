import { spawnSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../../util/stream-framing.js';
import type { CommandIO } from '../command.js';

/**
 * Pumps a hijacked attach connection to the terminal, as the docker CLI's hijackedIOStreamer does:
 * without a TTY the output is multiplexed (8-byte frames: stdout, stderr); with one it is raw. stdin is
 * copied to the connection and its end half-closes it. Resolves when the output side ends.
 */
export interface StreamOptions {
  tty: boolean;
  stdin: boolean;
  /** Docker's detach sequence ("ctrl-p,ctrl-q" by default), watched for on a terminal's stdin. */
  detachKeys?: string;
}

/** "ctrl-p,ctrl-q" → [0x10, 0x11]; "a" → [0x61]; undefined when malformed. */
export function parseDetachKeys(spec: string): number[] | undefined {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const k = part.trim();
    const m = /^ctrl-(.)$/i.exec(k);
    if (m) {
      const c = m[1].toLowerCase().charCodeAt(0);
      if (c >= 0x61 && c <= 0x7a) out.push(c - 0x60);
      else if ('@[\\]^_'.includes(m[1])) out.push(m[1].charCodeAt(0) - 0x40);
      else return undefined;
    } else if (k.length === 1) out.push(k.charCodeAt(0));
    else return undefined;
  }
  return out.length ? out : undefined;
}

export function pumpHijacked(
  io: CommandIO,
  conn: { socket: Duplex; head: Buffer },
  opts: StreamOptions,
): { done: Promise<void>; close(): void; detached(): boolean } {
  const { socket } = conn;
  let restoreRaw = false;
  let detached = false;
  const keys = opts.tty && opts.stdin && io.stdin.isTTY ? (parseDetachKeys(opts.detachKeys || 'ctrl-p,ctrl-q') ?? []) : [];
  let matched = 0;
  const decoder = new FrameDecoder((stream, payload) => {
    if (stream === 2 || stream === 3) io.stderr.write(payload);
    else io.stdout.write(payload);
  });
  const onData = (chunk: Buffer): void => {
    if (opts.tty) io.stdout.write(chunk);
    else decoder.push(chunk);
  };
  if (conn.head.length) onData(conn.head);

  const onStdin = (chunk: Buffer): void => {
    if (keys.length) {
      for (const b of chunk) {
        matched = b === keys[matched] ? matched + 1 : b === keys[0] ? 1 : 0;
        if (matched === keys.length) {
          // the detach sequence: leave the container running, as docker does
          detached = true;
          socket.destroy();
          return;
        }
      }
    }
    socket.write(chunk);
  };
  const onStdinEnd = (): void => {
    socket.end();
  };
  if (opts.stdin) {
    if (opts.tty && io.stdin.isTTY) {
      io.stdin.setRawMode(true);
      // libuv's raw mode keeps ONLCR, so the container's \r\n would print as \r\r\n; the docker CLI turns
      // output processing off too. setRawMode(false) restores the saved settings, onlcr included.
      if (io.stdin === process.stdin) spawnSync('stty', ['-onlcr'], { stdio: ['inherit', 'ignore', 'ignore'] });
      restoreRaw = true;
    }
    io.stdin.on('data', onStdin);
    io.stdin.once('end', onStdinEnd);
    io.stdin.resume();
  }
  const cleanup = (): void => {
    if (opts.stdin) {
      io.stdin.off('data', onStdin);
      io.stdin.off('end', onStdinEnd);
      io.stdin.pause();
      if (restoreRaw) io.stdin.setRawMode(false);
      restoreRaw = false;
    }
  };
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', onData);
    socket.once('end', () => {
      cleanup();
      resolve();
    });
    socket.once('close', () => {
      cleanup();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') resolve();
      else reject(e);
    });
  });
  return {
    done,
    close() {
      cleanup();
      socket.destroy();
    },
    detached: () => detached,
  };
}
