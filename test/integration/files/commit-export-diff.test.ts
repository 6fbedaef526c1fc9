import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, REPO_ROOT, runBerth, runDocker, startBerthd } from '../../helpers/berthd.js';

/** commit, export and diff through the real docker CLI (and berth's own CLI). */
let d: Berthd;
const docker = (args: string[], opts?: { input?: string | Buffer }) => runDocker(d.dockerHost, args, opts);

function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { env: { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CONFIG: path.join(d.base, 'docker-config') }, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  const r = await docker(['run', '--name', 'changed', 'busybox', 'sh', '-c', 'echo hi > /x && mkdir /etc/sub && touch /etc/sub/f && rm /etc/group']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await d?.stop();
});

test('diff lists what the container changed, not the runtime mountpoints', async () => {
  const diff = await docker(['diff', 'changed']);
  assert.equal(diff.code, 0, diff.stderr);
  assert.equal(diff.stdout, 'C /etc\nD /etc/group\nA /etc/sub\nA /etc/sub/f\nA /x\n');
  const berth = await runBerth(d.dockerHost, ['diff', 'changed']);
  assert.equal(berth.stdout, diff.stdout);
  const fresh = await docker(['run', '--name', 'fresh', 'busybox', 'true']);
  assert.equal(fresh.code, 0);
  assert.equal((await docker(['diff', 'fresh'])).stdout, '', 'a container that changed nothing has no diff');
});

test('commit with --change, then run the new image', async () => {
  const c = await docker(['commit', '--change', 'CMD ["cat","/x"]', '-m', 'added x', '-a', 'me', 'changed', 'committed:v1']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const run = await docker(['run', '--rm', 'committed:v1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'hi\n');
  const cmd = await docker(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{.Comment}} {{.Author}} {{len .RootFS.Layers}}', 'committed:v1']);
  const parentLayers = await docker(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'busybox']);
  assert.equal(cmd.stdout, `["cat","/x"] added x me ${Number(parentLayers.stdout) + 1}\n`);
  const gone = await docker(['run', '--rm', 'committed:v1', 'sh', '-c', 'ls /etc/group /etc/sub/f 2>&1; ls -d /proc/1 >/dev/null && echo proc-ok']);
  assert.match(gone.stdout, /\/etc\/group: No such file or directory/);
  assert.match(gone.stdout, /^\/etc\/sub\/f$/m);
  assert.match(gone.stdout, /proc-ok/);
  // the runtime's mountpoint placeholders (/etc/hosts…) were not committed: a new container has none
  assert.equal((await docker(['create', '--name', 'probe', 'committed:v1'])).code, 0);
  const files = (await sh('docker export probe | tar -t')).stdout.split('\n');
  assert.ok(files.includes('x') && !files.includes('etc/hosts') && !files.includes('etc/resolv.conf'), files.join(' '));
  assert.equal((await docker(['diff', 'probe'])).stdout, '');
  const history = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'committed:v1']);
  assert.match(history.stdout.split('\n')[0]!, /^sh -c echo hi > \/x.*\|added x$/);
  // a bad --change is refused before anything is written
  const bad = await docker(['commit', '--change', 'RUN true', 'changed']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /run is not a valid change command/);
});

test('commit pauses a running container and it keeps running after', async () => {
  const since = Math.floor(Date.now() / 1000);
  const r = await docker(['run', '-d', '--name', 'live', 'busybox', 'sh', '-c', 'echo running > /r; exec sleep 300']);
  assert.equal(r.code, 0, r.stderr);
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    ok = (await sh('docker cp live:/r - 2>/dev/null | tar -xO')).stdout === 'running\n';
    if (!ok) await new Promise((res) => setTimeout(res, 100));
  }
  const c = await docker(['commit', 'live', 'live-img']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal((await docker(['inspect', '-f', '{{.State.Status}}', 'live'])).stdout, 'running\n');
  assert.equal((await docker(['run', '--rm', 'live-img', 'cat', '/r'])).stdout, 'running\n');
  const events = await docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=live', '--format', '{{.Action}}']);
  assert.match(events.stdout, /pause\nunpause\ncommit\n/);
  const berth = await runBerth(d.dockerHost, ['commit', '--change', 'ENV A=1', 'live', 'live-img:berth']);
  assert.equal(berth.code, 0, berth.stderr);
  assert.equal((await docker(['run', '--rm', 'live-img:berth', 'sh', '-c', 'echo $A; cat /r'])).stdout, '1\nrunning\n');
});

test('export is the whole filesystem as a tar', async () => {
  const list = await sh('docker export changed | tar -t');
  assert.equal(list.code, 0, list.stderr);
  const names = list.stdout.split('\n');
  for (const n of ['x', 'bin/', 'bin/busybox', 'etc/passwd', 'etc/sub/f']) assert.ok(names.includes(n), `${n} in export`);
  assert.ok(!names.includes('etc/group'), 'the deleted file is not exported');
  assert.equal((await sh('docker export changed | tar -xO x')).stdout, 'hi\n');
  const berth = await sh(`${path.join(REPO_ROOT, 'bin/berth')} export changed | tar -t | grep -c .`);
  assert.equal(berth.stdout, `${names.filter(Boolean).length}\n`);
});
