import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPool } from './ipam.js';
import { formatIp, macForIp, overlaps, parseIp, parseSubnet } from './ipv4.js';
import { restoreScript } from './firewall.js';
import { buildAnswer, parseQuery } from './dns/dns-message.js';
import { portMap, portRequests } from './ports.js';

test('subnets parse, overlap, and print', () => {
  const a = parseSubnet('10.1.0.0/16');
  assert.equal(formatIp(a.base), '10.1.0.0');
  assert.ok(overlaps(a, parseSubnet('10.1.5.0/24')));
  assert.ok(!overlaps(a, parseSubnet('10.2.0.0/24')));
  assert.throws(() => parseSubnet('10.1.0.0/33'), /invalid CIDR address/);
  assert.throws(() => parseSubnet('nonsense'), /invalid CIDR address/);
  assert.equal(macForIp(parseIp('172.17.0.2')!), '02:42:ac:11:00:02');
});

test('the pool hands out the lowest free address, never the gateway, network or broadcast; --ip is checked', () => {
  const p = new AddressPool(parseSubnet('10.9.0.0/29'), parseIp('10.9.0.1')!);
  assert.equal(formatIp(p.allocate()), '10.9.0.2');
  assert.equal(formatIp(p.allocate('10.9.0.5')), '10.9.0.5');
  assert.throws(() => p.allocate('10.9.0.5'), /Address already in use/);
  assert.throws(() => p.allocate('10.8.0.5'), /no configured subnet or ip-range contain the IP address 10.8.0.5/);
  assert.throws(() => p.allocate('10.9.0.7'), /no configured subnet/, 'broadcast');
  assert.equal(formatIp(p.allocate()), '10.9.0.3');
  assert.equal(formatIp(p.allocate()), '10.9.0.4');
  assert.equal(formatIp(p.allocate()), '10.9.0.6');
  assert.throws(() => p.allocate(), /no available IPv4 addresses/);
  p.release(parseIp('10.9.0.3')!);
  assert.equal(formatIp(p.allocate()), '10.9.0.3');
  const ranged = new AddressPool(parseSubnet('10.9.0.0/24'), parseIp('10.9.0.254')!, parseSubnet('10.9.0.128/25'));
  assert.equal(formatIp(ranged.allocate()), '10.9.0.128');
});

test('the firewall script: own chains only, masquerade, localhost DNAT, isolation between bridges', () => {
  const s = restoreScript('BERTH-b0', [{ bridge: 'b0', subnet: '10.9.0.0/24', internal: false }, { bridge: 'b1', subnet: '10.9.1.0/24', internal: true }], [
    { bridge: 'b0', proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, containerIp: '10.9.0.2', containerPort: 80 },
  ]);
  assert.match(s, /^\*nat\n:BERTH-b0-DNAT - \[0:0\]\n:BERTH-b0-POST - \[0:0\]\n/);
  assert.match(s, /-A BERTH-b0-POST -s 10\.9\.0\.0\/24 ! -o b0 -j MASQUERADE/);
  assert.match(s, /-A BERTH-b0-POST -s 127\.0\.0\.0\/8 -o b0 -j MASQUERADE/);
  assert.doesNotMatch(s, /-s 10\.9\.1\.0\/24 ! -o b1 -j MASQUERADE/, 'internal: no NAT out');
  assert.match(s, /-A BERTH-b0-DNAT -d 127\.0\.0\.1\/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10\.9\.0\.2:80/);
  assert.match(s, /-A BERTH-b0-FWD -i b0 -o b1 -j DROP/);
  assert.match(s, /-A BERTH-b0-FWD -i b1 ! -o b1 -j DROP/);
  for (const line of s.split('\n')) if (line.startsWith('-A ')) assert.match(line, /^-A BERTH-b0-/);
});

test('DNS: a question is read and answered with A records', () => {
  const q = Buffer.from('abcd01000001000000000000037765620000010001', 'hex');
  const parsed = parseQuery(q)!;
  assert.equal(parsed.name, 'web');
  assert.equal(parsed.type, 1);
  const a = buildAnswer(parsed, 0, [parseIp('10.9.0.2')!]);
  assert.equal(a.readUInt16BE(0), 0xabcd);
  assert.equal(a.readUInt16BE(2) & 0x8000, 0x8000);
  assert.equal(a.readUInt16BE(6), 1);
  assert.deepEqual([...a.subarray(a.length - 4)], [10, 9, 0, 2]);
  assert.equal(parseQuery(Buffer.alloc(5)), undefined);
});

test('port requests from -p and -P, and the Ports map', () => {
  const r = portRequests({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }] }, { '80/tcp': {}, '81/tcp': {} }, true);
  assert.deepEqual(r, [
    { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPort: 8080 },
    { proto: 'udp', containerPort: 53, hostIp: '', hostPort: 0 },
    { proto: 'tcp', containerPort: 81, hostIp: '', hostPort: 0 },
  ]);
  assert.throws(() => portRequests({ '99999/tcp': [] }, {}, false), /invalid containerPort/);
  assert.deepEqual(portMap({ '80/tcp': {}, '90/tcp': {} }, [{ proto: 'tcp', containerPort: 80, hostIp: '', hostPort: 32768 }]), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '90/tcp': null });
});
