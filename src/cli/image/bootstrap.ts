import { type CommandDef, StatusError } from '../command.js';
import { displayJsonMessages } from './json-messages.js';

/**
 * `berth image bootstrap busybox`: berth's own command (no docker equivalent). Builds busybox:latest
 * offline from the host's busybox-static and imports it, so a fresh host can run containers without
 * a registry.
 */
export const bootstrapCommand: CommandDef = {
  path: ['image', 'bootstrap'],
  usage: 'busybox',
  short: 'Build an image offline from the host (busybox:latest from busybox-static)',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'tag', type: 'string', default: 'busybox:latest', description: 'Name and tag of the image' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Print nothing on success' },
  ],
  async run(ctx, flags, [what]) {
    if (what !== 'busybox') throw new StatusError(`unknown bootstrap image "${what}": only "busybox" is available`, 1);
    // loaded here, not at start-up: only this command needs tar-stream
    const { BUSYBOX_CHANGES, buildBusyboxRootfs } = await import('./busybox-rootfs.js');
    const tar = await buildBusyboxRootfs();
    const res = await ctx.client().imageImport(tar, { repo: flags.string('tag'), changes: BUSYBOX_CHANGES });
    await displayJsonMessages(ctx, res, flags.bool('quiet') ? () => undefined : ctx.out);
  },
};
