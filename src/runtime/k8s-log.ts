import { promises as fs, watch, type FSWatcher } from 'node:fs';

/**
 * Reads conmon's k8s-file log with `docker logs` semantics. Each line of the file is
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`: F ends a line (we give it back its "\n"),
 * P is a partial line (a chunk of a longer line, or output without a trailing newline).
 */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano, exactly as in the file */
  time: string;
  data: Buffer;
}

export interface ReadLogsOptions {
  follow: boolean;
  /** unix seconds, fractional (a double: about microsecond precision); entries before it are skipped */
  since?: number;
  /** unix seconds, fractional; entries after it are skipped (and following stops) */
  until?: number;
  /** the last N full lines; undefined = all */
  tail?: number;
  stdout: boolean;
  stderr: boolean;
  /** follow mode ends (after draining what is in the file) once this resolves */
  stopFollowing?: Promise<void>;
}

const CHUNK = 64 * 1024;
const POLL_MS = 250;

interface ParsedLine {
  time: string;
  stream: 'stdout' | 'stderr';
  full: boolean;
  content: Buffer;
}

function parseLine(line: Buffer): ParsedLine | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = line.toString('latin1', s2 + 1, s3 < 0 ? line.length : s3);
  return {
    time: line.toString('latin1', 0, s1),
    stream,
    full: !tag.split(':').includes('P'),
    content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1),
  };
}

/** Unix seconds (fractional) of an RFC3339(Nano) timestamp; NaN when it does not parse. */
export function parseLogTime(time: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.exec(time);
  if (!m) return NaN;
  const base = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  return base / 1000 + (m[2] ? Number(`0${m[2]}`) : 0);
}

/** The offset of the first line to show so that `tail` full lines remain, scanning back from the end. */
async function tailOffset(fh: fs.FileHandle, size: number, tail: number): Promise<number> {
  if (tail <= 0) return size;
  let pos = size;
  let carry = Buffer.alloc(0); // bytes after the last newline seen so far (start of a later line)
  let fullLines = 0;
  let first = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos);
    let data = Buffer.concat([buf, carry]);
    if (first) {
      // An unterminated last line is being written: it is not shown yet.
      const lastNl = data.lastIndexOf(0x0a);
      data = lastNl < 0 ? Buffer.alloc(0) : data.subarray(0, lastNl + 1);
      if (lastNl < 0) {
        carry = Buffer.alloc(0);
        continue;
      }
      first = false;
    }
    // data ends with "\n" (or is a prefix of one line); walk its lines from the end
    let lineEnd = data.length - 1; // index of the "\n" ending the current line
    while (lineEnd >= 0) {
      const prevNl = lineEnd > 0 ? data.lastIndexOf(0x0a, lineEnd - 1) : -1;
      if (prevNl < 0 && pos > 0) break; // the start of this line is in an earlier chunk
      const line = data.subarray(prevNl + 1, lineEnd);
      const parsed = parseLine(line);
      if (parsed?.full) {
        fullLines++;
        if (fullLines > tail) return pos + lineEnd + 1;
      }
      lineEnd = prevNl;
    }
    carry = lineEnd >= 0 ? data.subarray(0, lineEnd + 1) : Buffer.alloc(0);
  }
  return 0;
}

function entryFrom(p: ParsedLine): LogEntry {
  return { stream: p.stream, time: p.time, data: p.full ? Buffer.concat([p.content, Buffer.from('\n')]) : Buffer.from(p.content) };
}

async function openIfExists(file: string): Promise<fs.FileHandle | undefined> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function* readLogs(file: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  void opts.stopFollowing?.then(() => {
    stopped = true;
    poke();
  });

  let fh = await openIfExists(file);
  let pos = 0;
  let ino = 0;
  let pending = Buffer.alloc(0);
  let pastUntil = false;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (fh) {
      const st = await fh.stat();
      ino = st.ino;
      if (opts.tail !== undefined) pos = await tailOffset(fh, st.size, opts.tail);
    }
    const wanted = (p: ParsedLine): boolean => (p.stream === 'stdout' ? opts.stdout : opts.stderr);

    /** Reads what the file holds now, yielding complete lines. */
    async function* drain(): AsyncGenerator<LogEntry> {
      if (!fh) return;
      for (;;) {
        const buf = Buffer.alloc(CHUNK);
        const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        let data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let start = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
          const parsed = parseLine(data.subarray(start, nl));
          start = nl + 1;
          if (!parsed) continue;
          const t = opts.since !== undefined || opts.until !== undefined ? parseLogTime(parsed.time) : NaN;
          if (opts.since !== undefined && t < opts.since) continue;
          if (opts.until !== undefined && t > opts.until) {
            pastUntil = true;
            return;
          }
          if (wanted(parsed)) yield entryFrom(parsed);
        }
        data = data.subarray(start);
        pending = Buffer.from(data);
      }
    }

    yield* drain();
    if (!opts.follow || pastUntil) return;

    const arm = (): void => {
      if (watcher || !fh) return;
      try {
        watcher = watch(file, { persistent: false }, poke);
        watcher.on('error', () => undefined);
      } catch {
        // polling covers it
      }
    };
    arm();
    // also the fallback where fs.watch misses events; it keeps the process alive while someone follows
    timer = setInterval(poke, POLL_MS);
    while (!stopped && !pastUntil) {
      if (opts.until !== undefined && Date.now() / 1000 > opts.until) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      if (!fh) {
        fh = await openIfExists(file);
        if (fh) ino = (await fh.stat()).ino;
        arm();
      } else {
        // truncated or replaced (log rotation / container re-created): start over on the new file
        const st = await fs.stat(file).catch(() => undefined);
        if (st && (st.ino !== ino || st.size < pos)) {
          yield* drain();
          await fh.close();
          fh = await openIfExists(file);
          ino = st.ino;
          pos = 0;
          pending = Buffer.alloc(0);
          watcher?.close();
          watcher = undefined;
          arm();
        }
      }
      yield* drain();
    }
    if (!pastUntil) yield* drain();
  } finally {
    if (timer) clearInterval(timer);
    watcher?.close();
    await fh?.close();
  }
}
