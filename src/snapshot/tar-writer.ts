/**
 * A minimal POSIX (ustar + pax) tar header writer, for layers berth writes itself. tar-stream cannot
 * write binary pax values (it encodes them as UTF-8), and security.capability is binary.
 */
export interface TarHeader {
  name: string;
  type: 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** pax records with raw values, e.g. SCHILY.xattr.security.capability */
  pax?: Record<string, Buffer>;
}

const TYPEFLAG: Record<TarHeader['type'], string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function octal(buf: Buffer, offset: number, width: number, value: number): boolean {
  const s = Math.floor(value).toString(8);
  if (s.length > width - 1) return false;
  buf.write(s.padStart(width - 1, '0'), offset, 'ascii');
  return true;
}

function ustar(name: string, type: string, h: Omit<TarHeader, 'name' | 'type' | 'pax'>, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  octal(b, 124, 12, size);
  octal(b, 136, 12, Math.floor(h.mtime.getTime() / 1000));
  b.write(type, 156, 1, 'ascii');
  if (h.linkname) b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\x0000', 257, 8, 'binary');
  octal(b, 329, 8, h.devmajor ?? 0);
  octal(b, 337, 8, h.devminor ?? 0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\x00 ', 148, 8, 'binary');
  return b;
}

/** The header block(s) of one member: a pax header first when names, ids, size or pax records need it. */
export function encodeHeader(h: TarHeader): Buffer {
  const records: Buffer[] = [];
  const nameBytes = Buffer.byteLength(h.name);
  if (nameBytes > 100 || /[^\x20-\x7e]/.test(h.name)) records.push(paxRecord('path', Buffer.from(h.name)));
  if (h.linkname && (Buffer.byteLength(h.linkname) > 100 || /[^\x20-\x7e]/.test(h.linkname))) records.push(paxRecord('linkpath', Buffer.from(h.linkname)));
  if (h.uid > 0o7777777) records.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (h.gid > 0o7777777) records.push(paxRecord('gid', Buffer.from(String(h.gid))));
  if (h.size > 0o77777777777) records.push(paxRecord('size', Buffer.from(String(h.size))));
  for (const [k, v] of Object.entries(h.pax ?? {})) records.push(paxRecord(k, v));
  const main = ustar(nameBytes > 100 ? h.name.slice(-99).replace(/^\/+/, '') : h.name, TYPEFLAG[h.type], { ...h, linkname: h.linkname?.slice(0, 100) }, h.size > 0o77777777777 ? 0 : h.size);
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const paxName = `PaxHeaders/${h.name.split('/').pop()?.slice(0, 80) ?? ''}`;
  return Buffer.concat([ustar(paxName, 'x', { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: h.mtime }, pax.length), pax, padding(pax.length), main]);
}
