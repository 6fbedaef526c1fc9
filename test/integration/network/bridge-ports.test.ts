import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import { bootstrapBusybox, eventually, request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

/**
 * The default bridge through the real docker CLI: an address, outbound NAT rules, published ports from
 * 127.0.0.1, `docker port`, taken ports, no name resolution; host and none modes; --add-host, --dns, --link.
 * Traffic only between the host and the daemon's own bridge.
 */
const exec = promisify(execFile);
let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const HTTPD = 'mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function curl(url: string): Promise<string> {
  const { stdout } = await exec('curl', ['-s', '-m', '3', url]);
  return stdout;
}

test('default bridge: an address on the daemon bridge, a default route, inspect shows it', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0; ip route']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`inet ${d.net.replace('.', '\\.')}\\.0\\.\\d+/24`));
  assert.match(r.stdout, new RegExp(`default via ${d.net.replace('.', '\\.')}\\.0\\.1 dev eth0`));

  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'bridged', 'busybox', 'sleep', '60']);
  assert.equal(run.code, 0, run.stderr);
  const ip = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.MacAddress}}', 'bridged'])).stdout.trim().split(' ');
  assert.equal(ip[0], ip[1]);
  assert.equal(ip[2], `${d.net}.0.1`);
  assert.match(ip[3]!, /^02:42:0a:/);
  // the host reaches it over the bridge
  await exec('busybox', ['ping', '-c', '1', '-W', '2', ip[0]!]);
  const hosts = await runDocker(d.dockerHost, ['exec', 'bridged', 'cat', '/etc/hosts']);
  assert.match(hosts.stdout, new RegExp(`${ip[0]!.replace(/\./g, '\\.')}\\t`));
  const netInspect = JSON.parse((await runDocker(d.dockerHost, ['network', 'inspect', 'bridge'])).stdout) as Array<{ Containers: Record<string, { Name: string }>; IPAM: { Config: Array<{ Subnet: string }> } }>;
  assert.equal(netInspect[0]!.IPAM.Config[0]!.Subnet, `${d.net}.0.0/24`);
  assert.ok(Object.values(netInspect[0]!.Containers).some((c) => c.Name === 'bridged'));
  await runDocker(d.dockerHost, ['rm', '-f', 'bridged']);
});

test('-p 127.0.0.1:P:80: curl on the host reaches busybox httpd; docker port, ps and inspect show it', async () => {
  const port = await freePort();
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'web', '--hostname', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', HTTPD]);
  assert.equal(run.code, 0, run.stderr);
  const body = await eventually(() => curl(`http://127.0.0.1:${port}/`), 5000, 'httpd answer');
  assert.equal(body, 'hello-from-web\n');
  const p = await runDocker(d.dockerHost, ['port', 'web']);
  assert.equal(p.stdout, `80/tcp -> 127.0.0.1:${port}\n`);
  const p80 = await runDocker(d.dockerHost, ['port', 'web', '80']);
  assert.equal(p80.stdout, `127.0.0.1:${port}\n`);
  const ps = await runDocker(d.dockerHost, ['ps', '--filter', 'name=web', '--format', '{{.Ports}}']);
  assert.equal(ps.stdout, `127.0.0.1:${port}->80/tcp\n`);
  const ports = await runDocker(d.dockerHost, ['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web']);
  assert.deepEqual(JSON.parse(ports.stdout), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });

  // the same port again: Docker's "port is already allocated"
  const twice = await runDocker(d.dockerHost, ['run', '--rm', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
  assert.notEqual(twice.code, 0);
  assert.match(twice.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));

  await runDocker(d.dockerHost, ['rm', '-f', 'web']);
  // its rules went with it
  const { stdout } = await exec('iptables-save', ['-t', 'nat']);
  assert.doesNotMatch(stdout, new RegExp(`--dport ${port} `));
});

