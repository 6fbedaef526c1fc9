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
}

export function pumpHijacked(io: CommandIO, conn: { socket: Duplex; head: Buffer }, opts: StreamOptions): { done: Promise<void>; close(): void } {
  const { socket } = conn;
  let restoreRaw = false;
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
    socket.write(chunk);
  };
  const onStdinEnd = (): void => {
    socket.end();
  };
  if (opts.stdin) {
    if (opts.tty && io.stdin.isTTY) {
      io.stdin.setRawMode(true);
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
  };
}
