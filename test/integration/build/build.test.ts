import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Berthd, bootstrapBusybox, runBerth, runDocker, startBerthd } from '../../helpers/berthd.js';

/** `docker build` (classic builder) and `berth build` against berthd: the "Done when" list. */
let d: Berthd;
let dir: string;
const docker = (args: string[], opts?: { input?: string | Buffer }) => runDocker(d.dockerHost, args, opts);

function sh(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CONFIG: path.join(d.base, 'docker-config'), DOCKER_CLI_HINTS: 'false', ...env };
  delete base.DOCKER_BUILDKIT;
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { cwd: dir, env: base, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function write(rel: string, content: string | Buffer): void {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
}

const MULTI = `ARG BASE=busybox
FROM $BASE AS builder
ARG GREETING=hello
ENV OUT=/out NAME="two words"
WORKDIR /src
COPY app/ ./
RUN echo "$GREETING from $NAME" > $OUT && cat main.txt >> $OUT && ls
FROM busybox AS unused
RUN exit 9
FROM busybox
LABEL org.example.role=test
EXPOSE 8080 53/udp
VOLUME /data
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD true
STOPSIGNAL SIGUSR1
COPY --from=builder --chown=1:2 /out /result
COPY keep.log conf.tar.gz /
ADD conf.tar.gz /conf/
USER nobody
ENTRYPOINT ["cat"]
CMD ["/result"]
`;

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  dir = mkdtempSync('/tmp/berth-build-');
  write('Dockerfile', MULTI);
  write('app/main.txt', 'main v1\n');
  write('app/notes.md', 'notes\n');
  write('secret.log', 'do not send\n');
  write('keep.log', 'kept\n');
  write('.dockerignore', '*.log\n!keep.log\napp/*.md\n');
  // a gzip'd tar made by busybox tar on the host side of the test
  mkdirSync(path.join(dir, 'tarsrc/etc'), { recursive: true });
  writeFileSync(path.join(dir, 'tarsrc/etc/app.conf'), 'port=1\n');
  await new Promise<void>((resolve, reject) => execFile('tar', ['-czf', path.join(dir, 'conf.tar.gz'), '-C', path.join(dir, 'tarsrc'), 'etc'], (e) => (e ? reject(e) : resolve())));
  rmSync(path.join(dir, 'tarsrc'), { recursive: true });
});

after(async () => {
  await d?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('multi-stage build with ARG/ENV, --build-arg, COPY --from --chown, .dockerignore, ADD of a tar; the result inspects and runs', async () => {
  const r = await docker(['build', '-t', 'multi:1', '-t', 'multi:also', '--build-arg', 'GREETING=hi', '.'].map((a) => (a === '.' ? dir : a)));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Step 1\/19 : ARG BASE=busybox/);
  assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\n/);
  assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged multi:1\nSuccessfully tagged multi:also\n/);
  const run = await docker(['run', '--rm', 'multi:1']);
  assert.equal(run.stdout, 'hi from two words\nmain v1\n');
  const inspect = JSON.parse((await docker(['image', 'inspect', 'multi:1'])).stdout)[0];
  const c = inspect.Config;
  assert.deepEqual(c.Labels, { 'org.example.role': 'test' });
  assert.deepEqual(c.ExposedPorts, { '53/udp': {}, '8080/tcp': {} });
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 4 });
  assert.equal(c.StopSignal, 'SIGUSR1');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.Entrypoint, ['cat']);
  assert.deepEqual(c.Cmd, ['/result']);
  const files = await docker(['run', '--rm', '--entrypoint', 'sh', 'multi:1', '-c', 'stat -c "%u:%g %n" /result; cat /keep.log /conf/etc/app.conf; ls /conf.tar.gz; ls / | grep -c secret; id -un']);
  assert.equal(files.stdout, '1:2 /result\nkept\nport=1\n/conf.tar.gz\n0\nnobody\n');
  const ls = await docker(['run', '--rm', '--entrypoint', 'ls', 'multi:1', '/']);
  assert.doesNotMatch(ls.stdout, /secret/);
  const hist = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'multi:1']);
  assert.match(hist.stdout, /^\/bin\/sh -c #\(nop\)  CMD \["\/result"\]\n/);
  assert.match(hist.stdout, /#\(nop\) COPY --from=builder --chown=1:2 file:[0-9a-f]{64} in \/result/);
});

test('an identical rebuild is fully cached and gives the same image ID; a changed source rebuilds from its COPY on', async () => {
  const args = ['build', '-q', '--build-arg', 'GREETING=hi', dir];
  const first = await docker(args);
  assert.equal(first.code, 0, first.stderr);
  const id = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'multi:1'])).stdout.trim();
  assert.equal(first.stdout.trim(), id);
  const verbose = await docker(['build', '--build-arg', 'GREETING=hi', dir]);
  assert.doesNotMatch(verbose.stdout, /Running in/);
  assert.equal(verbose.stdout.match(/Using cache/g)?.length, 16);
  write('app/main.txt', 'main v2\n');
  const edited = await docker(['build', '-t', 'multi:2', '--build-arg', 'GREETING=hi', dir]);
  assert.equal(edited.code, 0, edited.stderr);
  const steps = edited.stdout.split(/(?=Step \d+\/)/);
  assert.doesNotMatch(steps.find((s) => s.includes('COPY app/ ./'))!, /Using cache/, 'the edited COPY runs again');
  assert.match(steps.find((s) => s.startsWith('Step 5/'))!, /Using cache/, 'WORKDIR before the edited COPY stays cached');
  assert.match(steps.find((s) => s.includes('RUN echo'))!, /Running in/);
  assert.equal((await docker(['run', '--rm', 'multi:2'])).stdout, 'hi from two words\nmain v2\n');
  write('app/main.txt', 'main v1\n');
});

