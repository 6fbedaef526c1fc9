import { createHash } from 'node:crypto';
import path from 'node:path';
import { invalidArgument, notFound } from '../../errdefs/index.js';
import { runCommand } from '../../util/index.js';
import type { BuildContext } from '../context.js';
import { LayeredFs } from '../layered-fs.js';
import type { CacheMounts, HeldCache } from './cache-mounts.js';
import { mountKey, type RunMountSpec } from './mount-spec.js';
import type { BuildWorkspace } from './workspace.js';

/**
 * A RUN step's `--mount`s, in two phases: `identify` (before the cache is asked: the mount's part of the
 * step's cache key — for a bind, also what it mounts: the digest of the context files, or the image ID)
 * and `prepare` (only when the step runs: host directories and the Docker mounts for the step's container;
 * `release` after the container is gone).
 */
export interface MountSources {
  context: BuildContext;
  workspace: BuildWorkspace;
  caches: CacheMounts;
  /** the image a `from=` names: an earlier stage (waited for) or a local image; '' for scratch */
  imageOf(from: string): Promise<string>;
  layerDirs(imageId: string): Promise<string[]>;
}

export interface DockerMount {
  Type: 'bind' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  TmpfsOptions?: { SizeBytes?: number };
}

export interface IdentifiedMount {
  spec: RunMountSpec;
  /** the mount in the step's cache key */
  key: string;
  /** from= resolved */
  imageId?: string;
}

export interface PreparedMounts {
  mounts: DockerMount[];
  release(): Promise<void>;
}

export async function identifyMounts(specs: RunMountSpec[], src: MountSources): Promise<IdentifiedMount[]> {
  const out: IdentifiedMount[] = [];
  const targets = new Set<string>();
  for (const spec of specs) {
    if (targets.has(spec.target)) throw invalidArgument(`RUN --mount: duplicate mount target ${spec.target}`);
    targets.add(spec.target);
    let key = mountKey(spec);
    const m: IdentifiedMount = { spec, key };
    if (spec.from !== undefined && spec.type !== 'tmpfs') m.imageId = await src.imageOf(spec.from);
    if (spec.type === 'bind') {
      if (m.imageId !== undefined) key += `,image=${m.imageId || 'scratch'}`;
      else key += `,content=${contextDigest(src.context, spec.source)}`;
    }
    m.key = key;
    out.push(m);
  }
  return out;
}

export async function prepareMounts(list: IdentifiedMount[], src: MountSources): Promise<PreparedMounts> {
  const mounts: DockerMount[] = [];
  const overlays: string[] = [];
  const held: HeldCache[] = [];
  const release = async () => {
    for (const h of held.splice(0)) h.release();
    for (const o of overlays.splice(0)) await src.workspace.release(o);
  };
  try {
    for (const { spec, imageId } of list) {
      if (spec.type === 'tmpfs') {
        mounts.push({ Type: 'tmpfs', Target: spec.target, ...(spec.size !== undefined ? { TmpfsOptions: { SizeBytes: spec.size } } : {}) });
        continue;
      }
      if (spec.type === 'cache') {
        const h = await src.caches.acquire(spec);
        held.push(h);
        if (h.fresh && imageId !== undefined) {
          // from=: the new cache starts as a copy of that image's source path
          const root = await src.workspace.overlay(await src.layerDirs(imageId), false);
          overlays.push(root);
          const from = await inImage(imageId, spec, root, src);
          await runCommand('cp', ['-a', '--', `${from}/.`, h.dir]);
        }
        mounts.push({ Type: 'bind', Source: h.dir, Target: spec.target, ReadOnly: spec.readonly });
        continue;
      }
      // bind
      let source: string;
      if (imageId !== undefined) {
        const root = await src.workspace.overlay(imageId ? await src.layerDirs(imageId) : [], !spec.readonly);
        overlays.push(root);
        source = await inImage(imageId, spec, root, src);
      } else {
        const name = contextName(src.context, spec.source);
        const dir = await src.workspace.context(src.context);
        if (spec.readonly) source = path.join(dir, name);
        else {
          // rw: the step writes into an overlay's upper dir, thrown away after it
          const root = await src.workspace.overlay([dir], true);
          overlays.push(root);
          source = path.join(root, name);
        }
      }
      mounts.push({ Type: 'bind', Source: source, Target: spec.target, ReadOnly: spec.readonly });
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { mounts, release };
}

/** `source` inside the mounted image root, resolved through the image's own symlinks; must exist. */
async function inImage(imageId: string, spec: RunMountSpec, root: string, src: MountSources): Promise<string> {
  if (!spec.source) return root;
  const view = new LayeredFs(imageId ? await src.layerDirs(imageId) : []);
  const { entry, comps } = await view.resolve('/' + spec.source);
  if (!entry) throw notFound(`RUN --mount: source ${spec.source} not found in ${spec.from}`);
  return path.join(root, ...comps);
}

function contextName(ctx: BuildContext, source: string): string {
  const name = ctx.resolve(source || '.');
  if (!ctx.get(name)) throw notFound(`RUN --mount: source ${source} not found in the build context (or excluded by .dockerignore)`);
  return name;
}

/** What a context bind mounts: names, types, modes, owners, link targets and content digests below `source`. */
function contextDigest(ctx: BuildContext, source: string): string {
  const name = contextName(ctx, source);
  const h = createHash('sha256');
  const add = (rel: string, n: string) => {
    const e = ctx.get(n)!;
    h.update(`${rel}\0${e.type}\0${e.mode.toString(8)}\0${e.uid}:${e.gid}\0${e.linkname ?? ''}\0${e.digest ?? ''}\n`);
  };
  add('.', name);
  if (ctx.get(name)!.type === 'dir') for (const n of ctx.walk(name)) add(name ? n.slice(name.length + 1) : n, n);
  return 'sha256:' + h.digest('hex');
}
