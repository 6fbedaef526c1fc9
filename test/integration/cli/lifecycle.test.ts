import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, eventually, runBerth, startBerthd } from '../../helpers/berthd.js';

/** Container lifecycle through the berth CLI: create/start -a, stop, kill, wait, restart, rename, logs, prune, events. */
let d: Berthd;
const berth = (args: string[], opts?: { input?: string; timeoutMs?: number }) => runBerth(d.dockerHost, args, opts);

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('create prints the ID; start -a attaches and exits with the code', async () => {
  const c = await berth(['create', '--name', 'once', 'busybox', 'sh', '-c', 'echo hi; exit 4']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /^[0-9a-f]{64}\n$/);
  const s = await berth(['start', '-a', 'once']);
  assert.equal(s.code, 4, s.stderr);
  assert.equal(s.stdout, 'hi\n');
  const w = await berth(['wait', 'once']);
  assert.equal(w.stdout, '4\n');
  const ps = await berth(['ps', '-a', '--filter', 'name=once', '--format', '{{.Status}}']);
  assert.match(ps.stdout, /^Exited \(4\) /);
});

test('start of a missing container', async () => {
  const r = await berth(['start', 'nonexist']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such container: nonexist\nError: failed to start containers: nonexist\n');
});

test('stop, restart, kill, rename, wait', async () => {
  const run = await berth(['run', '-d', '--name', 'svc', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']);
  assert.equal(run.code, 0, run.stderr);
  const stop = await berth(['stop', '-t', '5', 'svc']);
  assert.equal(stop.stdout, 'svc\n');
  const restart = await berth(['restart', '-t', '1', 'svc']);
  assert.equal(restart.stdout, 'svc\n');
  const rename = await berth(['rename', 'svc', 'svc2']);
  assert.equal(rename.code, 0, rename.stderr);
  const kill = await berth(['kill', '-s', 'KILL', 'svc2']);
  assert.equal(kill.stdout, 'svc2\n');
  const wait = await berth(['wait', 'svc2']);
  assert.equal(wait.stdout, '137\n');
  const again = await berth(['kill', 'svc2']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^Error response from daemon: /);
  const badRename = await berth(['rename', 'nonexist', 'x']);
  assert.equal(badRename.code, 1);
  assert.equal(badRename.stderr, 'Error response from daemon: No such container: nonexist\nError: failed to rename container named nonexist\n');
});

test('logs: --tail, -t, --since in the future shows nothing, stderr kept apart', async () => {
  const r = await berth(['run', '--name', 'talker', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done']);
  assert.equal(r.code, 0, r.stderr);
  const all = await berth(['logs', 'talker']);
  assert.equal(all.stdout, 'out1\nout2\nout3\n');
  assert.equal(all.stderr, 'err1\nerr2\nerr3\n');
  await berth(['run', '--name', 'counter', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line$i; done']);
  const tail = await berth(['logs', '--tail', '2', 'counter']);
  assert.equal(tail.stdout, 'line2\nline3\n');
  const ts = await berth(['logs', '-t', 'talker']);
  assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z out1\n/);
  const future = await berth(['logs', '--since', '2099-01-01T00:00:00Z', 'talker']);
  assert.equal(future.stdout, '');
  const bad = await berth(['logs', '--since', 'xx', 'talker']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'invalid value for "since": failed to parse value as time or duration: "xx"\n');
});

test('container prune -f removes stopped containers', async () => {
  await berth(['run', '--name', 'dead', 'busybox', 'true']);
  const r = await berth(['container', 'prune', '-f']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Deleted Containers:\n([0-9a-f]{64}\n)+\nTotal reclaimed space: /);
  const ps = await berth(['ps', '-a', '--filter', 'name=dead', '-q']);
  assert.equal(ps.stdout, '');
});

test('events --since/--until replays what happened', async () => {
  await berth(['run', '--rm', '--name', 'ev', 'busybox', 'true']);
  const r = await eventually(async () => {
    const e = await berth(['events', '--since', '5m', '--until', '0s', '--filter', 'container=ev', '--format', '{{.Action}}']);
    return e.stdout.includes('destroy') ? e : undefined;
  }, 10_000, 'destroy event');
  assert.match(r!.stdout, /create\n(.*\n)*start\n(.*\n)*die\n(.*\n)*destroy\n/);
  const plain = await berth(['events', '--since', '5m', '--until', '0s', '--filter', 'event=start']);
  assert.match(plain.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z container start [0-9a-f]{64} \(.*name=ev.*\)\n/m);
});

test('version and info talk to the daemon', async () => {
  const v = await berth(['version']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^Client:\n Version:           \S+\n API version:       1\.43\n/);
  assert.match(v.stdout, /\nServer:.*\n Engine:\n  Version:          \S+\n  API version:      1\.\d+ \(minimum version /);
  const f = await berth(['version', '--format', '{{.Server.ApiVersion}}']);
  assert.match(f.stdout, /^1\.\d+\n$/);
  const i = await berth(['info', '--format', '{{.OSType}}']);
  assert.equal(i.stdout, 'linux\n');
  const info = await berth(['info']);
  assert.match(info.stdout, /^Client:\n Version:    .*\n Context:    default\n Debug Mode: false\n\nServer:\n Containers: \d+\n  Running: \d+\n/);
});
