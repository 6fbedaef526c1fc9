import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AttachConnection } from './container-runtime.js';

/**
 * Client side of conmon's attach socket. It is SOCK_SEQPACKET, which Node's net cannot open
 * (EPROTOTYPE), so the socket calls go through koffi (FFI to libc). One shared poller thread waits in
 * poll(2) on koffi's async worker for every open attach socket, plus a wake pipe, so N attaches cost one
 * worker thread; recv/send themselves run non-blocking on the main thread.
 *
 * conmon's framing: each packet it sends is one byte naming the pipe (2 stdout, 3 stderr; with a TTY
 * everything is stdout) followed by up to 8 KiB of output. What we send is written to the container's
 * stdin as is; shutdown(SHUT_WR) makes conmon close that stdin unless it runs with --leave-stdin-open.
 */

// koffi is loaded lazily so that merely importing the runtime does not require the FFI binary.
interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  pipe2(fds: Buffer, flags: number): number;
  read(fd: number, buf: Buffer, len: number): number;
  write(fd: number, buf: Buffer, len: number): number;
  pollAsync(fds: Buffer, n: number, timeout: number, cb: (err: unknown, res: number) => void): void;
  errno(): number;
}

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc) return libc;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const f = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    connect: lib.func('int connect(int fd, const void *addr, uint32_t len)'),
    recv: lib.func('intptr_t recv(int fd, void *buf, size_t len, int flags)'),
    send: lib.func('intptr_t send(int fd, const void *buf, size_t len, int flags)'),
    shutdown: lib.func('int shutdown(int fd, int how)'),
    close: lib.func('int close(int fd)'),
    pipe2: lib.func('int pipe2(void *fds, int flags)'),
    read: lib.func('intptr_t read(int fd, void *buf, size_t len)'),
    write: lib.func('intptr_t write(int fd, const void *buf, size_t len)'),
  };
  libc = {
    socket: (a, b, c) => f.socket(a, b, c) as number,
    connect: (a, b, c) => f.connect(a, b, c) as number,
    recv: (a, b, c, d) => Number(f.recv(a, b, c, d)),
    send: (a, b, c, d) => Number(f.send(a, b, c, d)),
    shutdown: (a, b) => f.shutdown(a, b) as number,
    close: (a) => f.close(a) as number,
    pipe2: (a, b) => f.pipe2(a, b) as number,
    read: (a, b, c) => Number(f.read(a, b, c)),
    write: (a, b, c) => Number(f.write(a, b, c)),
    pollAsync: (fds, n, timeout, cb) => poll.async(fds, n, timeout, cb),
    errno: () => koffi.errno(),
  };
  return libc;
}

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const SHUT_RDWR = 2;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const ECONNRESET = 104;
const EINTR = 4;
const EAGAIN = 11;

/** conmon's packets are at most 8 KiB + 1; its read buffer for input is 32 KiB, so stay well below. */
const RECV_BUF = 64 * 1024;
const SEND_CHUNK = 8 * 1024;
const POLL_TIMEOUT_MS = 1000;

interface Watched {
  events(): number;
  ready(revents: number): void;
}

/** One poll(2) on koffi's worker for all attach sockets of the process. */
class Poller {
  private readonly watched = new Map<number, Watched>();
  private readonly toClose: number[] = [];
  private wakeR = -1;
  private wakeW = -1;
  private inFlight = false;

  add(fd: number, w: Watched): void {
    this.watched.set(fd, w);
    this.kick();
  }

  /** Stops watching fd and closes it once no poll(2) is looking at it. */
  removeAndClose(fd: number): void {
    this.watched.delete(fd);
    if (this.inFlight) {
      this.toClose.push(fd);
      this.wake();
    } else loadLibc().close(fd);
  }

  /** Re-evaluates interest (e.g. POLLOUT after a send hit EAGAIN). */
  kick(): void {
    if (this.inFlight) this.wake();
    else this.arm();
  }

  private wake(): void {
    if (this.wakeW >= 0) loadLibc().write(this.wakeW, Buffer.from([1]), 1);
  }

  private arm(): void {
    const c = loadLibc();
    if (this.watched.size === 0 || this.inFlight) return;
    if (this.wakeR < 0) {
      const fds = Buffer.alloc(8);
      if (c.pipe2(fds, O_NONBLOCK | O_CLOEXEC) !== 0) throw new Error(`pipe2 failed: errno ${c.errno()}`);
      this.wakeR = fds.readInt32LE(0);
      this.wakeW = fds.readInt32LE(4);
      process.once('exit', () => this.wake());
    }
    const entries = [...this.watched.entries()];
    const buf = Buffer.alloc(8 * (entries.length + 1));
    buf.writeInt32LE(this.wakeR, 0);
    buf.writeInt16LE(POLLIN, 4);
    entries.forEach(([fd, w], i) => {
      buf.writeInt32LE(fd, 8 * (i + 1));
      buf.writeInt16LE(w.events(), 8 * (i + 1) + 4);
    });
    this.inFlight = true;
    // A bounded wait: process exit waits for koffi's in-flight call, so it must never block for long
    // (the exit hook below also wakes it at once).
    c.pollAsync(buf, entries.length + 1, POLL_TIMEOUT_MS, (err, res) => {
      this.inFlight = false;
      for (const fd of this.toClose.splice(0)) c.close(fd);
      if (!err && res > 0) {
        if (buf.readInt16LE(6) !== 0) {
          const drain = Buffer.alloc(64);
          while (c.read(this.wakeR, drain, drain.length) > 0);
        }
        entries.forEach(([fd, w], i) => {
          const revents = buf.readInt16LE(8 * (i + 1) + 6);
          if (revents !== 0 && this.watched.get(fd) === w) w.ready(revents);
        });
      }
      // koffi refusing the call would otherwise spin; try again a little later
      if (err) setTimeout(() => this.arm(), 100).unref();
      else this.arm();
    });
  }
}

