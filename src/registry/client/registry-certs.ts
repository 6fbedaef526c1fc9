import { promises as fs } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { invalidArgument } from '../../errdefs/index.js';

/**
 * Per-registry TLS material, read as dockerd reads /etc/docker/certs.d: in `<dir>/<host[:port]>/`, every
 * `*.crt` is a CA trusted for that registry (beside the system's), and every `*.cert` with its `*.key` is a
 * client certificate. A `.cert` without its key (or the other way round) is an error that names the file.
 * No directory for the host: undefined (the system's CAs alone).
 */
export async function registryTlsOptions(certsDir: string, host: string): Promise<https.AgentOptions | undefined> {
  if (!certsDir || host.includes('/') || host.startsWith('.')) return undefined;
  const dir = path.join(certsDir, host);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    return undefined;
  }
  const ca: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.crt')) ca.push(await fs.readFile(file, 'utf8'));
    else if (name.endsWith('.cert')) {
      const keyName = name.slice(0, -'.cert'.length) + '.key';
      if (!names.includes(keyName)) throw invalidArgument(`missing key ${keyName} for client certificate ${name}. CA certificates must use the extension .crt.`);
      cert = await fs.readFile(file, 'utf8');
      key = await fs.readFile(path.join(dir, keyName), 'utf8');
    } else if (name.endsWith('.key')) {
      const certName = name.slice(0, -'.key'.length) + '.cert';
      if (!names.includes(certName)) throw invalidArgument(`missing client certificate ${certName} for key ${name}`);
    }
  }
  if (!ca.length && !cert) return undefined;
  return { ...(ca.length ? { ca: [...tls.rootCertificates, ...ca] } : {}), ...(cert ? { cert, key } : {}) };
}

const agents = new Map<string, { stamp: string; agent?: https.Agent }>();

/**
 * A keep-alive agent for a registry verified with its own certs.d files, or undefined when it has none (the
 * shared agent serves it); made again when the directory's files change (a CA dropped in while berthd runs
 * takes effect, as with dockerd).
 */
export async function registryAgent(certsDir: string, host: string): Promise<https.Agent | undefined> {
  const dir = path.join(certsDir, host);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stamp = (await Promise.all(names.map(async (n) => `${n}:${(await fs.stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs}`))).join(',');
  const known = agents.get(host);
  if (known?.stamp === stamp) return known.agent;
  known?.agent?.destroy();
  const opts = names.length ? await registryTlsOptions(certsDir, host) : undefined;
  const agent = opts ? new https.Agent({ keepAlive: true, maxSockets: 16, ...opts }) : undefined;
  agents.set(host, { stamp, agent });
  return agent;
}
