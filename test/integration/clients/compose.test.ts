import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { bootstrapBusybox, eventually, request, startBerthd, type Berthd, type ExecResult } from '../../helpers/berthd.js';
import { freePort } from '../../helpers/registries.js';
import { DOCKER_COMPOSE, runProcess } from '../../helpers/python-clients.js';

/**
 * Debian's docker-compose 1.29.2, unchanged, with DOCKER_HOST on berthd: a project of two services on the
 * project's default network (a service built from a Dockerfile with a healthcheck, a named volume, a port on
 * 127.0.0.1, environment and env_file; a client that waits for it to be healthy) taken through up, ps, logs,
 * exec, run, scale, recreate, restart, stop and down -v. Compose builds through docker-py here
 * (COMPOSE_DOCKER_CLI_BUILD=0); exec and run go through the docker CLI as compose does by default, and
 * through docker-py's own attach (COMPOSE_INTERACTIVE_NO_CLI=1) where said. No image is pulled: the
 * services use the local busybox. Containers use the daemon's DNS default, 127.0.0.1.
 */
let d: Berthd;
let dir: string;
let port: number;
let appNetworkId = '';
const projects = new Set<string>();

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = path.join(d.base, 'compose');
  port = await freePort();
  await fs.mkdir(path.join(dir, 'app', 'web'), { recursive: true });
  await fs.writeFile(path.join(dir, 'app', 'docker-compose.yml'), APP);
  await fs.writeFile(path.join(dir, 'app', 'web.env'), 'FROM_FILE=file-value\n# a comment\n');
  await fs.writeFile(path.join(dir, 'app', 'web', 'Dockerfile'), WEB_DOCKERFILE);
});
after(async () => {
  // down -v first, as a user would; the daemon's stop() removes whatever that left
  for (const p of projects) await compose(p, ['down', '-v', '--remove-orphans', '-t', '1']).catch(() => undefined);
  await d?.stop();
});

const APP = `version: "2.4"
services:
  web:
    build: ./web
    image: berth-compose-web:latest
    environment:
      GREETING: \${GREETING:-hello}
    env_file: [web.env]
    ports: ["127.0.0.1:\${WEB_PORT}:80"]
    volumes: ["data:/data"]
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "test", "-f", "/www/index.html"]
      interval: 1s
      timeout: 5s
      retries: 60
  client:
    image: busybox
    init: true
    command: ["sleep", "3600"]
    depends_on:
      web:
        condition: service_healthy
volumes:
  data: {}
`;

// the page says what the environment and the volume hold; the volume keeps a line per start
const WEB_DOCKERFILE = `FROM busybox
RUN mkdir -p /www
CMD ["sh", "-c", "sleep 1; echo start >> /data/starts; echo \\"$GREETING $FROM_FILE $(wc -l < /data/starts)\\" > /www/index.html; echo web-started; exec httpd -f -v -p 80 -h /www"]
`;

