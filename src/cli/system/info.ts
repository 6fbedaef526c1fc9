import { ConnectionError } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { bytesSize } from '../format/humanize.js';
import { renderFormat } from '../format/templates.js';
import { CLI_VERSION } from '../version-info.js';

/** `info`: the daemon's /info laid out as docker prints it (the fields berthd reports). */
type Info = Record<string, unknown>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function formatServerInfo(i: Info): string {
  let s = 'Server:\n';
  s += ` Containers: ${str(i.Containers)}\n  Running: ${str(i.ContainersRunning)}\n  Paused: ${str(i.ContainersPaused)}\n  Stopped: ${str(i.ContainersStopped)}\n`;
  s += ` Images: ${str(i.Images)}\n`;
  s += ` Server Version: ${str(i.ServerVersion)}\n`;
  s += ` Storage Driver: ${str(i.Driver)}\n`;
  for (const pair of (i.DriverStatus as string[][] | null) ?? []) s += `  ${pair[0]}: ${pair[1]}\n`;
  if (i.LoggingDriver) s += ` Logging Driver: ${str(i.LoggingDriver)}\n`;
  if (i.CgroupDriver) s += ` Cgroup Driver: ${str(i.CgroupDriver)}\n`;
  if (i.CgroupVersion) s += ` Cgroup Version: ${str(i.CgroupVersion)}\n`;
  const plugins = i.Plugins as Record<string, string[] | null> | undefined;
  if (plugins) {
    s += ' Plugins:\n';
    for (const k of ['Volume', 'Network', 'Authorization', 'Log']) {
      if (plugins[k]?.length) s += `  ${k}: ${plugins[k]!.join(' ')}\n`;
    }
  }
  const swarm = i.Swarm as { LocalNodeState?: string } | undefined;
  if (swarm) s += ` Swarm: ${swarm.LocalNodeState || 'inactive'}\n`;
  const runtimes = Object.keys((i.Runtimes as object | undefined) ?? {});
  if (runtimes.length) s += ` Runtimes: ${runtimes.sort().join(' ')}\n`;
  if (i.DefaultRuntime) s += ` Default Runtime: ${str(i.DefaultRuntime)}\n`;
  if (i.InitBinary) s += ` Init Binary: ${str(i.InitBinary)}\n`;
  const so = (i.SecurityOptions as string[] | null) ?? [];
  if (so.length) {
    s += ' Security Options:\n';
    for (const o of so) {
      const kv = Object.fromEntries(o.split(',').map((p) => p.split('=') as [string, string]));
      s += `  ${kv.name ?? o}\n`;
      for (const [k, v] of Object.entries(kv)) if (k !== 'name') s += `   ${k[0].toUpperCase()}${k.slice(1)}: ${v}\n`;
    }
  }
  s += ` Kernel Version: ${str(i.KernelVersion)}\n`;
  s += ` Operating System: ${str(i.OperatingSystem)}\n`;
  s += ` OSType: ${str(i.OSType)}\n`;
  s += ` Architecture: ${str(i.Architecture)}\n`;
  s += ` CPUs: ${str(i.NCPU)}\n`;
  s += ` Total Memory: ${bytesSize(Number(i.MemTotal ?? 0))}\n`;
  s += ` Name: ${str(i.Name)}\n`;
  s += ` ID: ${str(i.ID)}\n`;
  s += ` Docker Root Dir: ${str(i.DockerRootDir)}\n`;
  s += ` Debug Mode: ${str(!!i.Debug)}\n`;
  s += ` Experimental: ${str(!!i.ExperimentalBuild)}\n`;
  const reg = i.RegistryConfig as { InsecureRegistryCIDRs?: string[] } | undefined;
  if (reg?.InsecureRegistryCIDRs?.length) s += ` Insecure Registries:\n${reg.InsecureRegistryCIDRs.map((r) => `  ${r}\n`).join('')}`;
  s += ` Live Restore Enabled: ${str(!!i.LiveRestoreEnabled)}\n`;
  for (const w of (i.Warnings as string[] | null) ?? []) s += `${w}\n`;
  return s;
}

export const infoCommand: CommandDef = {
  path: ['system', 'info'],
  aliases: [['info']],
  usage: '[OPTIONS]',
  short: 'Display system-wide information',
  args: { max: 0 },
  flags: [{ name: 'format', short: 'f', type: 'string', description: 'Format output using a custom template' }],
  async run(ctx, flags) {
    let info: Info | undefined;
    let failure: unknown;
    try {
      info = await ctx.client().info();
    } catch (e) {
      failure = e;
    }
    const format = flags.string('format');
    if (format) {
      if (failure) throw failure;
      const body = format === 'json' ? '{{json .}}' : format;
      ctx.out(`${renderFormat(body, info)}\n`);
      return;
    }
    ctx.out(`Client:\n Version:    ${CLI_VERSION.version}\n Context:    default\n Debug Mode: false\n\n`);
    if (info) ctx.out(formatServerInfo(info));
    if (failure) {
      if (failure instanceof ConnectionError) throw new StatusError(failure.message, 1);
      throw failure;
    }
  },
};
