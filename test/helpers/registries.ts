import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, sleep } from './berthd.js';

/**
 * Registries for integration tests, on 127.0.0.1 only: `berth registry serve` and Debian's
 * docker-registry (distribution 2.8), each a real process with its own root under a temp dir, and a
 * faulty proxy that damages blob downloads. stop() kills the process and removes the dir.
 */
export interface TestRegistry {
  kind: 'berth' | 'distribution';
  /** 127.0.0.1:PORT */
  host: string;
  root: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** What readiness checks over HTTPS trust: the CA (PEM), and a client certificate when the registry demands one. */
export type ReadinessTls = Buffer | { ca: Buffer; cert: Buffer; key: Buffer };

async function waitFor(url: string, proc: ChildProcess, log: () => string, tls?: ReadinessTls): Promise<void> {
  const tlsOpts = Buffer.isBuffer(tls) ? { ca: tls } : tls;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`registry exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const get = tlsOpts ? (u: string, cb: (res: http.IncomingMessage) => void) => https.get(u, tlsOpts, cb) : (u: string, cb: (res: http.IncomingMessage) => void) => http.get(u, cb);
      get(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`registry at ${url} did not answer: ${log()}`);
}

async function launch(kind: TestRegistry['kind'], file: string, args: string[], base: string, port: number, tls?: ReadinessTls, ip = '127.0.0.1'): Promise<TestRegistry> {
  let logText = '';
  const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (logText = (logText + d.toString()).slice(-20_000)));
  proc.stderr!.on('data', (d: Buffer) => (logText = (logText + d.toString()).slice(-20_000)));
  const host = `${ip}:${port}`;
  try {
    await waitFor(`${tls ? 'https' : 'http'}://${host}/v2/`, proc, () => logText, tls);
  } catch (err) {
    proc.kill('SIGKILL');
    await fs.rm(base, { recursive: true, force: true });
    throw err;
  }
  return {
    kind,
    host,
    root: path.join(base, 'root'),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * `bin/berth registry serve`; extra flags e.g. ['--htpasswd', file, '--token-auth']. With `tls` (the CA's
 * PEM, and a client certificate with --tls-client-ca) the flags include --tls-cert/--tls-key and readiness
 * is checked over HTTPS with it.
 */
export async function startBerthRegistry(extra: (base: string) => Promise<string[]> = async () => [], tls?: ReadinessTls, port?: number, ip = '127.0.0.1'): Promise<TestRegistry> {
  const base = await fs.mkdtemp('/tmp/berth-registry-');
  port ??= await freePort();
  const args = [path.join(REPO_ROOT, 'bin/berth'), 'registry', 'serve', '-q', '--addr', `${ip}:${port}`, '--root', path.join(base, 'root'), '--delete-enabled', ...(await extra(base))];
  return launch('berth', process.execPath, args, base, port, tls, ip);
}

/**
 * Debian's docker-registry (distribution 2.8) with a filesystem root; htpasswd auth when given a file; HTTPS
 * with `tls` (http.tls: certificate, key, and clientcas to demand client certificates; readiness as above).
 */
export async function startDistribution(htpasswd?: string, tls?: { cert: string; key: string; clientCas?: string[]; readiness: ReadinessTls }): Promise<TestRegistry> {
  const base = await fs.mkdtemp('/tmp/berth-distribution-');
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${path.join(base, 'root')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}"${tls ? `, tls: {certificate: ${tls.cert}, key: ${tls.key}${tls.clientCas ? `, clientcas: [${tls.clientCas.join(', ')}]` : ''}}` : ''}}`,
    ...(htpasswd ? [`auth: {htpasswd: {realm: basic-realm, path: ${htpasswd}}}`] : []),
  ].join('\n');
  await fs.writeFile(path.join(base, 'config.yml'), config + '\n');
  return launch('distribution', 'docker-registry', ['serve', path.join(base, 'config.yml')], base, port, tls?.readiness);
}

export type Fault = 'none' | 'corrupt' | 'truncate' | 'truncate-once' | 'slow' | 'unknown-media-type' | 'forbidden';

/**
 * A proxy in front of a registry that damages what it forwards, per `fault`: flips a byte of every blob
 * body ('corrupt'), cuts it in half and closes the connection ('truncate'), sends it in small pieces with
 * pauses ('slow'), or rewrites manifests' layer media types to one nobody knows ('unknown-media-type').
 * 'truncate' cuts every blob answer, ranged ones too; 'truncate-once' cuts only the first whole-blob answer
 * of each blob. `blobRequests` records each blob GET with its Range header and the bytes sent.
 * Blob faults hit every blob over 4 KiB, or only the one whose digest `onlyBlob` is set to.
 */
export async function startFaultyProxy(target: string): Promise<{ host: string; fault: Fault; onlyBlob?: string; blobRequests: Array<{ digest: string; range?: string; sent: number }>; close(): Promise<void> }> {
  const state: { fault: Fault; onlyBlob?: string } = { fault: 'none' };
  const blobRequests: Array<{ digest: string; range?: string; sent: number }> = [];
  const cutOnce = new Set<string>();
  const server = http.createServer((req, res) => {
    if (state.fault === 'forbidden') {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
      return;
    }
    const [thost, tport] = target.split(':');
    const up = http.request({ host: thost, port: Number(tport), method: req.method, path: req.url, headers: req.headers }, (ur) => {
      const isBlob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && (ur.statusCode === 200 || ur.statusCode === 206);
      const isManifest = req.method === 'GET' && /\/manifests\//.test(req.url ?? '') && ur.statusCode === 200;
      const chunks: Buffer[] = [];
      ur.on('data', (c: Buffer) => chunks.push(c));
      ur.on('end', async () => {
        let body = Buffer.concat(chunks);
        const headers = { ...ur.headers };
        if (isManifest && state.fault === 'unknown-media-type') {
          body = Buffer.from(body.toString('utf8').replace(/"application\/vnd\.[^"]*(rootfs\.diff|layer\.v1)[^"]*"/g, '"application/x-unknown-layer"'));
          delete headers['docker-content-digest'];
          headers['content-length'] = String(body.length);
        }
        const digest = /\/blobs\/(sha256:[0-9a-f]+)/.exec(req.url ?? '')?.[1] ?? '';
        const record = { digest, range: req.headers.range, sent: body.length };
        if (isBlob) blobRequests.push(record);
        const cut = state.fault === 'truncate' || (state.fault === 'truncate-once' && ur.statusCode === 200 && !cutOnce.has(digest) && cutOnce.add(digest));
        // the config (small) is left alone so that the layer is what fails; or only the blob `onlyBlob` names
        if (isBlob && (state.onlyBlob ? digest === state.onlyBlob : body.length > 4096)) {
          if (state.fault === 'corrupt') {
            body = Buffer.from(body);
            body[body.length >> 1] ^= 0xff;
          } else if (cut) {
            record.sent = body.length >> 1;
            res.writeHead(ur.statusCode ?? 200, headers);
            res.write(body.subarray(0, body.length >> 1));
            setTimeout(() => res.destroy(), 20);
            return;
          } else if (state.fault === 'slow') {
            res.writeHead(ur.statusCode ?? 200, headers);
            for (let i = 0; i < body.length; i += 64 * 1024) {
              res.write(body.subarray(i, i + 64 * 1024));
              await sleep(30);
            }
            res.end();
            return;
          }
        }
        res.writeHead(ur.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    host,
    blobRequests,
    get fault() {
      return state.fault;
    },
    set fault(f: Fault) {
      state.fault = f;
    },
    get onlyBlob() {
      return state.onlyBlob;
    },
    set onlyBlob(d: string | undefined) {
      state.onlyBlob = d;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
