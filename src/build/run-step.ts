import type { Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { invalidArgument } from '../errdefs/index.js';
import { isRuntimePlaceholder } from '../container/archive/changes.js';
import type { ImageRecord } from '../image/index.js';
import type { ImageRunConfig } from '../oci/index.js';
import { layerDiffTar } from '../snapshot/layer-diff.js';
import { shortId } from '../util/index.js';
import { BuildStepError } from './build-service.js';
import { flagValues, parseFlags } from './instruction-flags.js';
import { parseRunMount } from './mounts/mount-spec.js';
import { identifyMounts, prepareMounts, type IdentifiedMount, type MountSources } from './mounts/step-mounts.js';
import type { Node } from './parser/node.js';
import type { StageRun } from './stage-run.js';

/**
 * RUN: a real container on the stage's image (create, attach, start, wait), whose upper dir becomes the
 * step's layer; the container is removed either way. `--mount`s are set up for the container and are
 * never part of the layer (nor are the empty mountpoints the runtime made for them). The step's cache key
 * (its `container_config` Cmd) is the command, the build args in force (`|N k=v…`, as the classic builder)
 * and the mounts (`--mount=…`, with what a bind mounts), so a changed mount runs the step again.
 */
export async function runStep(r: StageRun, node: Node, shell: string[]): Promise<void> {
  const { b, state } = r;
  const flags = parseFlags(node, ['network', 'mount', 'security']);
  if (flags.has('security')) throw invalidArgument('RUN --security is not supported by berth: it needs BuildKit\'s entitlements (--allow security.insecure)');
  let cmd: string[];
  if (node.json) cmd = node.args;
  else {
    let script = node.args[0] ?? '';
    if (node.heredocs.length) {
      const only = /^\s*\d*<<-?\S+\s*$/.test(script) && node.heredocs.length === 1;
      script = only ? node.heredocs[0]!.content : script + '\n' + node.heredocs.map((h) => h.content + h.name + '\n').join('');
    }
    cmd = [...shell, script];
  }
  const sources: MountSources = {
    context: b.ctx,
    workspace: b.workspace,
    caches: b.caches,
    imageOf: (from) => r.imageOf(from),
    layerDirs: (id) => b.d.images.layerDirs(id),
  };
  const specs = flagValues(node, 'mount').map((m) => parseRunMount(r.word(state, m), state.config.WorkingDir || '/'));
  const mounts = await identifyMounts(specs, sources);
  const argEnv = r.runArgs(state);
  const mountArgs = mounts.map((m) => `--mount=${m.key}`);
  const cc: ImageRunConfig = { ...structuredClone(state.config), Cmd: [...(argEnv.length ? [`|${argEnv.length}`, ...argEnv] : []), ...mountArgs, ...cmd] };
  await r.step(state, cc, async () => {
    if (!state.imageId) throw invalidArgument(`The command '${cmd.join(' ')}' cannot run: the stage has no base image (FROM scratch) and so no shell`);
    const network = flags.get('network') ?? b.opts.networkMode;
    const mode = network === 'default' || network === '' ? 'bridge' : network;
    if (!['bridge', 'none', 'host'].includes(mode)) throw invalidArgument(`unsupported network mode for RUN: ${network}`);
    return runContainer(r, cmd, argEnv, mode, cc, mounts, sources);
  });
}

async function runContainer(r: StageRun, cmd: string[], argEnv: string[], network: string, cc: ImageRunConfig, list: IdentifiedMount[], sources: MountSources): Promise<ImageRecord> {
  const { b, state, sink } = r;
  const prepared = await prepareMounts(list, sources);
  try {
    const created = await b.d.containers.create({
      Image: state.imageId,
      Cmd: cmd,
      Entrypoint: [''],
      Env: [...(state.config.Env ?? []), ...argEnv],
      WorkingDir: state.config.WorkingDir ?? '',
      User: state.config.User ?? '',
      Healthcheck: { Test: ['NONE'] },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: network, ...(prepared.mounts.length ? { Mounts: prepared.mounts } : {}) },
    } as never);
    const id = created.Id;
    sink.classic(` ---> Running in ${shortId(id)}\n`);
    let removed = false;
    try {
      const dec = new StringDecoder('utf8');
      let ended!: () => void;
      const end = new Promise<void>((res) => (ended = res));
      await b.d.containers.attach(id, {
        onData: (_s, data) => {
          const t = dec.write(data);
          if (t) sink.say(t);
        },
        onEnd: () => ended(),
      });
      const exit = b.d.containers.wait(id, 'next-exit');
      b.trackContainer(id, true);
      try {
        await b.d.containers.start(id);
      } finally {
        b.checkAborted();
      }
      const { StatusCode } = await exit;
      b.trackContainer(id, false);
      b.checkAborted();
      await Promise.race([end, new Promise((res) => setTimeout(res, 2000))]);
      const rest = dec.end();
      if (rest) sink.say(rest);
      if (StatusCode !== 0) throw new BuildStepError(`The command '${cmd.join(' ')}' returned a non-zero code: ${StatusCode}`, StatusCode);
      const upper = b.d.rootfs.upperDir(id);
      const lowerDirs = await b.d.images.layerDirs(state.imageId);
      // mountpoints the runtime made for the step's mounts (and the directories it made for them)
      const stubs = new Set<string>();
      for (const m of list) for (let p = m.spec.target; p !== '/'; p = p.slice(0, p.lastIndexOf('/')) || '/') stubs.add(p);
      const skip = (rel: string, st: Stats) => isRuntimePlaceholder(upper, lowerDirs, rel, st, stubs);
      return await b.d.images.commit({
        parent: state.imageId,
        diff: layerDiffTar(upper, { skip }),
        config: state.config,
        containerConfig: cc,
        containerId: id,
        createdBy: (cc.Cmd ?? []).join(' '),
        ...(state.author ? { author: state.author } : {}),
      });
    } finally {
      b.trackContainer(id, false);
      await b.d.containers.remove(id, { force: true }).then(() => (removed = true), (err) => b.d.logger.warn('could not remove build container', { id, error: err }));
      if (removed) sink.classic(` ---> Removed intermediate container ${shortId(id)}\n`);
    }
  } finally {
    await prepared.release();
  }
}
