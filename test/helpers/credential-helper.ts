import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * A real credential helper for tests, `docker-credential-berthtest`: a shell script speaking the
 * docker-credential-helpers protocol that keeps each secret in a file of the directory $BERTHTEST_CREDS
 * and logs every call (`<action> <input>`) to $BERTHTEST_CREDS/log. And a client config dir per CLI.
 */
const HELPER = `#!/bin/sh
store="\${BERTHTEST_CREDS:?}"
mkdir -p "$store"
input=$(cat)
printf '%s %s\\n' "$1" "$input" >> "$store/log"
keyof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \\n'; }
case "$1" in
  store)
    url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
    printf '%s' "$input" > "$store/$(keyof "$url").cred" ;;
  get)
    f="$store/$(keyof "$input").cred"
    if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase)
    f="$store/$(keyof "$input").cred"
    if [ -f "$f" ]; then rm -f "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  *) echo "unknown action: $1"; exit 1 ;;
esac
`;

/** Writes the helper into <base>/helper-bin and returns that directory (to put first on PATH). */
export async function installCredentialHelper(base: string): Promise<string> {
  const bin = path.join(base, 'helper-bin');
  await fs.mkdir(bin, { recursive: true });
  await fs.writeFile(path.join(bin, 'docker-credential-berthtest'), HELPER, { mode: 0o755 });
  return bin;
}

export interface TestClient {
  /** DOCKER_CONFIG, BERTHTEST_CREDS and PATH (the helper first) for a CLI run */
  env: { DOCKER_CONFIG: string; BERTHTEST_CREDS: string; PATH: string };
  config(): Promise<Record<string, unknown>>;
  writeConfig(config: object): Promise<void>;
  /** the helper's calls, one `<action> <input>` per line */
  log(): Promise<string[]>;
  /** the secrets the helper holds (file names) */
  secrets(): Promise<string[]>;
}

/** A client config dir <base>/<name>/config holding `config`, and the helper's own store dir beside it. */
export async function testClient(base: string, helperBin: string, name: string, config: object): Promise<TestClient> {
  const dir = path.join(base, name);
  const file = path.join(dir, 'config', 'config.json');
  await fs.mkdir(path.join(dir, 'config'), { recursive: true });
  await fs.writeFile(file, JSON.stringify(config));
  const env = { DOCKER_CONFIG: path.join(dir, 'config'), BERTHTEST_CREDS: path.join(dir, 'creds'), PATH: `${helperBin}:${process.env.PATH}` };
  return {
    env,
    config: async () => JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>,
    writeConfig: (c) => fs.writeFile(file, JSON.stringify(c)),
    log: async () => (await fs.readFile(path.join(dir, 'creds', 'log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    secrets: async () => (await fs.readdir(path.join(dir, 'creds')).catch(() => [] as string[])).filter((f) => f.endsWith('.cred')),
  };
}
