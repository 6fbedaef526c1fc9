import { collectGarbage, RegistryStorage, startRegistry } from '../../registry/server/index.js';
import { type CommandDef, UsageError } from '../command.js';

/**
 * `berth registry serve`: berth's own registry server (the distribution API v2), in the foreground until
 * SIGINT/SIGTERM; no daemon needed. `berth registry gc`: deletes blobs no manifest names.
 * (The CLI is otherwise an API client only; the registry server is a program of its own that ships in it.)
 */
export const registryServeCommand: CommandDef = {
  path: ['registry', 'serve'],
  usage: '[OPTIONS]',
  short: 'Serve a registry (OCI distribution API v2)',
  args: { max: 0 },
  flags: [
    { name: 'addr', type: 'string', description: 'HOST:PORT to listen on (default "127.0.0.1:5000")' },
    { name: 'root', type: 'string', description: 'Directory for the registry\'s data (default "/var/lib/berth-registry")' },
    { name: 'htpasswd', type: 'string', description: 'htpasswd file (bcrypt entries): require basic auth' },
    { name: 'realm', type: 'string', description: 'Auth realm / token service name (default "berth-registry")' },
    { name: 'token-auth', type: 'bool', description: 'With --htpasswd: bearer tokens from /token instead of basic auth' },
    { name: 'tls-cert', type: 'string', description: 'TLS certificate (PEM): serve HTTPS' },
    { name: 'tls-key', type: 'string', description: 'TLS key (PEM)' },
    { name: 'tls-client-ca', type: 'string', description: 'CA certificates (PEM, one or more): require a client certificate one of them signed' },
    { name: 'delete-enabled', type: 'bool', description: 'Allow DELETE of manifests and blobs' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Do not log requests' },
  ],
  async run(ctx, flags) {
    const cert = flags.string('tls-cert');
    const key = flags.string('tls-key');
    const clientCa = flags.string('tls-client-ca');
    if (!!cert !== !!key) throw new UsageError('--tls-cert and --tls-key go together');
    if (clientCa && !cert) throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key: client certificates are checked only over HTTPS');
    if (flags.bool('token-auth') && !flags.string('htpasswd')) throw new UsageError('--token-auth needs --htpasswd');
    const quiet = flags.bool('quiet');
    const reg = await startRegistry({
      addr: flags.string('addr') || '127.0.0.1:5000',
      root: flags.string('root') || '/var/lib/berth-registry',
      auth: flags.string('htpasswd') ? { htpasswd: flags.string('htpasswd'), realm: flags.string('realm') || undefined, token: flags.bool('token-auth') } : undefined,
      tls: cert && key ? { cert, key, clientCa: clientCa || undefined } : undefined,
      deleteEnabled: flags.bool('delete-enabled'),
      log: quiet ? undefined : (line) => ctx.err(`${new Date().toISOString()} ${line}\n`),
    });
    ctx.err(`berth registry listening on ${reg.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await reg.close();
  },
};

export const registryGcCommand: CommandDef = {
  path: ['registry', 'gc'],
  usage: '[OPTIONS]',
  short: 'Delete blobs that no manifest of the registry names (run it while nothing pushes)',
  args: { max: 0 },
  flags: [
    { name: 'root', type: 'string', description: 'Directory of the registry\'s data (default "/var/lib/berth-registry")' },
    { name: 'dry-run', short: 'd', type: 'bool', description: 'Only say what would be deleted' },
  ],
  async run(ctx, flags) {
    const storage = new RegistryStorage(flags.string('root') || '/var/lib/berth-registry');
    const r = await collectGarbage(storage, { dryRun: flags.bool('dry-run') });
    for (const d of r.deleted) ctx.out(`${flags.bool('dry-run') ? 'would delete' : 'deleted'} ${d}\n`);
    ctx.out(`${r.marked} blobs marked, ${r.deleted.length} ${flags.bool('dry-run') ? 'eligible for deletion' : 'deleted'} (${r.freedBytes} bytes)\n`);
  },
};
