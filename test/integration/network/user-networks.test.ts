import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { bootstrapBusybox, runBerth, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { buildAnswer, parseQuery, RCODE } from '../../../src/network/dns/dns-message.js';
import { parseIp } from '../../../src/network/ipv4.js';

/**
 * User-defined networks through the docker CLI and bin/berth: create/ls/inspect/rm/prune, names resolved by
 * the embedded resolver, connect/disconnect of a running container, bad input, teardown.
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

const docker = (args: string[]) => runDocker(d.dockerHost, args);
const bridgeOf = async (name: string) => (JSON.parse((await docker(['network', 'inspect', name])).stdout) as Array<{ Options: Record<string, string>; Id: string }>)[0]!;
const linkExists = (dev: string) => fs.access(`/sys/class/net/${dev}`).then(() => true, () => false);

test('network create / ls / inspect / rm, with --subnet, --gateway, --ip-range and labels; bad input refused', async () => {
  const subnet = `${d.net}.50.0/24`;
  const c = await docker(['network', 'create', '--subnet', subnet, '--gateway', `${d.net}.50.254`, '--ip-range', `${d.net}.50.128/25`, '--label', 'team=a', 'alpha']);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const [n] = JSON.parse((await docker(['network', 'inspect', 'alpha'])).stdout) as Array<Record<string, unknown> & { IPAM: { Config: Array<Record<string, string>> } }>;
  assert.equal(n!.Driver, 'bridge');
  assert.deepEqual(n!.IPAM.Config[0], { Subnet: subnet, Gateway: `${d.net}.50.254`, IPRange: `${d.net}.50.128/25` });
  assert.deepEqual(n!.Labels, { team: 'a' });
  const dev = `br-${id.slice(0, 12)}`;
  assert.ok(await linkExists(dev), 'its bridge exists');

  const ls = await docker(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}}']);
  assert.equal(ls.stdout, 'alpha bridge\n');
  const custom = await docker(['network', 'ls', '--filter', 'type=custom', '-q']);
  assert.equal(custom.stdout.trim(), id.slice(0, 12));

  const run = await docker(['run', '--rm', '--network', 'alpha', 'busybox', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
  assert.match(run.stdout, new RegExp(`inet ${d.net.replace('.', '\\.')}\\.50\\.128/24`), 'first address of the ip range');

  // bad input
  const overlap = await docker(['network', 'create', '--subnet', `${d.net}.50.128/25`, 'beta']);
  assert.notEqual(overlap.code, 0);
  assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
  const dup = await docker(['network', 'create', 'alpha']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /network with name alpha already exists/);
  const badGw = await docker(['network', 'create', '--subnet', `${d.net}.51.0/24`, '--gateway', '10.255.0.1', 'gamma']);
  assert.notEqual(badGw.code, 0);
  const badCidr = await docker(['network', 'create', '--subnet', 'nonsense', 'delta']);
  assert.notEqual(badCidr.code, 0);
  const unknown = await docker(['network', 'rm', 'nosuchnet']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /network nosuchnet not found/);
  const predefined = await docker(['network', 'rm', 'bridge']);
  assert.match(predefined.stderr, /bridge is a pre-defined network and cannot be removed/);

  const rm = await docker(['network', 'rm', 'alpha']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.ok(!(await linkExists(dev)), 'its bridge went');
  const { stdout } = await exec('iptables-save');
  assert.doesNotMatch(stdout, new RegExp(dev));
});

test('two containers on a user network reach each other by name and alias; --ip; unknown names fail locally', async () => {
  assert.equal((await docker(['network', 'create', 'appnet'])).code, 0);
  const web = await docker(['run', '-d', '--name', 'web', '--network', 'appnet', '--network-alias', 'frontend', '--ip', `${d.net}.1.77`, 'busybox', 'sh', '-c', 'mkdir -p /www && echo hi-from-web > /www/index.html && exec httpd -f -p 80 -h /www']);
  assert.equal(web.code, 0, web.stderr);
  assert.equal((await docker(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'web'])).stdout.trim(), `${d.net}.1.77`);
  const client = await docker(['run', '--rm', '--name', 'client', '--network', 'appnet', 'busybox', 'sh', '-c',
    // (busybox-static's wget crashes in glibc's static getaddrinfo here: names are looked up with nslookup, fetched with nc)
    'for n in web frontend; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc $(nslookup $n | awk \'/^Address: /{print $2}\') 80 | tail -1; done; nslookup web | grep -A1 "Name:"; ping -c1 -W2 frontend >/dev/null && echo ping-ok; nslookup nosuchname.invalid; echo rc=$?']);
  assert.equal(client.code, 0, client.stderr);
  assert.match(client.stdout, /^hi-from-web\nhi-from-web\n/);
  assert.match(client.stdout, new RegExp(`Address: ${d.net.replace('.', '\\.')}\\.1\\.77`));
  assert.match(client.stdout, /ping-ok/);
  assert.match(client.stdout, /rc=1/);

  const inUse = await docker(['network', 'rm', 'appnet']);
  assert.notEqual(inUse.code, 0);
  assert.match(inUse.stderr, /has active endpoints/);
  const ipTaken = await docker(['run', '--rm', '--network', 'appnet', '--ip', `${d.net}.1.77`, 'busybox', 'true']);
  assert.notEqual(ipTaken.code, 0);
  assert.match(ipTaken.stderr, /Address already in use/);
  const ipOnBridge = await docker(['run', '--rm', '--ip', `${d.net}.0.77`, 'busybox', 'true']);
  assert.match(ipOnBridge.stderr, /user specified IP address is supported on user defined networks only/);

  await docker(['rm', '-f', 'web']);
  const rm = await docker(['network', 'rm', 'appnet']);
  assert.equal(rm.code, 0, rm.stderr);
});

test('network connect and disconnect take effect on a running container; connecting twice is refused', async () => {
  assert.equal((await docker(['network', 'create', 'side'])).code, 0);
  await docker(['run', '-d', '--name', 'peer', '--network', 'side', 'busybox', 'sleep', '120']);
  await docker(['run', '-d', '--name', 'mover', 'busybox', 'sleep', '120']);
  const before = await docker(['exec', 'mover', 'ls', '/sys/class/net']);
  assert.deepEqual(before.stdout.split(/\s+/).filter(Boolean).sort(), ['eth0', 'lo']);

  const con = await docker(['network', 'connect', '--alias', 'mv', 'side', 'mover']);
  assert.equal(con.code, 0, con.stderr);
  const after1 = await docker(['exec', 'mover', 'sh', '-c', 'ls /sys/class/net; ping -c1 -W2 peer >/dev/null && echo ping-peer-ok']);
  assert.match(after1.stdout, /eth1/);
  assert.match(after1.stdout, /ping-peer-ok/);
  const fromPeer = await docker(['exec', 'peer', 'sh', '-c', 'ping -c1 -W2 mv >/dev/null && echo ping-alias-ok']);
  assert.match(fromPeer.stdout, /ping-alias-ok/);
  const nets = await docker(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'mover']);
  assert.equal(nets.stdout.trim(), 'bridge side');

  const twice = await docker(['network', 'connect', 'side', 'mover']);
  assert.notEqual(twice.code, 0);
  assert.match(twice.stderr, /endpoint with name mover already exists in network side/);
  const unknown = await docker(['network', 'connect', 'nosuchnet', 'mover']);
  assert.match(unknown.stderr, /network nosuchnet not found/);

  const dis = await docker(['network', 'disconnect', 'side', 'mover']);
  assert.equal(dis.code, 0, dis.stderr);
  const after2 = await docker(['exec', 'mover', 'ls', '/sys/class/net']);
  assert.deepEqual(after2.stdout.split(/\s+/).filter(Boolean).sort(), ['eth0', 'lo']);
  const notConnected = await docker(['network', 'disconnect', 'side', 'mover']);
  assert.notEqual(notConnected.code, 0);

  // connect before start, with an alias: in place when it starts
  await docker(['create', '--name', 'later', 'busybox', 'sleep', '120']);
  assert.equal((await docker(['network', 'connect', '--alias', 'lt', 'side', 'later'])).code, 0);
  await docker(['start', 'later']);
  const fromPeer2 = await docker(['exec', 'peer', 'sh', '-c', 'nslookup lt; ping -c1 -W2 lt && echo ping-later-ok']);
  assert.match(fromPeer2.stdout, /ping-later-ok/, fromPeer2.stdout + fromPeer2.stderr);

  await docker(['rm', '-f', 'peer', 'mover', 'later']);
  const dev = `br-${(await bridgeOf('side')).Id.slice(0, 12)}`;
  const ports = await fs.readdir(`/sys/class/net/${dev}/brif`);
  assert.deepEqual(ports, [], 'no veth left on the bridge');
  assert.equal((await docker(['network', 'rm', 'side'])).code, 0);
});

test("the embedded resolver forwards a container's other names to its own --dns servers, else the daemon's", async () => {
  // a name server on a loopback address of the host, answering one made-up name with a TEST-NET address
  const asked: string[] = [];
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    asked.push(q.name);
    server.send(buildAnswer(q, RCODE.NOERROR, q.name.replace(/\.$/, '') === 'upstream.test' ? [parseIp('192.0.2.77')!] : []), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => server.bind(53, '127.0.0.77', resolve));
  try {
    assert.equal((await docker(['network', 'create', 'dnsnet'])).code, 0);
    const own = await docker(['run', '--rm', '--network', 'dnsnet', '--dns', '127.0.0.77', 'busybox', 'nslookup', 'upstream.test']);
    assert.match(own.stdout, /Address: 192\.0\.2\.77/, own.stdout + own.stderr);
    assert.ok(asked.some((n) => n.startsWith('upstream.test')), asked.join(','));
    // its resolv.conf still names the embedded resolver, which answers container names too
    const conf = await docker(['run', '--rm', '--network', 'dnsnet', '--dns', '127.0.0.77', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.doesNotMatch(conf.stdout, /127\.0\.0\.77/);
    // without --dns the daemon's upstream (127.0.0.1 in tests, where nothing answers) is asked instead
    asked.length = 0;
    const daemons = await docker(['run', '--rm', '--network', 'dnsnet', 'busybox', 'nslookup', 'upstream.test']);
    assert.doesNotMatch(daemons.stdout, /192\.0\.2\.77/);
    assert.deepEqual(asked, []);
  } finally {
    server.close();
    await docker(['network', 'rm', 'dnsnet']);
  }
});

test('--internal: no route out; prune removes unused networks', async () => {
  assert.equal((await docker(['network', 'create', '--internal', 'closed'])).code, 0);
  const r = await docker(['run', '--rm', '--network', 'closed', 'busybox', 'ip', 'route']);
  assert.doesNotMatch(r.stdout, /default/);
  assert.equal((await docker(['network', 'create', 'unused'])).code, 0);
  const prune = await docker(['network', 'prune', '-f']);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, /closed/);
  assert.match(prune.stdout, /unused/);
  const ls = await docker(['network', 'ls', '--format', '{{.Name}}']);
  assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['bridge', 'host', 'none']);
});

test('the same through bin/berth', async () => {
  const berth = (args: string[]) => runBerth(d.dockerHost, args);
  assert.equal((await berth(['network', 'create', 'bnet'])).code, 0);
  await berth(['run', '-d', '--name', 'bweb', '--network', 'bnet', 'busybox', 'sleep', '60']);
  const ping = await berth(['run', '--rm', '--network', 'bnet', 'busybox', 'sh', '-c', 'ping -c1 -W2 bweb >/dev/null && echo ok']);
  assert.equal(ping.stdout, 'ok\n', ping.stderr);
  const none = await berth(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']);
  assert.equal(none.stdout.trim(), 'lo');
  const busy = await berth(['network', 'rm', 'bnet']);
  assert.notEqual(busy.code, 0);
  await berth(['run', '-d', '--name', 'bother', 'busybox', 'sleep', '60']);
  assert.equal((await berth(['network', 'connect', 'bnet', 'bother'])).code, 0);
  const seen = await berth(['exec', 'bother', 'sh', '-c', 'ping -c1 -W2 bweb >/dev/null && echo ok']);
  assert.equal(seen.stdout, 'ok\n');
  assert.equal((await berth(['network', 'disconnect', 'bnet', 'bother'])).code, 0);
  await berth(['rm', '-f', 'bweb', 'bother']);
  assert.equal((await berth(['network', 'rm', 'bnet'])).code, 0);
});

test('daemon restart: running containers stay reachable, nothing is created twice', async () => {
  assert.equal((await docker(['network', 'create', 'keep'])).code, 0);
  await docker(['run', '-d', '--name', 'k1', '--network', 'keep', 'busybox', 'sleep', '300']);
  const ip = (await docker(['inspect', '-f', '{{.NetworkSettings.Networks.keep.IPAddress}}', 'k1'])).stdout.trim();
  const rulesBefore = (await exec('iptables-save')).stdout.split('\n').filter((l) => l.includes(`BERTH-${d.bridge}`)).sort();
  await d.kill9();
  await d.restart();
  await exec('busybox', ['ping', '-c', '1', '-W', '2', ip]);
  const rulesAfter = (await exec('iptables-save')).stdout.split('\n').filter((l) => l.includes(`BERTH-${d.bridge}`)).sort();
  assert.deepEqual(rulesAfter, rulesBefore);
  const r = await docker(['run', '--rm', '--network', 'keep', 'busybox', 'sh', '-c', 'ping -c1 -W2 k1 >/dev/null && echo ok; ip -4 -o addr show eth0']);
  assert.match(r.stdout, /^ok\n/);
  assert.doesNotMatch(r.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`), 'k1 keeps its address; the newcomer gets another');
  await docker(['rm', '-f', 'k1']);
  assert.equal((await docker(['network', 'rm', 'keep'])).code, 0);
});
