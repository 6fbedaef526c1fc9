import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineClient } from './client.js';
import { ApiError, ConnectionError } from './errors.js';
import { parseHost, resolveHost } from './host.js';
import { buildPath } from './transport.js';

let dir: string;
let server: http.Server;
let client: EngineClient;
const seen: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-client-'));
  const socket = path.join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/v1.43/_ping') return void res.end('OK');
    if (req.url === '/_ping') {
      res.writeHead(200, { 'API-Version': '1.41' });
      return void res.end('OK');
    }
    if (req.url === '/v1.41/version') return void res.end('{"Version":"old","ApiVersion":"1.41","Os":"linux","Arch":"amd64"}');
    if (req.url?.startsWith('/v1.43/containers/missing/json')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      return void res.end('{"message":"No such container: missing"}\n');
    }
    if (req.url === '/v1.43/containers/create?name=web') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Id: 'abc', Warnings: [], echo: JSON.parse(body) }));
      });
      return;
    }
    if (req.url === '/v1.43/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Type":"container","Action":"start","Actor":{"ID":"x"},"time":1,"timeNano":1795325484580925102}\n');
      return void res.end();
    }
    res.writeHead(500);
    res.end('plain failure');
  });
  server.on('upgrade', (req, sock) => {
    seen.push(`UPGRADE ${req.url} ${req.headers.upgrade}`);
    sock.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    sock.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a]));
    sock.on('data', (d: Buffer) => sock.end(d));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  client = new EngineClient({ host: `unix://${socket}`, version: '1.43' });
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('host resolution: flag, then DOCKER_HOST, then the berthd socket', () => {
  assert.equal(resolveHost('tcp://1.2.3.4:2375', { DOCKER_HOST: 'unix:///x' }), 'tcp://1.2.3.4:2375');
  assert.equal(resolveHost(undefined, { DOCKER_HOST: 'unix:///x' }), 'unix:///x');
  assert.equal(resolveHost(undefined, {}), 'unix:///run/berth/berthd.sock');
  assert.deepEqual(parseHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, display: 'tcp://127.0.0.1:2375' });
  assert.equal(parseHost('unix:///run/x.sock').kind, 'unix');
});

test('paths are versioned and queries encoded', () => {
  assert.equal(buildPath('1.43', '/containers/json', { all: true, limit: undefined, filters: '{"a":["b"]}' }), '/v1.43/containers/json?all=1&filters=%7B%22a%22%3A%5B%22b%22%5D%7D');
  assert.equal(buildPath('1.43', '/images/get?names=a', { x: 1 }), '/v1.43/images/get?names=a&x=1');
});

test('ping and JSON bodies', async () => {
  assert.equal(await client.ping(), 'OK');
  const res = (await client.containerCreate({ Image: 'busybox' }, 'web')) as unknown as { Id: string; echo: { Image: string } };
  assert.equal(res.Id, 'abc');
  assert.equal(res.echo.Image, 'busybox');
});

test('without a fixed version the client negotiates down to the daemon API version', async () => {
  const saved = process.env.DOCKER_API_VERSION;
  delete process.env.DOCKER_API_VERSION;
  try {
    const c = new EngineClient({ host: client.host });
    const v = await c.version();
    assert.equal(v.Version, 'old');
    assert.equal(c.transport.version, '1.41');
  } finally {
    if (saved !== undefined) process.env.DOCKER_API_VERSION = saved;
  }
});

test('error responses become ApiError with status and message', async () => {
  await assert.rejects(client.containerInspect('missing'), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 404);
    assert.equal(e.message, 'No such container: missing');
    assert.equal(e.display, 'Error response from daemon: No such container: missing');
    return true;
  });
  await assert.rejects(client.info(), (e: unknown) => e instanceof ApiError && e.status === 500 && e.message === 'plain failure');
});

test('an unreachable daemon is a ConnectionError naming the host', async () => {
  const c = new EngineClient({ host: `unix://${dir}/nothing.sock` });
  await assert.rejects(c.ping(), (e: unknown) => {
    assert.ok(e instanceof ConnectionError);
    assert.equal(e.message, `Cannot connect to the berth daemon at unix://${dir}/nothing.sock. Is the berth daemon running?`);
    return true;
  });
});

test('events keep timeNano exact', async () => {
  const events = await client.events({});
  const all = [];
  for await (const e of events) all.push(e);
  assert.equal(all[0].timeNano, 1795325484580925102n);
});

test('attach hijacks the connection with Upgrade: tcp', async () => {
  const { socket, head } = await client.containerAttach('c1', { stream: true, stdin: true, stdout: true });
  const chunks: Buffer[] = [head];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.end('bye');
  await new Promise((r) => socket.once('close', r));
  const all = Buffer.concat(chunks);
  assert.deepEqual([...all.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 3]);
  assert.equal(all.subarray(8).toString(), 'hi\nbye');
  assert.ok(seen.includes('UPGRADE /v1.43/containers/c1/attach?stream=1&stdin=1&stdout=1 tcp'));
});
