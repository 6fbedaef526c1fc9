import { invalidArgument } from '../errdefs/index.js';

/**
 * A build context tar read as it arrives, synchronously per chunk: the members a context has (files,
 * directories, symlinks, hard links) with USTAR prefixes, PAX records (path, linkpath, size, uid, gid,
 * mtime) and GNU long names; other types are passed on for the caller to skip. No stream machinery: a
 * context of thousands of small files is parsed in the time its bytes take to arrive.
 *
 * Lifecycle: push(chunk)… → end() (a tar may stop after its last member without the zero blocks, as Go's
 * reader allows; one cut inside a member is refused).
 */
export interface TarMember {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkname: string;
}

const BLOCK = 512;

export class TarReader {
  private buf: Buffer = Buffer.alloc(0);
  private member?: { header: TarMember; kind: string; need: number; parts: Buffer[]; got: number };
  private pax: Record<string, string> = {};
  private longName?: string;
  private longLink?: string;
  private finished = false;

  constructor(private readonly onMember: (m: TarMember, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (this.finished) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (this.member) {
        const m = this.member;
        const take = Math.min(m.need - m.got, this.buf.length - off);
        if (take > 0) {
          m.parts.push(this.buf.subarray(off, off + take));
          m.got += take;
          off += take;
        }
        if (m.got < m.need) break;
        const padded = (BLOCK - (m.need % BLOCK)) % BLOCK;
        if (this.buf.length - off < padded) break;
        off += padded;
        this.member = undefined;
        this.complete(m.header, m.kind, m.parts.length === 1 ? m.parts[0]! : Buffer.concat(m.parts));
        continue;
      }
      if (this.buf.length - off < BLOCK) break;
      const h = this.buf.subarray(off, off + BLOCK);
      off += BLOCK;
      if (h.every((b) => b === 0)) {
        this.finished = true;
        break;
      }
      this.header(h);
    }
    // keep only what is unread (copied: the chunk's buffer may be reused by the caller)
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
  }

  end(): void {
    const m = this.member;
    if (!m || this.finished) return;
    // the data is all there, only its padding is cut (the docker CLI's `-f -` rewrite does this)
    if (m.got < m.need) throw invalidArgument('invalid build context: unexpected end of the tar inside a member');
    this.member = undefined;
    this.complete(m.header, m.kind, m.parts.length === 1 ? m.parts[0]! : Buffer.concat(m.parts));
  }

  private header(h: Buffer): void {
    const sum = octal(h, 148, 8);
    let computed = 0;
    for (let i = 0; i < BLOCK; i++) computed += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== computed) throw invalidArgument('invalid build context: archive/tar: invalid tar header (bad checksum)');
    const typeflag = String.fromCharCode(h[156]!);
    let name = str(h, 0, 100);
    const magic = h.subarray(257, 263).toString('latin1');
    if (magic === 'ustar\0') {
      const prefix = str(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const size = num(h, 124, 12);
    const header: TarMember = {
      name,
      type: typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : typeflag === '2' ? 'symlink' : typeflag === '1' ? 'link' : 'other',
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      mtime: new Date(num(h, 136, 12) * 1000),
      size,
      linkname: str(h, 157, 100),
    };
    const hasData = header.type === 'file' || typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K' || header.type === 'other';
    const need = hasData ? (this.pax.size !== undefined && header.type === 'file' ? Number(this.pax.size) : size) : 0;
    if (!Number.isSafeInteger(need) || need < 0) throw invalidArgument('invalid build context: archive/tar: invalid size');
    this.member = { header, kind: typeflag, need, parts: [], got: 0 };
  }

  private complete(header: TarMember, kind: string, data: Buffer): void {
    switch (kind) {
      case 'x':
        this.pax = { ...this.pax, ...parsePax(data) };
        return;
      case 'g':
        return;
      case 'L':
        this.longName = cString(data);
        return;
      case 'K':
        this.longLink = cString(data);
        return;
    }
    const pax = this.pax;
    if (this.longName !== undefined) header.name = this.longName;
    if (this.longLink !== undefined) header.linkname = this.longLink;
    if (pax.path !== undefined) header.name = pax.path;
    if (pax.linkpath !== undefined) header.linkname = pax.linkpath;
    if (pax.uid !== undefined) header.uid = Number(pax.uid);
    if (pax.gid !== undefined) header.gid = Number(pax.gid);
    if (pax.mtime !== undefined) header.mtime = new Date(Number(pax.mtime) * 1000);
    if (pax.size !== undefined) header.size = Number(pax.size);
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    this.onMember(header, header.type === 'file' ? data : Buffer.alloc(0));
  }
}

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}

function str(h: Buffer, off: number, len: number): string {
  return cString(h.subarray(off, off + len));
}

function octal(h: Buffer, off: number, len: number): number {
  const s = h.subarray(off, off + len).toString('latin1').replace(/[\0 ]+$/, '').trim();
  return s ? parseInt(s, 8) : 0;
}

/** A numeric field: octal, or GNU base-256 when the high bit is set. */
function num(h: Buffer, off: number, len: number): number {
  if (h[off]! & 0x80) {
    let v = h[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    return v;
  }
  const v = octal(h, off, len);
  if (Number.isNaN(v)) throw invalidArgument('invalid build context: archive/tar: invalid numeric field');
  return v;
}

/** PAX records: "<len> <key>=<value>\n"… */
function parsePax(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < b.length) {
    const sp = b.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(b.subarray(off, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || off + len > b.length) throw invalidArgument('invalid build context: archive/tar: invalid PAX record');
    const rec = b.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}
