import { applyConfigFile, parseDaemonArgs, USAGE } from './daemon-config.js';
import { startDaemon } from './daemon.js';
import { BERTH_VERSION, GIT_COMMIT } from './build-info.js';
import { Logger } from '../util/index.js';

/** berthd's entry point: flags, daemon.json, start, and shutdown on SIGTERM/SIGINT (containers keep running). */
export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseDaemonArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(125);
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`berthd version ${BERTH_VERSION}, build ${GIT_COMMIT}\n`);
    return;
  }
  const { config, fromFlags } = parsed;
  const logger = new Logger(config.logLevel);
  try {
    await applyConfigFile(config, fromFlags);
    logger.setLevel(config.logLevel);
    const daemon = await startDaemon(config, logger);
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`received ${sig}, shutting down; containers keep running`);
      void daemon.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    logger.error('failed to start daemon', { error: (err as Error).message });
    process.exit(1);
  }
}
