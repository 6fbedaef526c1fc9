/**
 * The little of the DNS wire format (RFC 1035) the embedded resolver needs: read the question of a query,
 * write an answer with A records, or an empty answer with a response code.
 */
export interface DnsQuestion {
  id: number;
  flags: number;
  name: string;
  type: number;
  cls: number;
  /** the question section as sent, copied into the answer */
  questionBytes: Buffer;
}

export const TYPE_A = 1;
export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export function parseQuery(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const qd = msg.readUInt16BE(4);
  if (qd < 1 || (msg.readUInt16BE(2) & 0x8000) !== 0) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off]!;
    off++;
    if (len === 0) break;
    if (len > 63 || off + len > msg.length) return undefined; // compression is not used in questions
    labels.push(msg.subarray(off, off + len).toString('latin1'));
    off += len;
  }
  if (off + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    cls: msg.readUInt16BE(off + 2),
    questionBytes: msg.subarray(12, off + 4),
  };
}

/** An answer to q: A records for addresses (when q asks for A), or none with rcode. */
export function buildAnswer(q: DnsQuestion, rcode: number, addresses: number[] = [], ttl = 600): Buffer {
  const answers = q.type === TYPE_A ? addresses : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, the query's opcode and RD, RA, the response code
  header.writeUInt16BE(0x8000 | (q.flags & 0x7900) | 0x0080 | (rcode & 15), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const rrs = answers.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    rr.writeUInt32BE(ip >>> 0, 12);
    return rr;
  });
  return Buffer.concat([header, q.questionBytes, ...rrs]);
}
