import { promises as fs } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { invalidArgument } from '../../errdefs/index.js';

/**
 * Per-registry TLS material, read as dockerd reads /etc/docker/certs.d: in `<dir>/<host[:port]>/`, every
 * `*.crt` is a CA trusted for that registry (beside the system's), and every `*.cert` with its `*.key` is a
 * client certificate (`clientCert` names the file presented). A `.cert` without its key (or the other way
 * round) is an error that names the file. No directory for the host: undefined (the system's CAs alone).
 */
export async function registryTlsOptions(certsDir: string, host: string): Promise<{ options: https.AgentOptions; clientCert?: string } | undefined> {
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
  let clientCert: string | undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.crt')) ca.push(await fs.readFile(file, 'utf8'));
    else if (name.endsWith('.cert')) {
      const keyName = name.slice(0, -'.cert'.length) + '.key';
      if (!names.includes(keyName)) throw invalidArgument(`missing key ${keyName} for client certificate ${name}. CA certificates must use the extension .crt.`);
      cert = await fs.readFile(file, 'utf8');
      clientCert = file;
      key = await fs.readFile(path.join(dir, keyName), 'utf8');
    } else if (name.endsWith('.key')) {
      const certName = name.slice(0, -'.key'.length) + '.cert';
      if (!names.includes(certName)) throw invalidArgument(`missing client certificate ${certName} for key ${name}`);
    }
  }
  if (!ca.length && !cert) return undefined;
  return { options: { ...(ca.length ? { ca: [...tls.rootCertificates, ...ca] } : {}), ...(cert ? { cert, key } : {}) }, clientCert };
}

/** A registry's own agent, and the client certificate file it presents (if it does). */
export interface RegistryAgent {
  agent: https.Agent;
  clientCert?: string;
}

const agents = new Map<string, { stamp: string; made?: RegistryAgent }>();

/**
 * A keep-alive agent for a registry with its own certs.d files, or undefined when it has none that matter
 * (the shared agent serves it); made again when the directory's files change (a CA or a client certificate
 * dropped in while berthd runs takes effect, as with dockerd).
 *
 * `verify: false` is for a loopback or --insecure-registry host, whose certificate is not checked: its CAs
 * do not matter, but its client certificate is presented. (dockerd reads certs.d only for registries it
 * verifies, so it cannot use a loopback registry that demands a client certificate; podman and skopeo
 * present it either way, and so does berthd.)
 */
export async function registryAgent(certsDir: string, host: string, verify: boolean): Promise<RegistryAgent | undefined> {
  const dir = path.join(certsDir, host);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stamp = (await Promise.all(names.map(async (n) => `${n}:${(await fs.stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs}`))).join(',');
  const cacheKey = `${verify ? 'verify' : 'insecure'} ${host}`;
  const known = agents.get(cacheKey);
  if (known?.stamp === stamp) return known.made;
  known?.made?.agent.destroy();
  const tlsFiles = names.length ? await registryTlsOptions(certsDir, host) : undefined;
  let made: RegistryAgent | undefined;
  if (tlsFiles && verify) made = { agent: new https.Agent({ keepAlive: true, maxSockets: 16, ...tlsFiles.options }), clientCert: tlsFiles.clientCert };
  else if (tlsFiles?.clientCert) {
    const { cert, key } = tlsFiles.options;
    made = { agent: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false, cert, key }), clientCert: tlsFiles.clientCert };
  }
  agents.set(cacheKey, { stamp, made });
  return made;
}
