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
import { systemPruneCommand } from './system/prune.js';
import { versionCommand } from './system/version.js';
import { volumeCreateCommand, volumeLsCommand, volumePruneCommand, volumeRmCommand } from './volume/volume.js';

/** Every command the CLI knows, with the paths that invoke it (canonical first, then aliases). */
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
];

/** Management command groups, for help and "unknown command" errors. */
export const GROUPS: Record<string, string> = {
  builder: 'Manage builds',
  container: 'Manage containers',
  image: 'Manage images',
  network: 'Manage networks',
  system: 'Manage Docker',
  volume: 'Manage volumes',
};
