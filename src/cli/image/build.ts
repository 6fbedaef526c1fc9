import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { readJsonLines, type JsonMessage } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { humanSize } from '../format/humanize.js';
import { listContext } from './build-context.js';
import { PlainProgress, progressMode, type StepEvent, TtyProgress } from './build-progress.js';
import { registryConfigHeader } from '../registry/credentials.js';

/**
 * `build` with the classic builder API (POST /build): the context directory is sent as a tar (with
 * .dockerignore applied), the daemon's stream is printed as it comes, and a failing step's exit code
 * becomes the CLI's. `-` reads a context tar, or a lone Dockerfile, from stdin. `--progress` (and a
 * terminal without it) draws per-step progress from berthd's step events instead (build-progress.ts).
 */
async function packContext(root: string, dockerfileRel: string, extra?: { name: string; data: Buffer }): Promise<{ stream: Readable; size: Promise<number> }> {
  const tar = (await import('tar-stream')).default;
  const entries = await listContext(root, dockerfileRel);
  const p = tar.pack();
  const out = new PassThrough();
  let size = 0;
  const counted = new PassThrough();
  counted.on('data', (c: Buffer) => (size += c.length));
  p.pipe(counted).pipe(out);
  const sizeDone = new Promise<number>((resolve) => counted.on('end', () => resolve(size)));
  (async () => {
    let ignoreWritten = false;
    for (const e of entries) {
      const st = await fs.lstat(e.abs);
      if (extra && e.rel === '.dockerignore' && st.isFile()) {
        // docker appends the Dockerfile's random name to .dockerignore so the builder leaves it out
        const data = Buffer.concat([await fs.readFile(e.abs), Buffer.from(`\n${extra.name}\n`)]);
        await entry(p, { name: e.rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0, type: 'file', size: data.length }, data);
        ignoreWritten = true;
        continue;
      }
      const common = { name: e.rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) await entry(p, { ...common, name: `${e.rel}/`, type: 'directory' });
      else if (st.isSymbolicLink()) await entry(p, { ...common, type: 'symlink', linkname: await fs.readlink(e.abs) });
      else if (st.isFile()) {
        const data = await fs.readFile(e.abs);
        await entry(p, { ...common, type: 'file', size: data.length }, data);
      }
    }
    if (extra) {
      await entry(p, { name: extra.name, mode: 0o600, mtime: new Date(), type: 'file', size: extra.data.length }, extra.data);
      if (!ignoreWritten) {
        const data = Buffer.from(`\n${extra.name}\n`);
        await entry(p, { name: '.dockerignore', mode: 0o600, mtime: new Date(), type: 'file', size: data.length }, data);
      }
    }
    p.finalize();
  })().catch((e: unknown) => p.destroy(e as Error));
  return { stream: out, size: sizeDone };
}

type TarPack = ReturnType<(typeof import('tar-stream'))['pack']>;
type TarHeader = Parameters<TarPack['entry']>[0];

function entry(p: TarPack, header: TarHeader, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (e?: Error | null): void => (e ? reject(e) : resolve());
    if (data) p.entry(header, data, cb);
    else p.entry(header, cb);
  });
}

const kv = (items: string[], env: NodeJS.ProcessEnv): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const o of items) {
    const eq = o.indexOf('=');
    if (eq >= 0) out[o.slice(0, eq)] = o.slice(eq + 1);
    else if (env[o] !== undefined) out[o] = env[o] as string; // --build-arg NAME takes the value from the environment
  }
  return out;
};

