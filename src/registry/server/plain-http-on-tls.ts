import type net from 'node:net';
import type tls from 'node:tls';

/** What Go's net/http writes on a TLS port to a client that speaks plain HTTP. */
export const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

const HTTP_STARTS = new Set(['GET /', 'HEAD ', 'POST ', 'PUT /', 'OPTIO']);
const TLS_HANDSHAKE = 0x16;
/** Node's default TLS handshakeTimeout; the sniffing comes before it starts */
const FIRST_BYTES_TIMEOUT_MS = 120_000;

/**
 * A TLS port that receives plain HTTP answers as Go's net/http does (distribution, dockerd's own API):
 * `HTTP/1.0 400 Bad Request` with the body `Client sent an HTTP request to an HTTPS server.\n`, then closes.
 * Without this, Node's TLS server fails the handshake and closes the connection, and the client sees a
 * reset with nothing to say why.
 *
 * It sits between the listening socket and the TLS server: each connection's first bytes are read on the
 * raw socket; a TLS handshake record (0x16) — or anything that is not the start of an HTTP request — goes to
 * the TLS server with those bytes put back (`unshift`; a TLSSocket takes over a net.Socket's handle and
 * feeds itself what is already buffered). Like Go, it looks at the first 5 bytes and only answers requests
 * that start "GET /", "HEAD ", "POST ", "PUT /" or "OPTIO"; the rest meets the TLS server's own refusal.
 *
 * Installed on a server that listens itself (its own listen, address, close and connection tracking
 * stay as they are); close() drops the connections still being looked at.
 */
export function answerPlainHttp(server: tls.Server): { close(): void } {
  const toTls = server.listeners('connection') as Array<(socket: net.Socket) => void>;
  server.removeAllListeners('connection');
  const pending = new Set<net.Socket>();

  server.on('connection', (socket: net.Socket) => {
    pending.add(socket);
    let head: Buffer = Buffer.alloc(0);
    const done = () => {
      pending.delete(socket);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.setTimeout(0);
      socket.pause();
    };
    const onError = () => {
      pending.delete(socket);
      socket.destroy();
    };
    const onData = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      if (head[0] !== TLS_HANDSHAKE && head.length < 5) return;
      done();
      if (head[0] !== TLS_HANDSHAKE && HTTP_STARTS.has(head.subarray(0, 5).toString('latin1'))) {
        socket.on('error', () => socket.destroy());
        socket.end(PLAIN_HTTP_ANSWER);
        return;
      }
      socket.unshift(head);
      for (const listener of toTls) listener.call(server, socket);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.once('close', () => pending.delete(socket));
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, onError);
  });

  return {
    close() {
      for (const socket of pending) socket.destroy();
      pending.clear();
    },
  };
}
