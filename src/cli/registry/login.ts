import { createInterface } from 'node:readline';
import { type CommandDef, StatusError } from '../command.js';
import { DOCKER_HUB_SERVER, removeAuth, saveAuth, serverKey } from './credentials.js';

/**
 * `berth login`: POST /auth, then the credentials go to the credential helper or config.json
 * (credentials.ts): the identity token when the registry gave one, else the password.
 */
export const loginCommand: CommandDef = {
  path: ['login'],
  usage: '[OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  args: { max: 1 },
  flags: [
    { name: 'username', short: 'u', type: 'string', description: 'Username' },
    { name: 'password', short: 'p', type: 'string', description: 'Password or Personal Access Token (PAT)' },
    { name: 'password-stdin', type: 'bool', description: 'Take the Password or Personal Access Token (PAT) from stdin' },
  ],
  async run(ctx, flags, [server]) {
    const serveraddress = server ? serverKey(server) : DOCKER_HUB_SERVER;
    let username = flags.string('username');
    let password = flags.string('password');
    if (flags.bool('password-stdin')) {
      if (password) throw new StatusError('--password and --password-stdin are mutually exclusive', 1);
      if (!username) throw new StatusError('Must provide --username with --password-stdin', 1);
      const chunks: Buffer[] = [];
      for await (const c of ctx.stdin) chunks.push(c as Buffer);
      password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    } else if (password) {
      ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!username || !password) {
      const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
      const ask = (q: string) => new Promise<string>((resolve) => rl.question(q, resolve));
      if (!username) username = (await ask('Username: ')).trim();
      if (!password) password = await ask('Password: ');
      rl.close();
    }
    if (!username) throw new StatusError('Error: Non-null Username Required', 1);
    if (!password) throw new StatusError('Error: Password Required', 1);
    const r = await ctx.client().login({ username, password, serveraddress });
    // as the docker CLI: an identity token from the registry is kept instead of the password
    const login = r.IdentityToken ? { username, serveraddress, identitytoken: r.IdentityToken } : { username, password, serveraddress };
    let saved: { plaintextIn?: string };
    try {
      saved = await saveAuth(ctx.configDir(), login);
    } catch (err) {
      throw new StatusError(`Error saving credentials: ${(err as Error).message}`, 1);
    }
    if (saved.plaintextIn) {
      ctx.err(`\nWARNING! Your credentials are stored unencrypted in '${saved.plaintextIn}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
    }
    ctx.out(`${r.Status}\n`);
  },
};

export const logoutCommand: CommandDef = {
  path: ['logout'],
  usage: '[SERVER]',
  short: 'Log out from a registry',
  args: { max: 1 },
  async run(ctx, _flags, [server]) {
    const key = server ? serverKey(server) : DOCKER_HUB_SERVER;
    // the docker CLI (28) says so whether or not there was anything to remove
    ctx.out(`Removing login credentials for ${key}\n`);
    await removeAuth(ctx.configDir(), key);
  },
};
