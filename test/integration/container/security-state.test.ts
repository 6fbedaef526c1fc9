import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bootstrapBusybox, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const run = (...args: string[]) => runDocker(d.dockerHost, ['run', '--rm', ...args]);

test('--device makes a host device node usable in the container', async () => {
  const r = await run('--device', '/dev/zero:/dev/myzero', 'busybox', 'sh', '-c', 'head -c 4 /dev/myzero | od -An -tx1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '00 00 00 00');
  // /dev/kmsg is not in Docker's default allow-list, so the permissions given are what counts;
  // opening it for writing is refused by the device cgroup before anything is written
  const denied = await run('--device', '/dev/kmsg:/dev/kmsg:r', 'busybox', 'sh', '-c', ': > /dev/kmsg');
  assert.notEqual(denied.code, 0, 'write refused with read-only cgroup permission');
  assert.match(denied.stderr, /Operation not permitted/);
  const absent = await run('busybox', 'sh', '-c', 'test -e /dev/kmsg && echo present || echo absent');
  assert.equal(absent.stdout, 'absent\n');
  const bad = await run('--device', '/etc/passwd', 'busybox', 'true');
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /not a device node/);
});

test('--read-only refuses writes to the root but not to /dev/shm', async () => {
  const r = await run('--read-only', 'busybox', 'sh', '-c', 'touch /x 2>&1; echo ok > /dev/shm/y && cat /dev/shm/y');
  assert.match(r.stdout, /Read-only file system/);
  assert.match(r.stdout, /ok\n$/);
});

test('--cap-drop and --cap-add change the capability set; --privileged gives the daemon\'s', async () => {
  const drop = await run('--cap-drop', 'CHOWN', 'busybox', 'sh', '-c', 'chown 1 /tmp; echo rc=$?');
  assert.match(drop.stdout + drop.stderr, /rc=1/);
  const add = await run('--cap-add', 'NET_ADMIN', 'busybox', 'grep', 'CapEff', '/proc/self/status');
  assert.match(add.stdout, /CapEff:\t00000000a80435fb/);
  const priv = await run('--privileged', 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status; ls /dev | grep -c .');
  assert.doesNotMatch(priv.stdout, /a80425fb/);
});

test('--security-opt no-new-privileges and seccomp=unconfined / a profile file', async () => {
  const nnp = await run('--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status');
  assert.match(nnp.stdout, /NoNewPrivs:\t1/);
  const unconfined = await run('--security-opt', 'seccomp=unconfined', 'busybox', 'grep', 'Seccomp:', '/proc/self/status');
  assert.match(unconfined.stdout, /Seccomp:\t0/);
  const confined = await run('busybox', 'grep', 'Seccomp:', '/proc/self/status');
  assert.match(confined.stdout, /Seccomp:\t2/);
  // a profile that refuses mkdir with EPERM, everything else allowed
  const profile = path.join(d.base, 'no-mkdir.json');
  await fs.writeFile(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
  const custom = await run('--security-opt', `seccomp=${profile}`, 'busybox', 'sh', '-c', 'mkdir /tmp/x; echo rc=$?');
  assert.match(custom.stdout, /rc=1/);
  assert.match(custom.stderr, /Operation not permitted/);
});

test('--stop-signal and --stop-timeout are used by docker stop', async () => {
  const c = (await runDocker(d.dockerHost, ['run', '-d', '--stop-signal', 'USR1', '--stop-timeout', '1', 'busybox', 'sh', '-c', 'trap "echo got-usr1; exit 9" USR1; while true; do sleep 0.1; done'])).stdout.trim();
  await new Promise((r) => setTimeout(r, 300));
  await runDocker(d.dockerHost, ['stop', c]);
  assert.equal((await runDocker(d.dockerHost, ['inspect', '-f', '{{.State.ExitCode}}', c])).stdout, '9\n');
  assert.equal((await runDocker(d.dockerHost, ['logs', c])).stdout, 'got-usr1\n');
  await runDocker(d.dockerHost, ['rm', c]);
});

test('--sysctl sets a namespaced kernel parameter', async () => {
  const r = await run('--sysctl', 'net.ipv4.ip_forward=1', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_forward');
  assert.equal(r.stdout, '1\n', r.stderr);
});
