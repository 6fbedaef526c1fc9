import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runBerth, runDocker, startBerthd } from '../../helpers/berthd.js';

/** RUN --mount through the docker CLI's classic builder against berthd: cache, bind, tmpfs; secret refused. */
let d: Berthd;
let dir: string;
const docker = (args: string[]) => runDocker(d.dockerHost, args);

function write(rel: string, content: string): string {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return path.dirname(p);
}

const stepOf = (out: string, text: string) => out.split(/(?=Step \d+\/)/).find((s) => s.includes(text)) ?? '';

/** What is left of the build's scratch space (context copies, overlay mounts): nothing, after each build. */
function scratchLeft(): string[] {
  const tmp = path.join(d.dataRoot, 'build', 'tmp');
  const mounts = readFileSyncSafe('/proc/self/mounts').split('\n').filter((l) => l.includes(tmp));
  return [...(existsSync(tmp) ? readdirSync(tmp) : []), ...mounts];
}
function readFileSyncSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync('/tmp/berth-build-mounts-');
});

after(async () => {
  await d?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a cache mount keeps its content across builds (also --no-cache ones) and is not in the image', async () => {
  const ctx = write('cache/Dockerfile', 'FROM busybox\nRUN --mount=type=cache,target=/var/cache/app,uid=65534,mode=0700 echo run >> /var/cache/app/log && cat /var/cache/app/log > /seen && stat -c "%u %a" /var/cache/app >> /seen\n');
  const first = await docker(['build', '-t', 'cachemount:1', ctx]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.equal((await docker(['run', '--rm', 'cachemount:1', 'cat', '/seen'])).stdout, 'run\n65534 700\n');
  const second = await docker(['build', '--no-cache', '-t', 'cachemount:1', ctx]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal((await docker(['run', '--rm', 'cachemount:1', 'cat', '/seen'])).stdout, 'run\nrun\n65534 700\n');
  const ls = await docker(['run', '--rm', 'cachemount:1', 'sh', '-c', 'test ! -e /var/cache/app && echo gone']);
  assert.equal(ls.stdout, 'gone\n', 'neither the cache content nor its mountpoint is in the layer');
  // the same step is cached; another cache id is another step
  const cached = await docker(['build', ctx]);
  assert.match(stepOf(cached.stdout, 'RUN --mount'), /Using cache/);
  write('cache/Dockerfile', 'FROM busybox\nRUN --mount=type=cache,target=/var/cache/app,id=other,uid=65534,mode=0700 echo run >> /var/cache/app/log && cat /var/cache/app/log > /seen && stat -c "%u %a" /var/cache/app >> /seen\n');
  const other = await docker(['build', '-t', 'cachemount:2', ctx]);
  assert.doesNotMatch(stepOf(other.stdout, 'RUN --mount'), /Using cache/);
  assert.equal((await docker(['run', '--rm', 'cachemount:2', 'cat', '/seen'])).stdout, 'run\n65534 700\n');
  const hist = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'cachemount:2']);
  assert.match(hist.stdout, /--mount=type=cache,target=\/var\/cache\/app,rw,id=other,sharing=shared,mode=700,uid=65534,gid=0 \/bin\/sh -c echo run/);
});

