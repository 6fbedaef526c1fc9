import { familiarString, parseReference, referenceString, withDefaultTag } from '../../oci/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { displayJsonMessages } from './json-messages.js';
import { registryAuthHeader } from '../registry/credentials.js';

/**
 * `pull`: POST /images/create?fromImage=…&tag=…, progress printed as docker does without a terminal,
 * then the full reference. "Using default tag: latest" when none was given.
 */
export const pullCommand: CommandDef = {
  path: ['image', 'pull'],
  aliases: [['pull']],
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', description: 'Download all tagged images in the repository' },
    { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress verbose output' },
  ],
  async run(ctx, flags, [name]) {
    let ref;
    try {
      ref = parseReference(name);
    } catch (e) {
      throw new StatusError((e as Error).message, 1);
    }
    const quiet = flags.bool('quiet');
    const allTags = flags.bool('all-tags');
    if (allTags && (ref.tag || ref.digest)) throw new StatusError('tag can\'t be used with --all-tags/-a', 1);
    if (!allTags && !ref.tag && !ref.digest) {
      if (!quiet) ctx.out('Using default tag: latest\n');
      ref = withDefaultTag(ref);
    }
    const repo = familiarString({ ...ref, tag: undefined, digest: undefined });
    const res = await ctx.client().imagePull(repo, ref.digest ?? ref.tag, flags.string('platform') || undefined, await registryAuthHeader(ctx.configDir(), name));
    await displayJsonMessages(ctx, res, quiet ? () => undefined : (t) => ctx.out(t));
    if (!allTags) ctx.out(`${referenceString(ref)}\n`);
  },
};