test('--target stops at a stage; --no-cache runs everything again', async () => {
  const r = await docker(['build', '--target', 'builder', '-t', 'stage:builder', '--no-cache', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Step 7\/7 : RUN/);
  assert.doesNotMatch(r.stdout, /Using cache/);
  assert.equal((await docker(['run', '--rm', 'stage:builder', 'cat', '/out'])).stdout, 'hello from two words\nmain v1\n');
  const bad = await docker(['build', '--target', 'nope', dir]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to reach build target nope in Dockerfile/);
});

test('a failing RUN fails the build with its exit code and tags nothing', async () => {
  write('fail/Dockerfile', 'FROM busybox\nRUN echo before\nRUN exit 7\n');
  const r = await docker(['build', '-t', 'failed:1', path.join(dir, 'fail')]);
  assert.equal(r.code, 7);
  assert.match(r.stderr, /The command '\/bin\/sh -c exit 7' returned a non-zero code: 7/);
  assert.notEqual((await docker(['image', 'inspect', 'failed:1'])).code, 0);
  assert.equal((await docker(['ps', '-aq'])).stdout, '', 'no intermediate container is left');
});

test('a Dockerfile piped on stdin, and the default (no DOCKER_BUILDKIT) docker CLI mode', async () => {
  const r = await sh('docker build -t piped:1 - <<EOF\nFROM busybox\nRUN echo piped > /p\nCMD ["cat", "/p"]\nEOF');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await docker(['run', '--rm', 'piped:1'])).stdout, 'piped\n');
  const f = await sh(`docker build -q -f - ${dir}/app <<EOF\nFROM busybox\nCOPY main.txt /m\nEOF`);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /^sha256:[0-9a-f]{64}\n$/);
});

test('bad input: unknown instruction, missing source, missing base image, climbing out, URL in ADD', async () => {
  const cases: Array<[string, RegExp]> = [
    ['FROM busybox\nFOO bar\n', /unknown instruction: FOO/],
    ['FROM busybox\nCOPY nothere /x\n', /file not found in build context or excluded by .dockerignore: stat nothere: file does not exist/],
    // a registry that is not there (never a Docker Hub name: that would go out to the internet)
    ['FROM 127.0.0.1:9/nosuchimage:1\n', /127\.0\.0\.1:9.*connection refused/],
    ['FROM busybox\nCOPY ../x /x\n', /forbidden path outside the build context: \.\.\/x/],
    ['FROM busybox\nADD https://example.com/f /f\n', /ADD failed: cannot fetch https:\/\/example\.com\/f: berth builds without network access/],
  ];
  for (const [df, re] of cases) {
    write('bad/Dockerfile', df);
    const r = await docker(['build', '-t', 'bad:1', path.join(dir, 'bad')]);
    assert.notEqual(r.code, 0, df);
    assert.match(r.stderr, re, df);
  }
  assert.notEqual((await docker(['image', 'inspect', 'bad:1'])).code, 0);
});

test('a hostile context tar is refused; a symlink in the context never leads outside it', async () => {
  // a tar with a member "../escape" (made by hand: GNU tar would strip the dots)
  const tar = (await import('tar-stream')).default;
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, 'FROM busybox\nCOPY . /c/\n');
  pack.entry({ name: '../escape' }, 'x');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const r = await docker(['build', '-'], { input: Buffer.concat(chunks) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /lies outside the context/);
  write('link/Dockerfile', 'FROM busybox\nCOPY out/passwd /p\n');
  const { symlinkSync } = await import('node:fs');
  symlinkSync('/etc', path.join(dir, 'link/out'));
  const l = await docker(['build', path.join(dir, 'link')]);
  assert.notEqual(l.code, 0, 'the link is resolved inside the context, where /etc/passwd does not exist');
  assert.match(l.stderr, /file not found in build context/);
});

test('berth build: quiet, tags, iidfile, build args', async () => {
  write('berth/Dockerfile', 'FROM busybox\nARG WHO=x\nRUN echo "built by $WHO" > /f\nCMD ["cat", "/f"]\n');
  const iid = path.join(dir, 'iid');
  const r = await runBerth(d.dockerHost, ['build', '-q', '-t', 'viaberth:1', '--iidfile', iid, '--build-arg', 'WHO=berth', path.join(dir, 'berth')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(readFileSync(iid, 'utf8').trim(), r.stdout.trim());
  assert.equal((await runBerth(d.dockerHost, ['run', '--rm', 'viaberth:1'])).stdout, 'built by berth\n');
  const again = await runBerth(d.dockerHost, ['build', '-t', 'viaberth:1', '--build-arg', 'WHO=berth', path.join(dir, 'berth')]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Using cache/);
  write('berth/Dockerfile.fail', 'FROM busybox\nRUN exit 3\n');
  const fail = await runBerth(d.dockerHost, ['build', '-f', path.join(dir, 'berth/Dockerfile.fail'), path.join(dir, 'berth')]);
  assert.equal(fail.code, 3);
});
