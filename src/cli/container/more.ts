import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../client/index.js';
import { familiarRepository, parseReference } from '../../oci/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';

/** pause, unpause, top, export, diff and commit: thin wrappers over their endpoints, docker's output. */
function many(name: 'pause' | 'unpause', short: string): CommandDef {
  return {
    path: ['container', name],
    aliases: [[name]],
    usage: 'CONTAINER [CONTAINER...]',
    short,
    args: { min: 1 },
    async run(ctx, _flags, args) {
      const errors: string[] = [];
      for (const c of args) {
        try {
          await (name === 'pause' ? ctx.client().containerPause(c) : ctx.client().containerUnpause(c));
          ctx.out(`${c}\n`);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          errors.push(err.display);
        }
      }
      if (errors.length) throw new StatusError(errors.join('\n'), 1);
    },
  };
}

export const pauseCommand = many('pause', 'Pause all processes within one or more containers');
export const unpauseCommand = many('unpause', 'Unpause all processes within one or more containers');

export const topCommand: CommandDef = {
  path: ['container', 'top'],
  aliases: [['top']],
  usage: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  args: { min: 1 },
  interspersed: false,
  async run(ctx, _flags, [container, ...psArgs]) {
    const top = await ctx.client().containerTop(container, psArgs.length ? psArgs.join(' ') : undefined);
    let text = `${top.Titles.join('\t')}\n`;
    for (const p of top.Processes ?? []) text += `${p.join('\t')}\n`;
    ctx.out(tabwrite(text, { minwidth: 20, padding: 3 }));
  },
};

export const exportCommand: CommandDef = {
  path: ['container', 'export'],
  aliases: [['export']],
  usage: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  args: { min: 1, max: 1 },
  flags: [{ name: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  async run(ctx, flags, [container]) {
    const output = flags.string('output');
    if (!output && ctx.stdout.isTTY) throw new StatusError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    const res = await ctx.client().containerExport(container);
    if (!output) return void (await pipeline(res, ctx.stdout, { end: false }));
    const tmp = `${output}.${process.pid}.tmp`;
    try {
      await pipeline(res, createWriteStream(tmp));
      await rename(tmp, output);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new StatusError(`failed to export container: ${(e as Error).message}`, 1);
    }
  },
};

const KINDS = ['C', 'A', 'D'];

export const diffCommand: CommandDef = {
  path: ['container', 'diff'],
  aliases: [['diff']],
  usage: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  args: { min: 1, max: 1 },
  async run(ctx, _flags, [container]) {
    const changes = (await ctx.client().containerChanges(container)) ?? [];
    ctx.out(changes.map((c) => `${KINDS[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
  },
};

export const commitCommand: CommandDef = {
  path: ['container', 'commit'],
  aliases: [['commit']],
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  args: { min: 1, max: 2 },
  flags: [
    { name: 'author', short: 'a', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', description: 'Commit message' },
    { name: 'pause', short: 'p', type: 'bool', default: true, description: 'Pause container during commit' },
  ],
  async run(ctx, flags, [container, reference]) {
    let repo: string | undefined;
    let tag: string | undefined;
    if (reference) {
      try {
        const ref = parseReference(reference);
        if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
        repo = familiarRepository(ref);
        tag = ref.tag;
      } catch (e) {
        throw new StatusError((e as Error).message, 1);
      }
    }
    const res = await ctx.client().commit({
      container,
      repo,
      tag,
      comment: flags.string('message') || undefined,
      author: flags.string('author') || undefined,
      pause: flags.bool('pause'),
      changes: flags.list('change'),
    });
    ctx.out(`${res.Id}\n`);
  },
};
