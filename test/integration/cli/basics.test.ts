import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, eventually, runBerth, startBerthd } from '../../helpers/berthd.js';

/**
 * The berth CLI against a real berthd: bootstrap, run (foreground, --rm, exit codes), ps/images tables,
 * inspect -f, logs, rm -f and the errors users see, with docker's wording and exit codes.
 */
let d: Berthd;
const berth = (args: string[], opts?: { input?: string; timeoutMs?: number }) => runBerth(d.dockerHost, args, opts);

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('image bootstrap busybox builds a busybox image quickly', async () => {
  const t0 = Date.now();
  const r = await berth(['image', 'bootstrap', '--tag', 'boot/busybox:1', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 < 5000, 'bootstrap is fast');
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const cfg = await berth(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{index .Config.Env 0}}', 'boot/busybox:1']);
  assert.equal(cfg.code, 0, cfg.stderr);
  assert.equal(cfg.stdout, '["sh"] PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  const rmi = await berth(['rmi', 'boot/busybox:1']);
  assert.equal(rmi.code, 0, rmi.stderr);
});

test('run --rm busybox echo hello', async () => {
  const r = await berth(['run', '--rm', '--name', 'rmme', 'busybox', 'echo', 'hello']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.stderr, '');
  // run --rm returns once the container is gone (wait condition "removed")
  const ps = await berth(['ps', '-a', '-q', '--filter', 'name=rmme']);
  assert.equal(ps.stdout, '');
});

test("run exits with the container's code and splits stdout from stderr", async () => {
  const r = await berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('run -i passes stdin through', async () => {
  const r = await berth(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'piped\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'piped\n');
});

test('run: environment, workdir, user, hostname, entrypoint', async () => {
  const r = await berth(['run', '--rm', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', '-h', 'box', 'busybox', 'sh', '-c', 'echo $A $(pwd) $(id -u) $(hostname)']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1 /tmp 65534 box\n');
  const e = await berth(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via-entrypoint']);
  assert.equal(e.stdout, 'via-entrypoint\n');
});

test('run of a missing command exits 127 with the daemon message', async () => {
  const r = await berth(['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(r.code, 127, r.stderr);
  assert.match(r.stderr, /^berth: Error response from daemon: .*\n\nRun 'berth run --help' for more information\n$/s);
});

test('run of an unknown image with --pull never exits 125 with the daemon message', async () => {
  const r = await berth(['run', '--pull', 'never', 'nonexistent-image']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^berth: Error response from daemon: No such image: nonexistent-image/);
});

test("run of an unknown image says docker's 'Unable to find image' and fails with 125", async () => {
  // a registry on a closed loopback port: a pull must never leave the machine (no host would mean Docker Hub)
  const r = await berth(['run', '--rm', '127.0.0.1:9/nonexistent-image:1']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Unable to find image '127.0.0.1:9\/nonexistent-image:1' locally\nberth: Error response from daemon: /);
});

test('usage and flag errors', async () => {
  const noArgs = await berth(['run']);
  assert.equal(noArgs.code, 1);
  assert.equal(
    noArgs.stderr,
    "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for more information\n",
  );
  const badFlag = await berth(['ps', '--bogus']);
  assert.equal(badFlag.code, 125);
  assert.equal(badFlag.stderr, "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
});

test('run -d, ps table, inspect -f, logs, rm -f', async () => {
  const run = await berth(['run', '-d', '--name', 'sleeper', '-l', 'k=v', 'busybox', 'sh', '-c', 'echo started; sleep 300']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);

  const ps = await berth(['ps']);
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, /^CONTAINER ID   IMAGE     COMMAND                  CREATED\s+STATUS\s+PORTS     NAMES\n/);
  assert.match(ps.stdout, new RegExp(`\\n${id.slice(0, 12)}   busybox   "sh -c 'echo started…"   .* ago\\s+Up .*sleeper\\n`));

  const q = await berth(['ps', '-q', '--no-trunc']);
  assert.equal(q.stdout, `${id}\n`);
  const f = await berth(['ps', '--format', '{{.Names}} {{.Label "k"}} {{.State}}']);
  assert.equal(f.stdout, 'sleeper v running\n');

  const insp = await berth(['inspect', '-f', '{{.State.Running}} {{.Name}}', 'sleeper']);
  assert.equal(insp.stdout, 'true /sleeper\n');
  const json = await berth(['inspect', 'sleeper']);
  const parsed = JSON.parse(json.stdout) as Array<{ Id: string }>;
  assert.equal(parsed[0].Id, id);
  assert.match(json.stdout, /^\[\n    \{\n        "Id": /);

  await eventually(async () => (await berth(['logs', 'sleeper'])).stdout === 'started\n', 5000, 'log line');

  const rm = await berth(['rm', 'sleeper']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /^Error response from daemon: /);
  const rmf = await berth(['rm', '-f', 'sleeper']);
  assert.equal(rmf.code, 0, rmf.stderr);
  assert.equal(rmf.stdout, 'sleeper\n');
  const gone = await berth(['ps', '-a', '-q', '--filter', 'name=sleeper']);
  assert.equal(gone.stdout, '');
});

test('rm of a missing container: daemon message, exit 1', async () => {
  const r = await berth(['rm', 'nonexist']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such container: nonexist\n');
});

test('images table and --format', async () => {
  const r = await berth(['images']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^REPOSITORY   TAG       IMAGE ID       CREATED\s+SIZE\n/);
  assert.match(r.stdout, /\nbusybox      latest    [0-9a-f]{12}   .+ ago\s+\d+(\.\d+)?MB\n/);
  const f = await berth(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.match(f.stdout, /^busybox:latest$/m);
});

test('cannot connect: docker sentence with berth, exit 1', async () => {
  const r = await runBerth('unix:///tmp/no-such-berthd.sock', ['ps']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Cannot connect to the berth daemon at unix:///tmp/no-such-berthd.sock. Is the berth daemon running?\n');
  const run = await runBerth('unix:///tmp/no-such-berthd.sock', ['run', 'busybox']);
  assert.equal(run.code, 125);
});
