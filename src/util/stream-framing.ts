/**
 * Docker's multiplexed stream framing, used by attach, logs and exec when there is no TTY:
 * an 8-byte header [stream, 0, 0, 0, size(4, big endian)] then `size` bytes of payload.
 * stream: 0 stdin, 1 stdout, 2 stderr, 3 systemerr.
 */
export type StreamId = 0 | 1 | 2 | 3;

export function frame(stream: StreamId, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Incremental decoder for framed streams; push chunks, receive whole frames. */
export class FrameDecoder {
  private buf = Buffer.alloc(0);
  constructor(private readonly onFrame: (stream: StreamId, payload: Buffer) => void) {}
  push(chunk: Uint8Array): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const stream = this.buf[0] as StreamId;
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      this.onFrame(stream, payload);
    }
  }
}