test('docker builder prune empties the cache mounts and reports the space', async () => {
  // what earlier tests left goes first, so that the two outputs compared below list the same cache
  assert.equal((await docker(['builder', 'prune', '-f'])).code, 0);
  const ctx = write('prune/Dockerfile', 'FROM busybox\nRUN --mount=type=cache,target=/c,id=prune-me dd if=/dev/zero of=/c/blob bs=1024 count=300 2>/dev/null; ls /c > /seen\n');
  assert.equal((await docker(['build', '-t', 'prunecache:1', ctx])).code, 0);
  const pruned = await docker(['builder', 'prune', '-f']);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, /Total reclaimed space: 3\d\d(\.\d+)?kB/);
  // the next build starts from an empty cache: the file is written again, and only then
  write('prune/Dockerfile', 'FROM busybox\nRUN --mount=type=cache,target=/c,id=prune-me ls /c > /seen\n');
  assert.equal((await docker(['build', '--no-cache', '-t', 'prunecache:2', ctx])).code, 0);
  assert.equal((await docker(['run', '--rm', 'prunecache:2', 'cat', '/seen'])).stdout, '', 'the pruned cache is empty');
  // berth builder prune prints what the docker CLI prints for the same answer
  const ctx3 = write('prune/Dockerfile', 'FROM busybox\nRUN --mount=type=cache,target=/c,id=prune-me dd if=/dev/zero of=/c/blob bs=1024 count=300 2>/dev/null\n');
  assert.equal((await docker(['build', '--no-cache', '-t', 'prunecache:3', ctx3])).code, 0);
  const viaBerth = await runBerth(d.dockerHost, ['builder', 'prune', '-f']);
  assert.equal(viaBerth.code, 0, viaBerth.stderr);
  assert.equal(viaBerth.stdout, pruned.stdout);
  assert.equal((await runBerth(d.dockerHost, ['builder', 'prune', '-f'])).stdout, 'Total reclaimed space: 0B\n');
});

