import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, ConnectionError, EngineClient, type TlsOptions } from '../client/index.js';
import { type CommandContext, type CommandDef, PROGRAM, StatusError, UsageError } from './command.js';
import { COMMANDS, GROUPS } from './commands.js';
import { type CliConfig, configDir, loadCliConfig } from './config-file.js';
import { type FlagSpec, FlagError, flagUsages, parseFlags } from './flags.js';
import { CLI_VERSION } from './version-info.js';

/**
 * The berth CLI entry point: global flags (-H/--host, -D, -l, --config, -c, -v), then the command,
 * found by its words ("container ls", "ps"). Exit codes and messages follow the docker CLI:
 * usage errors 1, flag errors 125, daemon errors 1 (125 for run/create), the container's code for run.
 */
const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'config', type: 'string', description: 'Location of client config files' },
  { name: 'context', short: 'c', type: 'string', description: 'Name of the context to use to connect to the daemon' },
  { name: 'debug', short: 'D', type: 'bool', description: 'Enable debug mode' },
  { name: 'host', short: 'H', type: 'list', description: 'Daemon socket to connect to' },
  { name: 'log-level', short: 'l', type: 'string', description: 'Set the logging level', default: 'info' },
  { name: 'tls', type: 'bool', description: 'Use TLS; implied by --tlsverify' },
  { name: 'tlscacert', type: 'string', description: 'Trust certs signed only by this CA' },
  { name: 'tlscert', type: 'string', description: 'Path to TLS certificate file' },
  { name: 'tlskey', type: 'string', description: 'Path to TLS key file' },
  { name: 'tlsverify', type: 'bool', description: 'Use TLS and verify the remote' },
  { name: 'version', short: 'v', type: 'bool', description: 'Print version information and quit' },
];

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text) stream.write(text);
}

