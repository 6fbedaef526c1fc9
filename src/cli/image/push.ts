import { familiarString, parseReference } from '../../oci/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { registryAuthHeader } from '../registry/credentials.js';
import { displayJsonMessages } from './json-messages.js';

/** `push`: POST /images/{name}/push?tag=… with X-Registry-Auth from config.json; progress as docker prints it. */
export const pushCommand: CommandDef = {
  path: ['image', 'push'],
  aliases: [['push']],
  usage: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', description: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress verbose output' },
  ],
  async run(ctx, flags, [name]) {
    let ref;
    try {
      ref = parseReference(name);
    } catch (e) {
      throw new StatusError((e as Error).message, 1);
    }
    if (ref.digest) throw new StatusError('cannot push a digest reference', 1);
    const allTags = flags.bool('all-tags');
    if (allTags && ref.tag) throw new StatusError('tag can\'t be used with --all-tags/-a', 1);
    let tag = ref.tag;
    if (!allTags && !tag) {
      if (!flags.bool('quiet')) ctx.out('Using default tag: latest\n');
      tag = 'latest';
    }
    const repo = familiarString({ ...ref, tag: undefined });
    const res = await ctx.client().imagePush(repo, tag, await registryAuthHeader(ctx.configDir(), name));
    await displayJsonMessages(ctx, res, flags.bool('quiet') ? () => undefined : (t) => ctx.out(t));
    if (flags.bool('quiet')) ctx.out(`${familiarString({ ...ref, tag })}\n`);
  },
};
