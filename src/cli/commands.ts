import type { CommandDef } from './command.js';
import { createCommand, runCommand } from './container/run.js';

/** Every command the CLI knows, with the paths that invoke it (canonical first, then aliases). */
export const COMMANDS: CommandDef[] = [runCommand, createCommand];

/** Management command groups, for help and "unknown command" errors. */
export const GROUPS: Record<string, string> = {
  container: 'Manage containers',
  image: 'Manage images',
  system: 'Manage Docker',
};