function compose(project: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ExecResult> {
  projects.add(project);
  return runProcess(DOCKER_COMPOSE, ['-p', project, ...args], {
    cwd: path.join(dir, project),
    timeoutMs: 240_000,
    env: {
      ...process.env,
      DOCKER_HOST: d.dockerHost,
      DOCKER_CONFIG: path.join(d.base, 'docker-config'),
      COMPOSE_DOCKER_CLI_BUILD: '0',
      DOCKER_BUILDKIT: '0',
      DOCKER_CLI_HINTS: 'false',
      WEB_PORT: String(port),
      ...env,
    },
  });
}

async function ok(project: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await compose(project, args, env);
  assert.equal(r.code, 0, `docker-compose ${args.join(' ')} exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n${d.log().slice(-3000)}`);
  return r.stdout;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const api = async <T>(p: string): Promise<T> => JSON.parse((await request(d.socket, 'GET', p)).body) as T;
const psNames = async (project: string) => (await ok(project, ['ps', '--services', '--filter', 'status=running'])).split('\n').filter(Boolean).sort();

test('up -d builds the web service, waits for it to be healthy, then starts the client; ps and the published port', async () => {
  const up = await compose('app', ['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Creating network "app_default" with the default driver/);
  assert.match(up.stderr, /Creating volume "app_data" with default driver/);
  assert.match(up.stdout, /Successfully tagged berth-compose-web:latest/);

  const web = await api<{ State: { Health: { Status: string } } }>('/containers/app_web_1/json');
  assert.equal(web.State.Health.Status, 'healthy', 'client started only once web was healthy');
  appNetworkId = (await api<{ Id: string }>('/networks/app_default')).Id;
  assert.ok(await fs.access(`/sys/class/net/br-${appNetworkId.slice(0, 12)}`).then(() => true, () => false), 'its bridge');
  const ps = await ok('app', ['ps']);
  assert.match(ps, /app_web_1\s.*Up \(healthy\)\s+127\.0\.0\.1:\d+->80\/tcp/);
  assert.match(ps, /app_client_1\s.*Up/);
  assert.deepEqual(await psNames('app'), ['client', 'web']);

  const page = await eventually(async () => {
    const r = await get(`http://127.0.0.1:${port}/`);
    return r.status === 200 ? r.body : undefined;
  }, 60_000, 'the published port');
  assert.equal(page, 'hello file-value 1\n', 'environment, env_file and the volume');

  const logs = await ok('app', ['logs', '--no-color', 'web']);
  assert.match(logs, /web_1\s+\| web-started/);
  const labels = await api<{ Config: { Labels: Record<string, string> } }>('/containers/app_client_1/json');
  assert.equal(labels.Config.Labels['com.docker.compose.project'], 'app');
  assert.equal(labels.Config.Labels['com.docker.compose.service'], 'client');
});

test('the client reaches web by its service name on the default network; exec -T passes the exit code', async () => {
  const out = await compose('app', ['exec', '-T', 'client', 'sh', '-c', 'nslookup web | grep -A1 "^Name:"; printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc web 80 | tail -1']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Name:\s+web\nAddress: \d+\.\d+\.\d+\.\d+/);
  assert.match(out.stdout, /hello file-value 1\n$/);
  const env = await compose('app', ['exec', '-T', '-e', 'EXTRA=x', '-w', '/data', 'web', 'sh', '-c', 'echo $GREETING $FROM_FILE $EXTRA $(pwd); exit 4']);
  assert.equal(env.code, 4);
  assert.equal(env.stdout, 'hello file-value x /data\n');
  // the same through docker-py's own exec and attach instead of the docker CLI
  const py = await compose('app', ['exec', '-T', 'web', 'sh', '-c', 'echo via docker-py; exit 5'], { COMPOSE_INTERACTIVE_NO_CLI: '1' });
  assert.equal(py.code, 5, py.stderr);
  assert.equal(py.stdout, 'via docker-py\n');
});

test('run --rm: a one-off container on the project network, its exit code, and nothing left behind', async () => {
  const r = await compose('app', ['run', '--rm', '-T', 'client', 'sh', '-c', 'nslookup web >/dev/null && echo resolved; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'resolved\n');
  const py = await compose('app', ['run', '--rm', '-T', '-e', 'X=y', 'client', 'sh', '-c', 'echo one-off $X'], { COMPOSE_INTERACTIVE_NO_CLI: '1' });
  assert.equal(py.code, 0, py.stderr);
  assert.match(py.stdout, /^one-off y\n/);
  const all = await api<Array<{ Names: string[] }>>('/containers/json?all=1');
  assert.deepEqual(all.map((c) => c.Names[0]).sort(), ['/app_client_1', '/app_web_1']);
});

test('--scale and scale: three clients, each resolving web, then back to one', async () => {
  await ok('app', ['up', '-d', '--scale', 'client=3']);
  const ids = (await ok('app', ['ps', '-q', 'client'])).split('\n').filter(Boolean);
  assert.equal(ids.length, 3);
  for (const n of [1, 2, 3]) {
    const r = await compose('app', ['exec', '-T', '--index', String(n), 'client', 'sh', '-c', 'nslookup web >/dev/null && hostname']);
    assert.equal(r.code, 0, r.stderr);
  }
  // compose gives every replica the service name as an alias
  const names = await compose('app', ['exec', '-T', 'web', 'sh', '-c', 'nslookup client | grep -c "^Address: "']);
  assert.equal(names.stdout.trim(), '3');
  const down = await compose('app', ['scale', 'client=1']);
  assert.equal(down.code, 0, down.stderr);
  assert.equal((await ok('app', ['ps', '-q', 'client'])).split('\n').filter(Boolean).length, 1);
});

test('a changed environment recreates web (compose reads the image\'s ContainerConfig) and the named volume keeps its data', async () => {
  const up = await compose('app', ['up', '-d'], { GREETING: 'changed' });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Recreating app_web_1/);
  const page = await eventually(async () => {
    const r = await get(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return r?.status === 200 && r.body.startsWith('changed') ? r.body : undefined;
  }, 60_000, 'the recreated web');
  assert.equal(page, 'changed file-value 2\n');
  const again = await compose('app', ['up', '-d'], { GREETING: 'changed' });
  assert.match(again.stderr, /app_web_1 is up-to-date/);
});

test('restart, stop and start', async () => {
  await ok('app', ['restart', '-t', '1'], { GREETING: 'changed' });
  assert.deepEqual(await psNames('app'), ['client', 'web']);
  const page = await eventually(async () => {
    const r = await get(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return r?.status === 200 && r.body.endsWith('3\n') ? r.body : undefined;
  }, 60_000, 'web after restart');
  assert.equal(page, 'changed file-value 3\n');
  await ok('app', ['stop', '-t', '1']);
  assert.deepEqual(await psNames('app'), []);
  const ps = await ok('app', ['ps']);
  assert.match(ps, /app_web_1\s.*Exit \d+/);
  await ok('app', ['start']);
  assert.deepEqual(await psNames('app'), ['client', 'web']);
});

test('down -v leaves no container, network or volume; the built image stays', async () => {
  const down = await compose('app', ['down', '-v', '-t', '1']);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /Removing network app_default/);
  assert.match(down.stderr, /Removing volume app_data/);
  assert.deepEqual(await api('/containers/json?all=1'), []);
  const nets = await api<Array<{ Name: string }>>('/networks');
  assert.deepEqual(nets.map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
  assert.deepEqual((await api<{ Volumes: unknown[] }>('/volumes')).Volumes, []);
  const img = await request(d.socket, 'GET', '/images/berth-compose-web:latest/json');
  assert.equal(img.status, 200);
  assert.ok(!(await fs.access(`/sys/class/net/br-${appNetworkId.slice(0, 12)}`).then(() => true, () => false)), 'its bridge went');
});

test('depends_on service_completed_successfully and up --exit-code-from', async () => {
  await fs.mkdir(path.join(dir, 'oneshot'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'oneshot', 'docker-compose.yml'),
    `version: "2.4"
services:
  seed:
    image: busybox
    command: ["sh", "-c", "echo seeded > /shared/seed"]
    volumes: ["shared:/shared"]
  main:
    image: busybox
    command: ["sh", "-c", "cat /shared/seed; exit 3"]
    volumes: ["shared:/shared"]
    depends_on:
      seed:
        condition: service_completed_successfully
volumes:
  shared: {}
`,
  );
  const r = await compose('oneshot', ['up', '--no-color', '--exit-code-from', 'main']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /main_1\s+\| seeded/);
  await ok('oneshot', ['down', '-v']);
  assert.deepEqual(await api('/containers/json?all=1'), []);
  assert.deepEqual((await api<{ Volumes: unknown[] }>('/volumes')).Volumes, []);
});

test('pid and ipc of another service, ipc shareable, network_mode service, group_add, links on a user network, privileged with devices', async () => {
  await fs.mkdir(path.join(dir, 'shared'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'shared', 'docker-compose.yml'),
    `version: "2.4"
services:
  main:
    image: busybox
    init: true
    command: ["sh", "-c", "echo from-main > /dev/shm/token; exec sleep 3600"]
    user: "1000:1000"
    group_add: ["100"]
    ipc: shareable
    networks: [inner]
  sidecar:
    image: busybox
    init: true
    command: ["sleep", "3601"]
    pid: "service:main"
    ipc: "service:main"
    network_mode: "service:main"
  linker:
    image: busybox
    init: true
    command: ["sleep", "3602"]
    links: ["main:database"]
    privileged: true
    devices: ["/dev/null:/dev/mynull"]
    networks: [inner]
networks:
  inner: {}
`,
  );
  await ok('shared', ['up', '-d']);
  const groups = await ok('shared', ['exec', '-T', 'main', 'sh', '-c', 'id -u; grep ^Groups: /proc/self/status']);
  assert.equal(groups, '1000\nGroups:\t100 1000 \n');
  const side = await ok('shared', ['exec', '-T', 'sidecar', 'sh', '-c', 'ps -o args; cat /dev/shm/token; ip -4 -o addr show eth0 | wc -l']);
  assert.match(side, /docker-init -- sh -c echo from-main/, 'main\'s processes are in its PID namespace');
  assert.match(side, /sleep 3601/);
  assert.match(side, /from-main\n1\n$/, 'main\'s /dev/shm and network');
  const linker = await ok('shared', ['exec', '-T', 'linker', 'sh', '-c', 'nslookup database | grep -A1 "^Name:"; ls -l /dev/mynull']);
  const mainIp = (await api<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>('/containers/shared_main_1/json')).NetworkSettings.Networks.shared_inner!.IPAddress;
  assert.match(linker, new RegExp(`Name:\\s+database\\nAddress: ${mainIp.replace(/\./g, '\\.')}\\n`), 'the link alias resolves on the user network');
  assert.match(linker, /^crw.* 1,\s+3 .* \/dev\/mynull$/m);
  await ok('shared', ['down', '-v', '-t', '1']);
  assert.deepEqual(await api('/containers/json?all=1'), []);
});
