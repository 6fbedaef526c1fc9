import { spawn } from 'node:child_process';

/**
 * The docker-credential-helpers protocol, client side: `docker-credential-<name> <action>` found on PATH,
 * the input on stdin, the answer on stdout.
 *   store  ← {"ServerURL","Username","Secret"}        (JSON)
 *   get    ← server URL   → {"ServerURL","Username","Secret"}; "credentials not found in native keychain" = none
 *   erase  ← server URL
 * Failures read as the docker CLI's:
 * `error storing credentials - err: exit status 1, out: `…``.
 */
const NOT_FOUND = 'credentials not found in native keychain';

export interface HelperCredentials {
  ServerURL: string;
  Username: string;
  Secret: string;
}

export class CredentialsNotFound extends Error {}

const verbs = { store: 'storing', get: 'getting', erase: 'erasing' } as const;
type Action = keyof typeof verbs;

function run(helper: string, action: Action, input: string): Promise<string> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const fail = (err: string, out: string) => reject(new Error(`error ${verbs[action]} credentials - err: ${err}, out: \`${out.trim()}\``));
    const p = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // a helper's stderr is its own (docker's client reads only stdout)
    p.stderr.resume();
    p.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? `exec: "${program}": executable file not found in $PATH` : e.message, ''));
    p.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else if (code !== null || signal) {
        if (action !== 'store' && out.trim() === NOT_FOUND) reject(new CredentialsNotFound(NOT_FOUND));
        else fail(signal ? `signal: ${signal}` : `exit status ${code}`, out);
      }
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

export async function helperStore(helper: string, creds: HelperCredentials): Promise<void> {
  await run(helper, 'store', goJson(creds));
}

/** JSON as Go's encoding/json writes it (the docker CLI's): <, >, &, U+2028 and U+2029 escaped ("<token>" → "\u003ctoken\u003e"). */
function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** undefined when the helper has nothing for the server */
export async function helperGet(helper: string, serverURL: string): Promise<HelperCredentials | undefined> {
  let out: string;
  try {
    out = await run(helper, 'get', serverURL);
  } catch (err) {
    if (err instanceof CredentialsNotFound) return undefined;
    throw err;
  }
  try {
    return JSON.parse(out) as HelperCredentials;
  } catch {
    throw new Error(`error getting credentials - err: invalid JSON from docker-credential-${helper}, out: \`${out.trim()}\``);
  }
}

export async function helperErase(helper: string, serverURL: string): Promise<void> {
  await run(helper, 'erase', serverURL);
}