test('docker builder prune --filter id=/until= and --keep-storage prune only what they say, oldest first', async () => {
  assert.equal((await docker(['builder', 'prune', '-f'])).code, 0);
  const fill = async (id: string, kb: number) => {
    const ctx = write(`prune-${id}/Dockerfile`, `FROM busybox\nRUN --mount=type=cache,target=/c,id=${id} dd if=/dev/zero of=/c/blob bs=1024 count=${kb} 2>/dev/null\n`);
    const r = await docker(['build', '--no-cache', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  };
  await fill('old-a', 200);
  await fill('mid-b', 200);
  await fill('new-c', 200);
  // used in the last hour: none goes
  const recent = await docker(['builder', 'prune', '-f', '--filter', 'until=1h']);
  assert.equal(recent.code, 0, recent.stderr);
  assert.equal(recent.stdout, 'Total reclaimed space: 0B\n');
  const one = await docker(['builder', 'prune', '-f', '--filter', 'id=mid-b']);
  assert.equal(one.stdout, 'Deleted build cache objects:\nmid-b\n\nTotal reclaimed space: 204.8kB\n');
  await fill('mid-b', 200);
  // 450 KiB may stay of the 600: the least recently used (old-a) goes, and only it
  const keep = await runBerth(d.dockerHost, ['builder', 'prune', '-f', '--keep-storage', '450k']);
  assert.equal(keep.code, 0, keep.stderr);
  assert.equal(keep.stdout, 'Deleted build cache objects:\nold-a\n\nTotal reclaimed space: 204.8kB\n');
  const viaDocker = await docker(['builder', 'prune', '-f', '--keep-storage', '250k']);
  assert.equal(viaDocker.stdout, 'Deleted build cache objects:\nnew-c\n\nTotal reclaimed space: 204.8kB\n');
  const bad = await docker(['builder', 'prune', '-f', '--filter', 'colour=red']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid filter 'colour'/);
  assert.equal((await docker(['builder', 'prune', '-f'])).stdout, 'Deleted build cache objects:\nmid-b\n\nTotal reclaimed space: 204.8kB\n');
});

test('a cache mount seeded from a stage (from=, source=) on its first use', async () => {
  const ctx = write('seed/Dockerfile', 'FROM busybox AS seed\nRUN mkdir -p /s/sub && echo seeded > /s/sub/f\nFROM busybox\nRUN --mount=type=cache,target=/c,id=seeded-cache,from=seed,source=/s cat /c/sub/f > /out\n');
  const r = await docker(['build', '-t', 'seeded:1', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await docker(['run', '--rm', 'seeded:1', 'cat', '/out'])).stdout, 'seeded\n');
  assert.deepEqual(scratchLeft(), []);
});

test('a bind mount of the context is read-only; rw writes are thrown away; its content is in the cache key', async () => {
  write('bind/src/main.txt', 'v1\n');
  const ctx = write('bind/Dockerfile', [
    'FROM busybox',
    'RUN --mount=target=/ctx cat /ctx/src/main.txt > /copied && if touch /ctx/x 2>/dev/null; then exit 1; fi',
    'RUN --mount=type=bind,source=src,target=/s,rw echo new > /s/new && cat /s/new /s/main.txt > /rw',
    'RUN --mount=type=bind,target=/ctx test ! -e /ctx/src/new && test ! -e /ctx/x',
    '',
  ].join('\n'));
  const r = await docker(['build', '-t', 'bind:1', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await docker(['run', '--rm', 'bind:1', 'cat', '/copied', '/rw'])).stdout, 'v1\nnew\nv1\n');
  assert.doesNotMatch((await docker(['run', '--rm', 'bind:1', 'ls', '/'])).stdout, /^(ctx|s)$/m, 'no mountpoint left in the image');
  assert.deepEqual(scratchLeft(), []);
  const same = await docker(['build', ctx]);
  assert.equal(same.stdout.match(/Using cache/g)?.length, 3, same.stdout);
  write('bind/src/main.txt', 'v2\n');
  const edited = await docker(['build', '-t', 'bind:2', ctx]);
  assert.equal(edited.code, 0, edited.stderr);
  assert.doesNotMatch(stepOf(edited.stdout, 'cat /ctx/src/main.txt'), /Using cache/, 'the mounted content changed');
  assert.equal((await docker(['run', '--rm', 'bind:2', 'cat', '/copied'])).stdout, 'v2\n');
});

test('a bind mount from another stage or an image; a missing source is a clear error', async () => {
  const ctx = write('bindfrom/Dockerfile', [
    'FROM busybox AS tools',
    'RUN mkdir -p /opt/tool && echo tool > /opt/tool/t.txt',
    'FROM busybox',
    'RUN --mount=type=bind,from=tools,source=/opt/tool,target=/t cat /t/t.txt > /out',
    'RUN --mount=type=bind,from=busybox,target=/bb,rw rm /bb/bin/sh && test -e /bin/sh',
    '',
  ].join('\n'));
  const r = await docker(['build', '-t', 'bindfrom:1', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await docker(['run', '--rm', 'bindfrom:1', 'cat', '/out'])).stdout, 'tool\n');
  assert.equal((await docker(['run', '--rm', 'busybox', 'ls', '/bin/sh'])).code, 0, 'an rw bind of an image never changes it');
  assert.deepEqual(scratchLeft(), []);
  write('bindbad/Dockerfile', 'FROM busybox\nRUN --mount=type=bind,from=busybox,source=/nope,target=/x true\n');
  const bad = await docker(['build', path.join(dir, 'bindbad')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /RUN --mount: source nope not found in busybox/);
});

test('a tmpfs mount; secret and ssh mounts and unknown types are refused clearly', async () => {
  const ctx = write('tmpfs/Dockerfile', 'FROM busybox\nRUN --mount=type=tmpfs,target=/scratch,size=1m echo x > /scratch/f && grep " /scratch tmpfs" /proc/mounts > /seen\n');
  const r = await docker(['build', '-t', 'tmpfs:1', ctx]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match((await docker(['run', '--rm', 'tmpfs:1', 'cat', '/seen'])).stdout, /size=1024k/);
  assert.notEqual((await docker(['run', '--rm', 'tmpfs:1', 'ls', '/scratch'])).code, 0);
  const cases: Array<[string, RegExp]> = [
    ['RUN --mount=type=secret,id=tok cat /run/secrets/tok', /RUN --mount=type=secret is not supported by berth: secrets come from a BuildKit client session/],
    ['RUN --mount=type=ssh true', /RUN --mount=type=ssh is not supported by berth/],
    ['RUN --mount=type=nfs,target=/x true', /unsupported mount type "nfs"/],
    ['RUN --mount=type=cache true', /a target is required/],
    ['RUN --mount=type=cache,target=/x,sharing=sometimes true', /unrecognized sharing mode: sometimes/],
  ];
  for (const [line, re] of cases) {
    write('mbad/Dockerfile', `FROM busybox\n${line}\n`);
    const bad = await docker(['build', path.join(dir, 'mbad')]);
    assert.notEqual(bad.code, 0, line);
    assert.match(bad.stderr, re, line);
  }
});