let poller: Poller | undefined;

type DataCb = (stream: 1 | 2, data: Buffer) => void;

class SeqpacketAttach implements AttachConnection, Watched {
  private readonly dataCbs: DataCb[] = [];
  private readonly closeCbs: Array<() => void> = [];
  private readonly early: Array<[1 | 2, Buffer]> = [];
  private readonly queue: Buffer[] = [];
  private closed = false;
  private wantShutWr = false;
  private shutWr = false;
  private readonly rbuf = Buffer.alloc(RECV_BUF);

  constructor(private readonly fd: number, private readonly poll: Poller) {
    poll.add(fd, this);
  }

  events(): number {
    return POLLIN | (this.queue.length > 0 ? POLLOUT : 0);
  }

  ready(revents: number): void {
    if (revents & POLLOUT) this.flush();
    if (!this.closed) this.readAll();
  }

  private readAll(): void {
    const c = loadLibc();
    while (!this.closed) {
      const n = c.recv(this.fd, this.rbuf, this.rbuf.length, MSG_DONTWAIT);
      if (n > 0) {
        const kind = this.rbuf[0];
        if (n > 1 && (kind === 2 || kind === 3)) this.emit(kind === 2 ? 1 : 2, Buffer.from(this.rbuf.subarray(1, n)));
        continue;
      }
      if (n === 0) return this.finish();
      const e = c.errno();
      // ECONNRESET: conmon closed its end with our stdin bytes unread. Linux reports that error once,
      // *before* the packets still queued for us (sock_error comes first in the datagram receive path):
      // read on, or the container's last output is lost.
      if (e === EINTR || e === ECONNRESET) continue;
      if (e === EAGAIN) return;
      return this.finish();
    }
  }

  private emit(stream: 1 | 2, data: Buffer): void {
    if (this.dataCbs.length === 0) this.early.push([stream, data]);
    else for (const cb of this.dataCbs) cb(stream, data);
  }

  onData(cb: DataCb): void {
    this.dataCbs.push(cb);
    if (this.dataCbs.length === 1) for (const [s, d] of this.early.splice(0)) cb(s, d);
  }

  onClose(cb: () => void): void {
    if (this.closed) queueMicrotask(cb);
    else this.closeCbs.push(cb);
  }

  writeStdin(data: Buffer): void {
    if (this.closed || this.wantShutWr) return;
    for (let off = 0; off < data.length; off += SEND_CHUNK) this.queue.push(Buffer.from(data.subarray(off, off + SEND_CHUNK)));
    this.flush();
  }

  closeStdin(): void {
    if (this.closed || this.wantShutWr) return;
    this.wantShutWr = true;
    this.flush();
  }

  close(): void {
    this.finish();
  }

  private flush(): void {
    const c = loadLibc();
    while (!this.closed && this.queue.length > 0) {
      const chunk = this.queue[0] as Buffer;
      const n = c.send(this.fd, chunk, chunk.length, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) {
        this.queue.shift();
        continue;
      }
      const e = c.errno();
      if (e === EINTR) continue;
      if (e === EAGAIN) {
        this.poll.kick(); // now interested in POLLOUT
        return;
      }
      this.queue.length = 0; // peer gone: stdin input is dropped, output still drains
    }
    if (!this.closed && this.wantShutWr && !this.shutWr && this.queue.length === 0) {
      this.shutWr = true;
      c.shutdown(this.fd, SHUT_WR);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    loadLibc().shutdown(this.fd, SHUT_RDWR);
    this.poll.removeAndClose(this.fd);
    for (const cb of this.closeCbs.splice(0)) cb();
  }
}

/**
 * Connects to the SOCK_SEQPACKET socket named `name` in directory `dir`. The path goes through
 * /proc/self/fd/<dirfd>/ so that it fits sun_path (108 bytes) however long `dir` is.
 */
export function connectSeqpacket(dir: string, name: string): AttachConnection {
  const c = loadLibc();
  const dirFd = openSync(dir, 'r');
  let fd = -1;
  try {
    const sunPath = `/proc/self/fd/${dirFd}/${name}`;
    const addr = Buffer.alloc(110);
    addr.writeUInt16LE(AF_UNIX, 0);
    addr.write(sunPath, 2, 'utf8');
    fd = c.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) throw errnoError('socket', c.errno(), dir);
    let rc: number;
    do rc = c.connect(fd, addr, 2 + Buffer.byteLength(sunPath) + 1);
    while (rc !== 0 && c.errno() === EINTR);
    if (rc !== 0) throw errnoError('connect', c.errno(), `${dir}/${name}`);
  } catch (err) {
    if (fd >= 0) c.close(fd);
    throw err;
  } finally {
    closeSync(dirFd);
  }
  poller ??= new Poller();
  return new SeqpacketAttach(fd, poller);
}

const ERRNO_NAMES: Record<number, string> = { 2: 'ENOENT', 13: 'EACCES', 111: 'ECONNREFUSED', 20: 'ENOTDIR', 11: 'EAGAIN' };

function errnoError(call: string, errno: number, target: string): NodeJS.ErrnoException {
  const code = ERRNO_NAMES[errno] ?? `E${errno}`;
  return Object.assign(new Error(`${call} ${target}: ${code}`), { code, errno });
}