export const buildCommand: CommandDef = {
  path: ['image', 'build'],
  aliases: [['build'], ['builder', 'build']],
  usage: '[OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'add-host', type: 'list', description: 'Add a custom host-to-IP mapping ("host:ip")' },
    { name: 'build-arg', type: 'list', description: 'Set build-time variables' },
    { name: 'file', short: 'f', type: 'string', description: "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
    { name: 'force-rm', type: 'bool', description: 'Always remove intermediate containers' },
    { name: 'iidfile', type: 'string', description: 'Write the image ID to the file' },
    { name: 'label', type: 'list', description: 'Set metadata for an image' },
    { name: 'network', type: 'string', description: 'Set the networking mode for the RUN instructions during build', default: 'default' },
    { name: 'no-cache', type: 'bool', description: 'Do not use cache when building the image' },
    { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
    { name: 'progress', type: 'string', description: 'Set type of progress output ("auto", "plain", "tty", "quiet"): per-step progress; without it, the classic output unless on a terminal' },
    { name: 'pull', type: 'bool', description: 'Always attempt to pull a newer version of the image' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the build output and print image ID on success' },
    { name: 'rm', type: 'bool', default: true, description: 'Remove intermediate containers after a successful build' },
    { name: 'tag', short: 't', type: 'list', description: 'Name and optionally a tag in the "name:tag" format' },
    { name: 'target', type: 'string', description: 'Set the target build stage to build.' },
  ],
  async run(ctx, flags, [contextArg]) {
    let body: Readable;
    let size: Promise<number> | undefined;
    let dockerfile = flags.string('file');
    let remote: string | undefined;
    if (contextArg === '-') {
      const input = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        ctx.stdin.on('data', (c: Buffer) => chunks.push(c));
        ctx.stdin.once('end', () => resolve(Buffer.concat(chunks)));
        ctx.stdin.once('error', reject);
      });
      const isTar = input.length > 262 && input.subarray(257, 262).toString() === 'ustar';
      if (isTar) {
        body = PassThrough.from([input]) as unknown as Readable;
        size = Promise.resolve(input.length);
      } else {
        const tar = (await import('tar-stream')).default;
        const p = tar.pack();
        p.entry({ name: 'Dockerfile', size: input.length, mode: 0o600 }, input);
        p.finalize();
        body = p as unknown as Readable;
        dockerfile = 'Dockerfile';
      }
    } else if (/^(https?:\/\/|git@|github\.com\/)/.test(contextArg)) {
      remote = contextArg;
      body = PassThrough.from([]) as unknown as Readable;
    } else {
      const root = path.resolve(contextArg);
      const st = await fs.stat(root).catch(() => undefined);
      if (!st?.isDirectory()) throw new StatusError(`unable to prepare context: path "${contextArg}" not found`, 1);
      const dfPath = dockerfile ? path.resolve(dockerfile) : path.join(root, 'Dockerfile');
      if (!(await fs.stat(dfPath).catch(() => undefined))) {
        throw new StatusError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dfPath}: no such file or directory`, 1);
      }
      const rel = path.relative(root, dfPath);
      let extra: { name: string; data: Buffer } | undefined;
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        // a Dockerfile outside the context travels inside it under a random name, as docker does
        const name = `.dockerfile.${Math.random().toString(16).slice(2, 22)}`;
        extra = { name, data: await fs.readFile(dfPath) };
        dockerfile = name;
      } else dockerfile = rel.split(path.sep).join('/');
      const packed = await packContext(root, dockerfile, extra);
      body = packed.stream;
      size = packed.size;
    }
    let mode: ReturnType<typeof progressMode>;
    try {
      mode = progressMode(flags.string('progress'), flags.bool('quiet'), !!ctx.stdout.isTTY);
    } catch (err) {
      throw new StatusError((err as Error).message, 1);
    }
    const quiet = flags.bool('quiet') || mode === 'quiet';
    const renderer = mode === 'plain' ? new PlainProgress((t) => ctx.out(t)) : mode === 'tty' ? new TtyProgress((t) => ctx.out(t), () => ctx.stdout.columns || 80) : undefined;
    const res = await ctx.client().imageBuild(body, {
      tags: flags.list('tag'),
      registryConfig: await registryConfigHeader(ctx.configDir()),
      query: {
        remote,
        dockerfile: dockerfile || undefined,
        buildargs: JSON.stringify(kv(flags.list('build-arg'), ctx.env)),
        labels: JSON.stringify(kv(flags.list('label'), {})),
        q: quiet || undefined,
        nocache: flags.bool('no-cache') || undefined,
        pull: flags.bool('pull') || undefined,
        rm: flags.bool('rm'),
        forcerm: flags.bool('force-rm') || undefined,
        target: flags.string('target') || undefined,
        networkmode: flags.string('network'),
        platform: flags.string('platform') || undefined,
        extrahosts: flags.list('add-host').length ? flags.list('add-host').join(',') : undefined,
        version: '1',
        berthprogress: renderer ? 1 : undefined,
      },
    });
    if (size && !quiet && !renderer) ctx.out(`Sending build context to Docker daemon  ${humanSize(await size, 4).padStart(8)}\n`);
    let imageId = '';
    for await (const msg of readJsonLines<JsonMessage & { aux?: { ID?: string }; berthStep?: StepEvent }>(res)) {
      if (msg.errorDetail || msg.error) {
        renderer?.finish(false);
        const code = msg.errorDetail?.code || 1;
        throw new StatusError(msg.errorDetail?.message ?? msg.error ?? 'unknown error', code);
      }
      if (msg.aux && typeof msg.aux === 'object' && msg.aux.ID) imageId = msg.aux.ID;
      if (quiet) continue;
      if (msg.berthStep) {
        renderer?.event(msg.berthStep);
        continue;
      }
      if (msg.progressDetail && (msg.progressDetail.current || msg.progressDetail.total)) continue;
      if (msg.stream !== undefined && renderer) renderer.text(msg.stream);
      else if (msg.stream !== undefined) ctx.out(msg.stream);
      else if (msg.status !== undefined) ctx.out(`${msg.id ? `${msg.id}: ` : ''}${msg.status}\n`);
    }
    renderer?.finish(true);
    if (quiet && imageId) ctx.out(`${imageId}\n`);
    if (flags.string('iidfile') && imageId) await fs.writeFile(flags.string('iidfile'), imageId);
  },
};
