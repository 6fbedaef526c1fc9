import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GO_MODE_DIR } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';

/**
 * `cp`: copies between a container and the local filesystem through the archive endpoints, with
 * docker's naming rule: into an existing directory the source keeps its name, otherwise the copy is
 * named after the destination. `-` stands for a tar stream on stdin/stdout. tar-stream is loaded
 * only here.
 */
interface Side {
  container?: string;
  path: string;
}

/** docker's splitCpArg: a leading "/" or "." is always local; otherwise "name:path" is a container path. */
export function splitCpArg(arg: string): Side {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

function safeJoin(root: string, rel: string): string {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  if (parts.includes('..')) throw new StatusError(`refusing to extract ${rel}: it leaves the destination`, 1);
  return path.join(root, ...parts);
}

async function extract(tarStream: Readable, destDir: string, renameRoot?: string): Promise<void> {
  const tar = (await import('tar-stream')).default;
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const finish = (err?: unknown): void => {
        if (err) {
          stream.resume();
          reject(err);
          return;
        }
        next();
      };
      let rel = h.name.replace(/^\.?\/+/, '');
      if (renameRoot !== undefined) {
        const slash = rel.indexOf('/');
        rel = slash >= 0 ? `${renameRoot}${rel.slice(slash)}` : renameRoot;
      }
      let target: string;
      try {
        target = safeJoin(destDir, rel);
      } catch (e) {
        finish(e);
        return;
      }
      const mode = (h.mode ?? 0o644) & 0o7777;
      (async () => {
        if (h.type === 'directory') {
          await fs.mkdir(target, { recursive: true, mode });
          stream.resume();
          await new Promise<void>((r) => stream.once('end', () => r()));
        } else if (h.type === 'symlink') {
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.rm(target, { force: true });
          await fs.symlink(h.linkname ?? '', target);
          stream.resume();
          await new Promise<void>((r) => stream.once('end', () => r()));
        } else if (h.type === 'file' || h.type === 'contiguous-file') {
          await fs.mkdir(path.dirname(target), { recursive: true });
          await pipeline(stream, createWriteStream(target, { mode }));
          await fs.chmod(target, mode);
        } else {
          stream.resume();
          await new Promise<void>((r) => stream.once('end', () => r()));
        }
      })().then(() => finish(), finish);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  tarStream.pipe(ex);
  await done;
}

/** A tar of `src`, its top entry named `rootName`. */
async function pack(src: string, rootName: string): Promise<Readable> {
  const tar = (await import('tar-stream')).default;
  const p = tar.pack();
  const out = new PassThrough();
  p.pipe(out);
  const walk = async (abs: string, name: string): Promise<void> => {
    const st = await fs.lstat(abs);
    const common = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      await new Promise<void>((r, j) => p.entry({ ...common, name: `${name}/`, type: 'directory' }, (e) => (e ? j(e) : r())));
      for (const child of (await fs.readdir(abs)).sort()) await walk(path.join(abs, child), `${name}/${child}`);
    } else if (st.isSymbolicLink()) {
      const linkname = await fs.readlink(abs);
      await new Promise<void>((r, j) => p.entry({ ...common, type: 'symlink', linkname }, (e) => (e ? j(e) : r())));
    } else if (st.isFile()) {
      const data = await fs.readFile(abs);
      await new Promise<void>((r, j) => p.entry({ ...common, type: 'file', size: data.length }, data, (e) => (e ? j(e) : r())));
    }
  };
  walk(src, rootName).then(
    () => p.finalize(),
    (e: unknown) => p.destroy(e as Error),
  );
  return out;
}

export const cpCommand: CommandDef = {
  path: ['container', 'cp'],
  aliases: [['cp']],
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  short: 'Copy files/folders between a container and the local filesystem',
  args: { min: 2, max: 2 },
  flags: [
    { name: 'archive', short: 'a', type: 'bool', description: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', type: 'bool', description: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress progress output during copy' },
  ],
  async run(ctx, _flags, [srcArg, dstArg]) {
    const src = splitCpArg(srcArg);
    const dst = splitCpArg(dstArg);
    if (src.container && dst.container) throw new StatusError('copying between containers is not supported', 1);
    if (!src.container && !dst.container) throw new StatusError('must specify at least one container source', 1);
    const client = ctx.client();
    if (src.container) {
      const { tar } = await client.containerArchiveGet(src.container, src.path);
      if (dst.path === '-') {
        await pipeline(tar, ctx.stdout, { end: false });
        return;
      }
      const dest = path.resolve(dst.path);
      const st = await fs.stat(dest).catch(() => undefined);
      if (st?.isDirectory()) await extract(tar, dest);
      else {
        if (dst.path.endsWith('/')) throw new StatusError(`destination directory "${dst.path}" must exist`, 1);
        await extract(tar, path.dirname(dest), path.basename(dest));
      }
      return;
    }
    const container = dst.container as string;
    if (src.path === '-') {
      await client.containerArchivePut(container, dst.path, ctx.stdin);
      return;
    }
    const local = path.resolve(src.path);
    const lst = await fs.lstat(local).catch(() => undefined);
    if (!lst) throw new StatusError(`lstat ${local}: no such file or directory`, 1);
    const target = await client.containerArchiveStat(container, dst.path);
    let dir: string;
    let rootName: string;
    if (target && (target.mode & GO_MODE_DIR) !== 0) {
      dir = dst.path;
      rootName = path.basename(local);
    } else {
      if (!target && dst.path.endsWith('/')) throw new StatusError(`destination directory "${dst.path}" must exist`, 1);
      dir = path.posix.dirname(dst.path.replace(/\/+$/, '')) || '/';
      rootName = path.posix.basename(dst.path.replace(/\/+$/, ''));
    }
    await client.containerArchivePut(container, dir, await pack(local, rootName));
  },
};