function findCommand(words: string[]): { def: CommandDef; path: string[]; rest: string[] } | undefined {
  let best: { def: CommandDef; path: string[]; rest: string[] } | undefined;
  for (const def of COMMANDS) {
    for (const p of [def.path, ...(def.aliases ?? [])]) {
      if (p.length <= words.length && p.every((w, i) => words[i] === w) && (!best || p.length > best.path.length)) {
        best = { def, path: p, rest: words.slice(p.length) };
      }
    }
  }
  return best;
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

function checkArgs(def: CommandDef, args: string[], commandPath: string, useLine: string): void {
  const { min, max } = def.args ?? {};
  let msg: string | undefined;
  let see = 'Run';
  if (min !== undefined && max !== undefined && min === max && args.length !== min) {
    msg = min === 0 ? `'${commandPath}' accepts no arguments` : `'${commandPath}' requires ${min} ${plural(min)}`;
  } else if (min !== undefined && args.length < min) {
    msg = `'${commandPath}' requires at least ${min} ${plural(min)}`;
    see = 'See';
  } else if (max !== undefined && args.length > max) {
    msg = max === 0 ? `'${commandPath}' accepts no arguments` : `'${commandPath}' requires at most ${max} ${plural(max)}`;
  }
  if (msg) {
    throw new StatusError(`${PROGRAM}: ${msg}\n\nUsage:  ${useLine}\n\n${see} '${commandPath} --help' for more information`, 1);
  }
}

function helpText(def: CommandDef, useLine: string): string {
  const aliases = [def.path, ...(def.aliases ?? [])].map((p) => `${PROGRAM} ${p.join(' ')}`);
  let s = `Usage:  ${useLine}\n\n${def.short}\n`;
  if (aliases.length > 1) s += `\nAliases:\n  ${aliases.join(', ')}\n`;
  if (def.flags?.length) s += `\nOptions:\n${flagUsages(def.flags)}\n`;
  return s;
}

const COMMON = ['run', 'exec', 'ps', 'pull', 'images', 'version', 'info'];

/** `berth` / `berth --help`, laid out like docker's. */
function mainHelp(): string {
  const top = new Map<string, string>();
  for (const c of COMMANDS) {
    const name = [c.path, ...(c.aliases ?? [])].find((p) => p.length === 1)?.[0];
    if (name && !GROUPS[name]) top.set(name, c.short);
  }
  const line = (name: string, text: string): string => `  ${name.padEnd(12)}${text}\n`;
  const common = COMMON.filter((n) => top.has(n)).map((n) => line(n, top.get(n)!)).join('');
  const others = [...top.keys()]
    .filter((n) => !COMMON.includes(n))
    .sort()
    .map((n) => line(n, top.get(n)!))
    .join('');
  const groups = Object.entries(GROUPS)
    .map(([k, v]) => line(k, v))
    .join('');
  return (
    `Usage:  ${PROGRAM} [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\n` +
    `Common Commands:\n${common}\nManagement Commands:\n${groups}\nCommands:\n${others}\n` +
    `Global Options:\n${flagUsages(GLOBAL_FLAGS)}\n\nRun '${PROGRAM} COMMAND --help' for more information on a command.\n`
  );
}

function groupHelp(group: string): string {
  const subs = COMMANDS.filter((c) => c.path[0] === group && c.path.length === 2)
    .map((c) => `  ${c.path[1].padEnd(12)}${c.short}`)
    .sort();
  return `Usage:  ${PROGRAM} ${group} COMMAND\n\n${GROUPS[group]}\n\nCommands:\n${subs.join('\n')}\n\nRun '${PROGRAM} ${group} COMMAND --help' for more information on a command.\n`;
}

/** A closed pipe on stdout (`berth … | head -1`) ends the CLI as docker's does: one line, exit 1. */
function handleBrokenPipes(): void {
  for (const [stream, name] of [
    [process.stdout, '/dev/stdout'],
    [process.stderr, '/dev/stderr'],
  ] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' && name === '/dev/stdout') process.stderr.write(`write ${name}: broken pipe\n`);
      process.exit(1);
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  handleBrokenPipes();
  const io = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    out: (t: string) => write(process.stdout, t),
    err: (t: string) => write(process.stderr, t),
  };
  let global;
  try {
    global = parseFlags(GLOBAL_FLAGS, argv, { interspersed: false });
  } catch (e) {
    io.err(`${(e as Error).message}\nSee '${PROGRAM} --help'.\n`);
    return 125;
  }
  if (global.flags.bool('version')) {
    io.out(`${PROGRAM} version ${CLI_VERSION.version}, build ${CLI_VERSION.gitCommit}\n`);
    return 0;
  }
  let words = global.args;
  // `berth help` and `berth help ps` as docker has them
  if (words[0] === 'help') words = words.length > 1 ? [...words.slice(1), '--help'] : [];
  if (words.length === 0 || global.help) {
    io.out(mainHelp());
    return 0;
  }
  const hosts = global.flags.list('host');
  const host = hosts.length ? hosts[hosts.length - 1] : undefined;
  const found = findCommand(words);
  if (!found) {
    if (GROUPS[words[0]]) {
      if (words.length === 1 || words[1] === '--help') {
        io.out(groupHelp(words[0]));
        return 0;
      }
      io.err(`${PROGRAM}: unknown command: ${PROGRAM} ${words[0]} ${words[1]}\n\nUsage:  ${PROGRAM} ${words[0]}\n\nRun '${PROGRAM} ${words[0]} --help' for more information\n`);
      return 1;
    }
    io.err(`${PROGRAM}: unknown command: ${PROGRAM} ${words[0]}\n\nRun '${PROGRAM} --help' for more information\n`);
    return 1;
  }
  const { def, path, rest } = found;
  const commandPath = `${PROGRAM} ${path.join(' ')}`;
  const useLine = `${commandPath} ${def.usage}`.trim();
  let client: EngineClient | undefined;
  let config: CliConfig | undefined;
  const ctx: CommandContext = {
    ...io,
    env: process.env,
    commandPath,
    useLine,
    client: () => (client ??= new EngineClient({ host, tls: tlsOptions(global.flags, process.env) })),
    config: () => (config ??= loadCliConfig(configDir(global.flags.string('config') || undefined, process.env))),
    configDir: () => configDir(global.flags.string('config') || undefined, process.env),
  };
  try {
    let parsed;
    try {
      parsed = parseFlags(def.flags ?? [], rest, { interspersed: def.interspersed ?? true });
    } catch (e) {
      if (e instanceof FlagError) {
        throw new StatusError(`${e.message}\n\nUsage:  ${useLine}\n\nRun '${commandPath} --help' for more information`, 125);
      }
      throw e;
    }
    if (parsed.help) {
      io.out(helpText(def, useLine));
      return 0;
    }
    checkArgs(def, parsed.args, commandPath, useLine);
    try {
      return (await def.run(ctx, parsed.flags, parsed.args)) ?? 0;
    } catch (e) {
      if (e instanceof FlagError) {
        throw new StatusError(`${e.message}\n\nUsage:  ${useLine}\n\nRun '${commandPath} --help' for more information`, 125);
      }
      throw e;
    }
  } catch (err) {
    return reportError(ctx, def, err);
  }
}

function reportError(ctx: CommandContext, def: CommandDef, err: unknown): number {
  if (err instanceof StatusError) {
    if (err.message) ctx.err(`${err.message}\n`);
    return err.code === 0 ? 1 : err.code;
  }
  let message: string;
  if (err instanceof ApiError) message = err.display;
  else if (err instanceof ConnectionError || err instanceof UsageError || err instanceof Error) message = err.message;
  else message = String(err);
  if (def.runStyleErrors) {
    ctx.err(`${PROGRAM}: ${message}\n\nRun '${ctx.commandPath} --help' for more information\n`);
    return 125;
  }
  ctx.err(`${message}\n`);
  return 1;
}

/**
 * The docker CLI's TLS settings: --tlsverify (or DOCKER_TLS_VERIFY) verifies the daemon against the CA;
 * --tls (or DOCKER_TLS) only encrypts; certificates default to ca.pem, cert.pem and key.pem in
 * DOCKER_CERT_PATH (else ~/.docker). Undefined when TLS is not asked for.
 */
function tlsOptions(flags: { bool(n: string): boolean; string(n: string): string }, env: NodeJS.ProcessEnv): TlsOptions | undefined {
  const verify = flags.bool('tlsverify') || (!!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0');
  const tls = verify || flags.bool('tls') || (!!env.DOCKER_TLS && env.DOCKER_TLS !== '0');
  if (!tls) return undefined;
  const dir = env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
  const read = (flag: string, file: string): Buffer | undefined => {
    const p = flags.string(flag) || path.join(dir, file);
    return existsSync(p) ? readFileSync(p) : undefined;
  };
  return { ca: read('tlscacert', 'ca.pem'), cert: read('tlscert', 'cert.pem'), key: read('tlskey', 'key.pem'), verify };
}
