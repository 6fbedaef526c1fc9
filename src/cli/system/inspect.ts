import { ApiError, type EngineClient } from '../../client/index.js';
import { type CommandContext, type CommandDef, StatusError } from '../command.js';
import { compileTemplate, execTemplate } from '../format/templates.js';

/**
 * `inspect`, `container inspect`, `image inspect`: the daemon's documents as a JSON array indented by
 * four spaces, or each rendered through -f/--format. Missing objects are reported after the output.
 */
type Getter = (client: EngineClient, name: string, size: boolean) => Promise<unknown>;

const getters: Record<string, Getter> = {
  container: (c, n, s) => c.containerInspectRaw(n, s),
  image: (c, n) => c.imageInspectRaw(n),
  network: (c, n) => c.networkInspectRaw(n),
  volume: (c, n) => c.volumeInspectRaw(n),
};

async function inspectAll(ctx: CommandContext, names: string[], format: string, size: boolean, kind: string | undefined): Promise<number> {
  const client = ctx.client();
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    if (kind) {
      const get = getters[kind];
      try {
        found.push(await get(client, name, size));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(err.display);
      }
      continue;
    }
    let doc: unknown;
    for (const get of Object.values(getters)) {
      try {
        doc = await get(client, name, size);
        break;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
      }
    }
    if (doc === undefined) errors.push(`Error: No such object: ${name}`);
    else found.push(doc);
  }
  if (format) {
    const tmpl = compileTemplate(format);
    for (const doc of found) ctx.out(`${execTemplate(tmpl, doc)}\n`);
  } else {
    ctx.out(`${JSON.stringify(found, null, 4)}\n`);
  }
  if (errors.length) throw new StatusError(errors.join('\n'), 1);
  return 0;
}

const FLAGS = [
  { name: 'format', short: 'f', type: 'string' as const, description: 'Format output using a custom template' },
  { name: 'size', short: 's', type: 'bool' as const, description: 'Display total file sizes if the type is container' },
];

export const inspectCommand: CommandDef = {
  path: ['inspect'],
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  args: { min: 1 },
  flags: [...FLAGS, { name: 'type', type: 'string', description: 'Only inspect objects of the given type' }],
  async run(ctx, flags, args) {
    const type = flags.string('type');
    if (type && !getters[type]) {
      throw new StatusError(
        `unknown type: "${type}": must be one of "config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"`,
        1,
      );
    }
    return inspectAll(ctx, args, flags.string('format'), flags.bool('size'), type || undefined);
  },
};

export const containerInspectCommand: CommandDef = {
  path: ['container', 'inspect'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: { min: 1 },
  flags: FLAGS,
  run: (ctx, flags, args) => inspectAll(ctx, args, flags.string('format'), flags.bool('size'), 'container'),
};

export const imageInspectCommand: CommandDef = {
  path: ['image', 'inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { min: 1 },
  flags: [FLAGS[0]],
  run: (ctx, flags, args) => inspectAll(ctx, args, flags.string('format'), false, 'image'),
};

export const networkInspectCommand: CommandDef = {
  path: ['network', 'inspect'],
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [FLAGS[0]],
  run: (ctx, flags, args) => inspectAll(ctx, args, flags.string('format'), false, 'network'),
};

export const volumeInspectCommand: CommandDef = {
  path: ['volume', 'inspect'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: { min: 1 },
  flags: [FLAGS[0]],
  run: (ctx, flags, args) => inspectAll(ctx, args, flags.string('format'), false, 'volume'),
};
