import type { CommandDef } from './command.js';
import {
  attachCommand,
  containerPruneCommand,
  killCommand,
  renameCommand,
  restartCommand,
  rmCommand,
  startCommand,
  stopCommand,
  waitCommand,
} from './container/lifecycle.js';
import { cpCommand } from './container/cp.js';
import { execCommand } from './container/exec.js';
import { logsCommand } from './container/logs.js';
import { commitCommand, diffCommand, exportCommand, pauseCommand, topCommand, unpauseCommand } from './container/more.js';
import { portCommand } from './container/port.js';
import { psCommand } from './container/ps.js';
import { statsCommand } from './container/stats.js';
import { updateCommand } from './container/update.js';
import { createCommand, runCommand } from './container/run.js';
import { bootstrapCommand } from './image/bootstrap.js';
import { buildCommand } from './image/build.js';
import { imagesCommand } from './image/images.js';
import { pullCommand } from './image/pull.js';
import { historyCommand, imagePruneCommand, importCommand, loadCommand, rmiCommand, saveCommand, tagCommand } from './image/manage.js';
import {
  networkConnectCommand,
  networkCreateCommand,
  networkDisconnectCommand,
  networkLsCommand,
  networkPruneCommand,
  networkRmCommand,
} from './network/network.js';
import { eventsCommand } from './system/events.js';
import { infoCommand } from './system/info.js';
import { containerInspectCommand, imageInspectCommand, inspectCommand, networkInspectCommand, volumeInspectCommand } from './system/inspect.js';
import { builderPruneCommand, systemPruneCommand } from './system/prune.js';
import { versionCommand } from './system/version.js';
import { registryGcCommand, registryServeCommand } from './registry/registry.js';
import { loginCommand, logoutCommand } from './registry/login.js';
import { pushCommand } from './image/push.js';
import { volumeCreateCommand, volumeLsCommand, volumePruneCommand, volumeRmCommand } from './volume/volume.js';

/**
 * Every command the CLI knows, with the paths that invoke it (canonical first, then aliases).
 *
 * What every command shares, as docker 28 does it (checked side by side with docker against dockerd):
 *   - usage errors (argument counts) print "berth: 'berth X' requires …" with the usage line, exit 1;
 *   - flag errors print pflag's message with the usage line, exit 125;
 *   - daemon errors print "Error response from daemon: <message>", exit 1; run and create-time errors
 *     of run print "berth: <error>\n\nRun 'berth run --help' …", exit 125 (126/127 when the command
 *     cannot be invoked/found), and run otherwise exits with the container's code;
 *   - lists render through Go templates (format/templates.ts) and Go's tabwriter (format/tabwriter.ts).
 */
export const COMMANDS: CommandDef[] = [
  runCommand,
  createCommand,
  startCommand,
  stopCommand,
  restartCommand,
  killCommand,
  rmCommand,
  renameCommand,
  waitCommand,
  attachCommand,
  execCommand,
  cpCommand,
  logsCommand,
  portCommand,
  pauseCommand,
  unpauseCommand,
  topCommand,
  exportCommand,
  diffCommand,
  commitCommand,
  psCommand,
  statsCommand,
  updateCommand,
  containerPruneCommand,
  containerInspectCommand,
  imagesCommand,
  pullCommand,
  rmiCommand,
  tagCommand,
  saveCommand,
  loadCommand,
  importCommand,
  historyCommand,
  imagePruneCommand,
  imageInspectCommand,
  bootstrapCommand,
  buildCommand,
  inspectCommand,
  versionCommand,
  infoCommand,
  eventsCommand,
  volumeCreateCommand,
  volumeLsCommand,
  volumeRmCommand,
  volumePruneCommand,
  networkCreateCommand,
  networkLsCommand,
  networkRmCommand,
  networkConnectCommand,
  networkDisconnectCommand,
  networkPruneCommand,
  networkInspectCommand,
  volumeInspectCommand,
  systemPruneCommand,
  builderPruneCommand,
  registryServeCommand,
  registryGcCommand,
  pushCommand,
  loginCommand,
  logoutCommand,
];

/** Management command groups, for help and "unknown command" errors. */
export const GROUPS: Record<string, string> = {
  builder: 'Manage builds',
  container: 'Manage containers',
  image: 'Manage images',
  network: 'Manage networks',
  registry: 'Serve and maintain a registry',
  system: 'Manage Docker',
  volume: 'Manage volumes',
};
