import type { ImageSummary } from '../../client/index.js';
import { familiarRepository, parseReference } from '../../oci/index.js';
import type { CommandDef } from '../command.js';
import { goTimeString } from '../format/go-time.js';
import { humanDuration, humanSize } from '../format/humanize.js';
import { FormatterContext, renderList } from '../format/list-format.js';
import { truncateId } from '../format/strings.js';
import { parseFilterFlags } from '../filter-flags.js';

/**
 * `images` / `image ls`: docker's image formatter. One row per repository:tag (per digest too with
 * --digests); an image with neither shows as <none> <none>.
 */
export const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_DIGEST_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGE_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

function familiar(ref: string): { repo: string; tag?: string; digest?: string } | undefined {
  try {
    const r = parseReference(ref);
    return { repo: familiarRepository(r), tag: r.tag, digest: r.digest };
  } catch {
    return undefined;
  }
}

class ImageContext extends FormatterContext {}
Object.defineProperty(ImageContext, 'name', { value: 'formatter.imageContext' });

export function imageRows(images: ImageSummary[], opts: { digests: boolean; trunc: boolean; now?: number }): ImageContext[] {
  const now = opts.now ?? Date.now();
  const rows: ImageContext[] = [];
  for (const img of images) {
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const t of img.RepoTags ?? []) {
      const f = familiar(t);
      if (f?.tag) repoTags.set(f.repo, [...(repoTags.get(f.repo) ?? []), f.tag]);
    }
    for (const d of img.RepoDigests ?? []) {
      const f = familiar(d);
      if (f?.digest) repoDigests.set(f.repo, [...(repoDigests.get(f.repo) ?? []), f.digest]);
    }
    const add = (repo: string, tag: string, digest: string): void => {
      rows.push(new ImageContext({
        Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
        CreatedAt: goTimeString(img.Created),
        CreatedSince: img.Created ? `${humanDuration(now - img.Created * 1000)} ago` : 'N/A',
        Digest: digest,
        ID: opts.trunc ? truncateId(img.Id) : img.Id,
        Repository: repo,
        SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.SharedSize),
        Size: humanSize(img.Size),
        Tag: tag,
        UniqueSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.Size - img.SharedSize),
        VirtualSize: humanSize(img.VirtualSize ?? img.Size, 4),
      }));
    };
    for (const [repo, tags] of repoTags) {
      const digests = opts.digests ? (repoDigests.get(repo) ?? []) : [];
      repoDigests.delete(repo);
      for (const tag of tags) {
        if (digests.length === 0) add(repo, tag, '<none>');
        else for (const d of digests) add(repo, tag, d);
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (opts.digests) for (const d of digests) add(repo, '<none>', d);
      else add(repo, '<none>', '<none>');
    }
    if (repoTags.size === 0 && (img.RepoDigests ?? []).length === 0) add('<none>', '<none>', '<none>');
  }
  return rows;
}

export const imagesCommand: CommandDef = {
  path: ['image', 'ls'],
  aliases: [['image', 'list'], ['images']],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  args: { max: 1 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all images (default hides intermediate images)' },
    { name: 'digests', type: 'bool', description: 'Show digests' },
    { name: 'filter', short: 'f', type: 'list', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, flags, args) {
    const filters = parseFilterFlags(flags.list('filter'));
    if (args[0]) (filters.reference ??= []).push(args[0]);
    const images = await ctx.client().imageList({ all: flags.bool('all'), filters });
    const digests = flags.bool('digests');
    ctx.out(
      renderList({
        format: flags.string('format') || (flags.bool('quiet') ? '' : (ctx.config().imagesFormat ?? '')),
        defaultTable: digests ? IMAGES_DIGEST_TABLE : IMAGES_TABLE,
        quiet: flags.bool('quiet'),
        headers: IMAGE_HEADERS,
        rows: imageRows(images, { digests: digests || flags.string('format').includes('.Digest'), trunc: !flags.bool('no-trunc') }),
      }),
    );
  },
};