test('a host port another process holds is a clear error', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const r = await runDocker(d.dockerHost, ['run', '--rm', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`listen tcp4 127\\.0\\.0\\.1:${port}: bind: address already in use`));
  } finally {
    srv.close();
  }
  const ls = await runDocker(d.dockerHost, ['ps', '-aq']);
  assert.equal(ls.stdout, '', '--rm removed the container whose start failed');
});

test('a published port stays taken for other processes (tcp and udp) while the container runs, also after a daemon restart', async () => {
  const [tcp, udp] = [await freePort(), await freePort()];
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'held', '-p', `127.0.0.1:${tcp}:80`, '-p', `127.0.0.1:${udp}:53/udp`, 'busybox', 'sleep', '300']);
  assert.equal(run.code, 0, run.stderr);
  const tryTcp = () => new Promise<string>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    srv.listen(tcp, '127.0.0.1', () => srv.close(() => resolve('bound')));
  });
  const tryUdp = () => new Promise<string>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    s.bind(udp, '127.0.0.1', () => s.close(() => resolve('bound')));
  });
  assert.equal(await tryTcp(), 'EADDRINUSE');
  assert.equal(await tryUdp(), 'EADDRINUSE');
  // the sockets die with the daemon; the restarted daemon takes the ports again before it answers
  await d.kill9();
  await d.restart();
  assert.equal(await tryTcp(), 'EADDRINUSE');
  assert.equal(await tryUdp(), 'EADDRINUSE');
  assert.equal((await runDocker(d.dockerHost, ['rm', '-f', 'held'])).code, 0);
  assert.equal(await tryTcp(), 'bound');
  assert.equal(await tryUdp(), 'bound');
});

test('hairpin: a container reaches its own published port, and another container reaches it, through the host', async () => {
  const port = await freePort();
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'hairpin', '--hostname', 'hairpin', '-p', `${port}:80`, 'busybox', 'sh', '-c', HTTPD]);
  assert.equal(run.code, 0, run.stderr);
  try {
    const gw = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.NetworkSettings.Gateway}}', 'hairpin'])).stdout.trim();
    const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${gw} ${port} | tail -1`;
    const self = await eventually(async () => {
      const r = await runDocker(d.dockerHost, ['exec', 'hairpin', 'sh', '-c', get]);
      if (!r.stdout.includes('hello')) throw new Error(r.stdout + r.stderr);
      return r.stdout;
    }, 5000, 'hairpin answer');
    assert.equal(self, 'hello-from-hairpin\n');
    const other = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'sh', '-c', get]);
    assert.equal(other.stdout, 'hello-from-hairpin\n');
  } finally {
    await runDocker(d.dockerHost, ['rm', '-f', 'hairpin']);
  }
});

test('-p with a random host port and -P over EXPOSEd ports', async () => {
  const run = await runDocker(d.dockerHost, ['run', '-d', '--name', 'rnd', '--hostname', 'rnd', '-p', '80', '--expose', '81', '-P', 'busybox', 'sh', '-c', HTTPD]);
  assert.equal(run.code, 0, run.stderr);
  const port = (await runDocker(d.dockerHost, ['port', 'rnd', '80/tcp'])).stdout.trim();
  assert.match(port, /^0\.0\.0\.0:\d+$/);
  const p81 = (await runDocker(d.dockerHost, ['port', 'rnd', '81'])).stdout.trim();
  assert.match(p81, /^0\.0\.0\.0:\d+$/);
  assert.notEqual(port, p81);
  const body = await eventually(() => curl(`http://127.0.0.1:${port.split(':')[1]}/`), 5000, 'httpd answer');
  assert.equal(body, 'hello-from-rnd\n');
  await runDocker(d.dockerHost, ['rm', '-f', 'rnd']);
});

