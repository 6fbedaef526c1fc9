import type { EngineClient } from '../client/index.js';
import type { CliConfig } from './config-file.js';
import type { FlagSpec, ParsedFlags } from './flags.js';

/**
 * A CLI command: its flags, how many arguments it takes and what it does. The command table
 * (commands.ts) maps each way of invoking it (`run`, `container run`) to one CommandDef.
 */
export const PROGRAM = 'berth';

export interface CommandIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext extends CommandIO {
  client(): EngineClient;
  /** The words that invoked the command, e.g. "berth container ls". */
  commandPath: string;
  /** The usage line for this invocation, e.g. "berth ps [OPTIONS]". */
  useLine: string;
  env: NodeJS.ProcessEnv;
  /** The docker-style client config (psFormat, imagesFormat, detachKeys, …). */
  config(): CliConfig;
  /** The directory of config.json (--config, DOCKER_CONFIG, ~/.docker). */
  configDir(): string;
}

export interface ArgsRule {
  min?: number;
  max?: number;
}

export interface CommandDef {
  /** Canonical path, e.g. ['container', 'run']. */
  path: string[];
  /** Other paths that invoke it, e.g. [['run']]. */
  aliases?: string[][];
  /** Cobra's Use string without the command word: "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string;
  short: string;
  args?: ArgsRule;
  flags?: FlagSpec[];
  /** false: the first positional argument ends the flags (run, create, exec). */
  interspersed?: boolean;
  /**
   * Errors of this command are printed as "berth: <err>\n\nRun 'berth run --help' …" and exit 125
   * unless they carry their own code (docker does this for run and create).
   */
  runStyleErrors?: boolean;
  run(ctx: CommandContext, flags: ParsedFlags, args: string[]): Promise<number | void>;
}

/** An error with the exit code to leave with; an empty message prints nothing. */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** A usage error raised by a command itself (wrong combination of flags and the like). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
