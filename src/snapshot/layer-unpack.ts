import { spawn } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { finished, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalidArgument } from '../errdefs/index.js';
import { CommandError, runCommand } from '../util/index.js';
import { fileCompression } from './compression.js';
import { type LayerScan, scanLayer } from './layer-scan.js';
import { mknodWhiteout, OPAQUE_XATTR, setXattr } from './sys-calls.js';

/** Opens a layer archive (plain or gzip, by magic bytes) as an uncompressed tar stream. */
export async function openUncompressed(archive: string): Promise<Readable> {
  const compression = await fileCompression(archive);
  const raw = createReadStream(archive);
  if (compression === 'none') return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/**
 * Unpacks a layer archive into `dest`, which must be a FRESH empty directory (a symlink left by an earlier
 * extraction is exactly what GNU tar cannot defend against, see HOST-NOTES §5).
 *
 * Two passes over the file: scanLayer() validates every member and computes the diff ID without writing
 * anything, so a hostile tar is refused with nothing written at all; then GNU tar extracts the original bytes
 * (owners, modes, setuid, hard links, every xattr incl. security.capability byte for byte); then OCI
 * whiteouts become overlay ones: `.wh.name` → char device 0:0, `.wh..wh..opq` → trusted.overlay.opaque=y.
 */
export async function unpackLayer(archive: string, dest: string): Promise<LayerScan> {
  const scan = await scanLayer(await openUncompressed(archive));
  if (scan.entries === 0) return scan;
  const compression = await fileCompression(archive);
  const args = [...TAR_EXTRACT, '-f', archive, '-C', dest];
  if (compression === 'gzip') args.unshift('-z');
  try {
    await runCommand('tar', args);
  } catch (err) {
    if (err instanceof CommandError) throw invalidArgument(`failed to unpack layer: ${err.stderr.trim() || err.message}`);
    throw err;
  }
  await finishUnpack(dest, scan);
  return scan;
}

const TAR_EXTRACT = ['-x', '--xattrs', '--xattrs-include=*', '--same-owner', '--numeric-owner', '-p'];

/**
 * GNU tar extracting an uncompressed layer tar from a stream into `dest`, a FRESH empty directory, while
 * the same bytes are still being scanned elsewhere: the caller makes the result visible only after that
 * scan passed, and calls finishUnpack() then. Inside a fresh directory GNU tar itself keeps every member
 * inside (HOST-NOTES §5: `..` names refused, absolute names and link targets confined, absolute and `..`
 * symlinks written as placeholders until the end), so a hostile archive cannot write outside `dest` in
 * the meantime; `dest` is thrown away when the scan refuses it.
 */
export function extractTarStream(src: Readable, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', [...TAR_EXTRACT, '-f', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // tar ending early (an error) closes its stdin: the rest of the stream is not wanted
    child.stdin.on('error', () => undefined);
    // a stream that fails or was destroyed already (before tar started) ends tar's input
    finished(src, (err) => {
      if (err) child.stdin.destroy();
    });
    src.pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      src.unpipe(child.stdin);
      reject(invalidArgument(`failed to unpack layer: ${stderr.trim() || `tar exited with ${code}`}`));
    });
  });
}

/** After extraction: OCI whiteouts become overlay ones, and the layer root is root-owned 0755. */
export async function finishUnpack(dest: string, scan: LayerScan): Promise<void> {
  await convertWhiteouts(dest, scan);
  // Docker ignores the tar's own root entry: a layer root is always root-owned 0755 (a `tar -c .` of a
  // mktemp dir would otherwise make / unreadable inside the container).
  await fs.chown(dest, 0, 0);
  await fs.chmod(dest, 0o755);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The scan guaranteed that no directory on these paths is a symlink; checked again on disk so that even a
 * disagreement between tar-stream's and GNU tar's reading of an archive cannot lead a write outside.
 */
async function realDir(dest: string, rel: string): Promise<string> {
  let p = dest;
  for (const part of rel.split('/').filter(Boolean)) {
    p = path.join(p, part);
    const st = await fs.lstat(p);
    if (!st.isDirectory()) throw invalidArgument(`refusing hostile layer: ${rel} is not a directory after extraction`);
  }
  return p;
}

async function convertWhiteouts(dest: string, scan: LayerScan): Promise<void> {
  const touched = new Set<string>();
  for (const meta of scan.metaFiles) {
    const parent = path.posix.dirname(meta) === '.' ? '' : path.posix.dirname(meta);
    await fs.rm(path.join(await realDir(dest, parent), path.posix.basename(meta)), { recursive: true, force: true });
    touched.add(parent);
  }
  for (const wh of scan.whiteouts) {
    const dir = await realDir(dest, wh.dir);
    await fs.rm(path.join(dir, '.wh.' + wh.name), { recursive: true, force: true });
    const target = path.join(dir, wh.name);
    // A whiteout beside an entry of the same name only hides lower layers; overlay cannot say that.
    if (!(await exists(target))) {
      mknodWhiteout(target);
      await fs.lchown(target, wh.uid, wh.gid);
    }
    touched.add(wh.dir);
  }
  for (const d of scan.opaqueDirs) {
    const dir = await realDir(dest, d);
    await fs.rm(path.join(dir, '.wh..wh..opq'), { force: true });
    if (d !== '') setXattr(dir, OPAQUE_XATTR, 'y');
    touched.add(d);
  }
  for (const d of touched) {
    if (d === '') continue;
    const mtime = scan.dirMtimes.get(d);
    if (mtime) await fs.utimes(path.join(dest, d), mtime, mtime);
  }
}