test('the default bridge does not resolve container names; an unknown name fails locally', async () => {
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'target', 'busybox', 'sleep', '60']);
  const t0 = Date.now();
  const r = await runDocker(d.dockerHost, ['run', '--rm', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf; nslookup target; echo rc=$?']);
  assert.match(r.stdout, /nameserver 127\.0\.0\.1/);
  assert.doesNotMatch(r.stdout, /Address: 10\./);
  assert.match(r.stdout, /rc=1/);
  assert.ok(Date.now() - t0 < 8000);
  await runDocker(d.dockerHost, ['rm', '-f', 'target']);
});

test('--link on the default bridge, --add-host, --dns, --dns-search', async () => {
  await runDocker(d.dockerHost, ['run', '-d', '--name', 'linked', 'busybox', 'sleep', '60']);
  const ip = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'linked'])).stdout.trim();
  const r = await runDocker(d.dockerHost, ['run', '--rm', '--link', 'linked:db', '--add-host', 'extra.test:10.1.2.3', '--dns', '127.0.0.2', '--dns-search', 'example.test', 'busybox', 'sh', '-c', 'cat /etc/hosts /etc/resolv.conf; ping -c1 -W2 db >/dev/null && echo ping-db-ok']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${ip.replace(/\./g, '\\.')}\\tdb [0-9a-f]{12} linked`));
  assert.match(r.stdout, /10\.1\.2\.3\textra\.test/);
  assert.match(r.stdout, /nameserver 127\.0\.0\.2/);
  assert.match(r.stdout, /search example\.test/);
  assert.match(r.stdout, /ping-db-ok/);
  await runDocker(d.dockerHost, ['rm', '-f', 'linked']);
});

test('--network none has only lo; --network host sees the host interfaces; container:<id> shares a namespace', async () => {
  const none = await runDocker(d.dockerHost, ['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
  assert.equal(none.stdout.trim(), 'lo');
  const host = await runDocker(d.dockerHost, ['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']);
  assert.ok(host.stdout.split(/\s+/).includes(d.bridge), host.stdout);
  const inspectNone = await runDocker(d.dockerHost, ['run', '-d', '--name', 'nonenet', '--network', 'none', 'busybox', 'sleep', '60']);
  assert.equal(inspectNone.code, 0);
  const nets = await runDocker(d.dockerHost, ['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'nonenet']);
  assert.deepEqual(Object.keys(JSON.parse(nets.stdout)), ['none']);
  await runDocker(d.dockerHost, ['rm', '-f', 'nonenet']);

  await runDocker(d.dockerHost, ['run', '-d', '--name', 'owner', 'busybox', 'sleep', '60']);
  const ip = (await runDocker(d.dockerHost, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'owner'])).stdout.trim();
  const joined = await runDocker(d.dockerHost, ['run', '--rm', '--network', 'container:owner', 'busybox', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
  assert.match(joined.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
  await runDocker(d.dockerHost, ['stop', '-t', '0', 'owner']);
  const stopped = await runDocker(d.dockerHost, ['run', '--rm', '--network', 'container:owner', 'busybox', 'true']);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, /cannot join network of a non running container/);
  await runDocker(d.dockerHost, ['rm', '-f', 'owner']);
});

test('an unknown network is refused at run', async () => {
  const r = await runDocker(d.dockerHost, ['run', '--rm', '--network', 'nosuchnet', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /network nosuchnet not found/);
  assert.equal((await runDocker(d.dockerHost, ['ps', '-aq'])).stdout, '', '--rm removed it');
});

test('Config.MacAddress (API 1.43) sets the container\'s MAC on the default bridge', async () => {
  // docker CLI 28 sends --mac-address per network, which needs API 1.44: the API's 1.43 field is checked here
  const created = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['cat', '/sys/class/net/eth0/address'], MacAddress: '02:42:ac:11:00:99' }));
  assert.equal(created.status, 201, created.body);
  const id = JSON.parse(created.body).Id;
  await runDocker(d.dockerHost, ['start', '-a', id]).then((r) => assert.equal(r.stdout, '02:42:ac:11:00:99\n', r.stderr));
  await runDocker(d.dockerHost, ['rm', id]);
});
