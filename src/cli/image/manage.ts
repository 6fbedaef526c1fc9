import { createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../client/index.js';
import { familiarRepository, parseReference } from '../../oci/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { parseFilterFlags } from '../filter-flags.js';
import { rfc3339 } from '../format/go-time.js';
import { humanDuration, humanSize } from '../format/humanize.js';
import { FormatterContext, renderList } from '../format/list-format.js';
import { ellipsis, truncateId } from '../format/strings.js';
import { confirm } from '../prompt.js';
import { displayJsonMessages } from './json-messages.js';

/** Image commands other than `images`: rmi, tag, save, load, import, history, prune. */
export const rmiCommand: CommandDef = {
  path: ['image', 'rm'],
  aliases: [['image', 'remove'], ['rmi']],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  args: { min: 1 },
  flags: [
    { name: 'force', short: 'f', type: 'bool', description: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', description: 'Do not delete untagged parents' },
  ],
  async run(ctx, flags, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        const items = await ctx.client().imageRemove(name, { force: flags.bool('force'), noprune: flags.bool('no-prune') });
        for (const it of items ?? []) {
          if (it.Deleted) ctx.out(`Deleted: ${it.Deleted}\n`);
          else if (it.Untagged) ctx.out(`Untagged: ${it.Untagged}\n`);
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(err.display);
      }
    }
    if (errors.length) throw new StatusError(errors.join('\n'), 1);
  },
};

export const tagCommand: CommandDef = {
  path: ['image', 'tag'],
  aliases: [['tag']],
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  async run(ctx, _flags, [source, target]) {
    let repo: string;
    let tag: string | undefined;
    try {
      const ref = parseReference(target);
      if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
      repo = familiarRepository(ref);
      tag = ref.tag ?? 'latest';
    } catch (e) {
      throw new StatusError(`Error parsing reference: "${target}" is not a valid repository/tag: ${(e as Error).message}`, 1);
    }
    await ctx.client().imageTag(source, repo, tag);
  },
};

export const saveCommand: CommandDef = {
  path: ['image', 'save'],
  aliases: [['save']],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  args: { min: 1 },
  flags: [
    { name: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' },
    { name: 'platform', type: 'string', description: 'Save only the given platform variant' },
  ],
  async run(ctx, flags, args) {
    const output = flags.string('output');
    if (!output && ctx.stdout.isTTY) {
      throw new StatusError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    }
    const res = await ctx.client().imageSave(args);
    if (!output) {
      await pipeline(res, ctx.stdout, { end: false });
      return;
    }
    // written beside the target and renamed, so a failed save leaves no partial file
    const tmp = `${output}.${process.pid}.tmp`;
    try {
      await pipeline(res, createWriteStream(tmp));
      await rename(tmp, output);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new StatusError(`failed to save image: ${(e as Error).message}`, 1);
    }
  },
};

export const loadCommand: CommandDef = {
  path: ['image', 'load'],
  aliases: [['load']],
  usage: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  args: { max: 0 },
  flags: [
    { name: 'input', short: 'i', type: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the load output' },
    { name: 'platform', type: 'list', description: 'Load only the given platform(s)' },
  ],
  async run(ctx, flags) {
    const input = flags.string('input');
    if (!input && ctx.stdin.isTTY) throw new StatusError('requested load from stdin, but stdin is empty', 1);
    let src;
    if (input) {
      src = createReadStream(input);
      await new Promise<void>((resolve, reject) => {
        src!.once('open', () => resolve());
        src!.once('error', (e: NodeJS.ErrnoException) =>
          reject(new StatusError(`open ${input}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`, 1)),
        );
      });
    } else src = ctx.stdin;
    // docker: without a terminal there is no progress to show
    const quiet = flags.bool('quiet') || !ctx.stdout.isTTY;
    const res = await ctx.client().imageLoad(src, quiet);
    if (String(res.headers['content-type'] ?? '').includes('json')) await displayJsonMessages(ctx, res);
    else await pipeline(res, ctx.stdout, { end: false });
  },
};

export const importCommand: CommandDef = {
  path: ['image', 'import'],
  aliases: [['import']],
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  args: { min: 1, max: 2 },
  flags: [
    { name: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', description: 'Set commit message for imported image' },
    { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx, flags, [source, repository]) {
    if (repository) {
      try {
        parseReference(repository);
      } catch (e) {
        throw new StatusError((e as Error).message, 1);
      }
    }
    let src: NodeJS.ReadableStream | string;
    if (source === '-') src = ctx.stdin;
    else if (/^https?:\/\//.test(source)) src = source;
    else {
      const f = createReadStream(source);
      await new Promise<void>((resolve, reject) => {
        f.once('open', () => resolve());
        f.once('error', (e: NodeJS.ErrnoException) =>
          reject(new StatusError(`open ${source}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`, 1)),
        );
      });
      src = f;
    }
    const res = await ctx.client().imageImport(src as never, {
      repo: repository,
      message: flags.string('message') || undefined,
      changes: flags.list('change'),
      platform: flags.string('platform') || undefined,
    });
    await displayJsonMessages(ctx, res);
  },
};

class HistoryContext extends FormatterContext {}
Object.defineProperty(HistoryContext, 'name', { value: 'image.historyContext' });

export const HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export const historyCommand: CommandDef = {
  path: ['image', 'history'],
  aliases: [['history']],
  usage: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'human', short: 'H', type: 'bool', default: true, description: 'Print sizes and dates in human readable format' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'platform', type: 'string', description: 'Show history for the given platform' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, flags, [name]) {
    const items = await ctx.client().imageHistory(name);
    const trunc = !flags.bool('no-trunc');
    const human = flags.bool('human');
    const now = Date.now();
    const rows = items.map((h) => {
      const createdBy = h.CreatedBy.replace(/\t/g, ' ');
      return new HistoryContext({
        Comment: h.Comment,
        CreatedAt: rfc3339(h.Created),
        CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
        CreatedSince: human ? `${humanDuration(now - h.Created * 1000)} ago` : rfc3339(h.Created),
        ID: trunc && h.Id !== '<missing>' ? truncateId(h.Id) : h.Id,
        Size: human ? humanSize(h.Size) : String(h.Size),
      });
    });
    ctx.out(
      renderList({
        format: flags.string('format'),
        defaultTable: human ? HISTORY_TABLE : HISTORY_TABLE.replace('{{.CreatedSince}}', '{{.CreatedAt}}'),
        quiet: flags.bool('quiet'),
        headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
        rows,
      }),
    );
  },
};

export const imagePruneCommand: CommandDef = {
  path: ['image', 'prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused images',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused images, not just dangling ones' },
    { name: 'filter', type: 'list', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const all = flags.bool('all');
    const warning = all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!flags.bool('force') && !(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return 0;
    const filters = parseFilterFlags(flags.list('filter'), '--filter');
    filters.dangling = [all ? 'false' : 'true'];
    const res = await ctx.client().imagePrune(filters);
    const deleted = res.ImagesDeleted ?? [];
    if (deleted.length) {
      ctx.out('Deleted Images:\n');
      for (const d of deleted) ctx.out(d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`);
      ctx.out('\n');
    }
    ctx.out(`Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0, 4)}\n`);
  },
};
