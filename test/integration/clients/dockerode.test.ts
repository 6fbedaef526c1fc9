import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { bootstrapBusybox, startBerthd, type Berthd } from '../../helpers/berthd.js';
import { startBerthRegistry, type TestRegistry } from '../../helpers/registries.js';

/**
 * dockerode (npm), a client nobody here wrote, against a real berthd: what its users commonly do, with the
 * library's own stream helpers (demuxStream, followProgress) parsing what berthd sends.
 */
let d: Berthd;
let docker: Docker;
let reg: TestRegistry | undefined;

before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
  docker = new Docker({ socketPath: d.socket });
});
after(async () => {
  await reg?.stop();
  await d?.stop();
});

/** Everything a stream carries, as one buffer. */
async function drain(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** A multiplexed stream split by dockerode's own demuxer; resolves when the stream ends. */
function demux(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve({ stdout, stderr }));
    stream.on('close', () => resolve({ stdout, stderr }));
    stream.on('error', reject);
  });
}

/** followProgress over a JSON-lines stream: every object, or the error the library saw. */
function followProgress(stream: NodeJS.ReadableStream): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: Array<Record<string, unknown>>) => (err ? reject(err) : resolve(output)));
  });
}

/** The names in a tar stream. */
async function tarNames(s: NodeJS.ReadableStream): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (h, body, next) => {
    names.push(h.name);
    body.on('end', next);
    body.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  s.pipe(extract);
  await done;
  return names;
}

function tarOf(files: Record<string, string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return pack as unknown as Readable;
}

test('ping, version and info', async () => {
  const pong = await docker.ping();
  assert.equal(Buffer.isBuffer(pong) ? pong.toString() : String(pong), 'OK');
  const v = await docker.version();
  assert.equal(v.ApiVersion, '1.43');
  assert.equal(v.Os, 'linux');
  assert.ok(v.Version);
  const info = await docker.info();
  assert.equal(typeof info.Containers, 'number');
  assert.equal(info.OperatingSystem !== undefined, true);
  assert.ok(info.Images >= 1);
});

test('listImages and getImage().inspect() see the local busybox', async () => {
  const images = await docker.listImages();
  const bb = images.find((i) => i.RepoTags?.includes('busybox:latest'));
  assert.ok(bb, JSON.stringify(images));
  assert.match(bb.Id, /^sha256:[0-9a-f]{64}$/);
  const filtered = await docker.listImages({ filters: { reference: ['busybox'] } });
  assert.equal(filtered.length, 1);
  const inspect = await docker.getImage('busybox').inspect();
  assert.equal(inspect.Id, bb.Id);
  assert.equal(inspect.Os, 'linux');
});

test('createContainer, start, wait, logs demultiplexed, inspect, remove', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3'], Labels: { suite: 'dockerode' } });
  try {
    await c.start();
    const waited = (await c.wait()) as { StatusCode: number };
    assert.equal(waited.StatusCode, 3);
    const logs = await c.logs({ stdout: true, stderr: true, follow: true });
    assert.deepEqual(await demux(logs), { stdout: 'to-out\n', stderr: 'to-err\n' });
    // without follow dockerode buffers the body and hands back a Buffer (still framed)
    const buffered = (await c.logs({ stdout: true, stderr: false })) as unknown as Buffer;
    assert.ok(Buffer.isBuffer(buffered));
    assert.equal(buffered.subarray(8).toString(), 'to-out\n');
    const info = await c.inspect();
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 3);
    assert.equal(info.Config.Labels.suite, 'dockerode');
    const listed = await docker.listContainers({ all: true, filters: { label: ['suite=dockerode'] } });
    assert.deepEqual(listed.map((x) => x.Id), [c.id]);
  } finally {
    await c.remove({ force: true });
  }
  await assert.rejects(c.inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
});

test('docker.run: the helper that creates, attaches, starts and waits', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const [result, container] = (await docker.run('busybox', ['echo', 'hello from run'], out)) as [{ StatusCode: number }, Docker.Container];
  try {
    assert.equal(result.StatusCode, 0);
    // run's default is a TTY: raw output with the terminal's CRLF
    assert.equal(text, 'hello from run\r\n');
  } finally {
    await container.remove();
  }
});

test('exec with output: hijacked stream demultiplexed, exit code from inspect', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  try {
    await c.start();
    const exec = await c.exec({ Cmd: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 7'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    assert.deepEqual(await demux(stream), { stdout: 'exec-out\n', stderr: 'exec-err\n' });
    const ins = await exec.inspect();
    assert.equal(ins.Running, false);
    assert.equal(ins.ExitCode, 7);

    // without hijack: a plain streamed answer
    const plain = await c.exec({ Cmd: ['echo', 'plain'], AttachStdout: true, AttachStderr: true });
    assert.deepEqual(await demux(await plain.start({})), { stdout: 'plain\n', stderr: '' });

    // stdin through the hijacked connection, closed by ending our side
    const withIn = await c.exec({ Cmd: ['sh', '-c', 'tr a-z A-Z'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const duplex = (await withIn.start({ hijack: true, stdin: true })) as unknown as NodeJS.ReadWriteStream;
    const result = demux(duplex);
    duplex.write('shout\n');
    duplex.end();
    assert.deepEqual(await result, { stdout: 'SHOUT\n', stderr: '' });

    // a TTY exec sends raw bytes
    const tty = await c.exec({ Cmd: ['echo', 'tty-out'], AttachStdout: true, Tty: true });
    const raw = await drain(await tty.start({ hijack: true, stdin: false, Tty: true }));
    assert.equal(raw.toString(), 'tty-out\r\n');
  } finally {
    await c.remove({ force: true });
  }
});

test('attach before start: output and stdin over the hijacked stream', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo started; read line; echo "got $line"; echo bye >&2'], OpenStdin: true, StdinOnce: true });
  try {
    const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream;
    const output = demux(stream);
    await c.start();
    stream.write('ping\n');
    const { stdout, stderr } = await output;
    assert.equal(stdout, 'started\ngot ping\n');
    assert.equal(stderr, 'bye\n');
    assert.equal(((await c.wait()) as { StatusCode: number }).StatusCode, 0);
  } finally {
    await c.remove({ force: true });
  }
});

test('attach without stdin to a running container, then stop and remove', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'trap "echo term; exit 0" TERM; while true; do sleep 0.1; done'] });
  try {
    await c.start();
    const stream = await c.attach({ stream: true, stdout: true, stderr: true });
    const output = demux(stream);
    await c.stop({ t: 20 });
    assert.deepEqual(await output, { stdout: 'term\n', stderr: '' });
    const info = await c.inspect();
    assert.equal(info.State.Running, false);
    assert.equal(info.State.ExitCode, 0);
    // a second stop: Docker answers 304, which dockerode reports as an error with that status
    await assert.rejects(c.stop(), (err: { statusCode?: number }) => err.statusCode === 304);
  } finally {
    await c.remove({ force: true });
  }
});

test('networks: create, list, inspect, connect a container, remove', async () => {
  const net = await docker.createNetwork({ Name: 'dockerode-net', Labels: { suite: 'dockerode' } });
  try {
    const listed = await docker.listNetworks({ filters: { label: ['suite=dockerode'] } });
    assert.deepEqual(listed.map((n) => n.Name), ['dockerode-net']);
    const info = await net.inspect();
    assert.equal(info.Driver, 'bridge');
    assert.equal(info.Id, net.id);
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], HostConfig: { NetworkMode: 'dockerode-net' } });
    try {
      await c.start();
      const ip = (await c.inspect()).NetworkSettings.Networks['dockerode-net']?.IPAddress;
      assert.match(ip ?? '', /^10\.\d+\.\d+\.\d+$/);
      assert.ok(Object.keys((await net.inspect()).Containers ?? {}).includes(c.id));
    } finally {
      await c.remove({ force: true });
    }
  } finally {
    await net.remove();
  }
  assert.deepEqual(await docker.listNetworks({ filters: { name: ['dockerode-net'] } }), []);
});

test('volumes: create, list, inspect, use, remove', async () => {
  // dockerode answers with a Volume object made from the response's Name
  const vol = (await docker.createVolume({ Name: 'dockerode-vol', Labels: { suite: 'dockerode' } })) as unknown as Docker.Volume;
  assert.equal(vol.name, 'dockerode-vol');
  const { Volumes } = await docker.listVolumes({ filters: { label: ['suite=dockerode'] } });
  assert.deepEqual(Volumes.map((v) => v.Name), ['dockerode-vol']);
  const info = await docker.getVolume('dockerode-vol').inspect();
  assert.equal(info.Driver, 'local');
  const [w] = (await docker.run('busybox', ['sh', '-c', 'echo kept > /v/f'], new PassThrough(), { HostConfig: { Binds: ['dockerode-vol:/v'], AutoRemove: true } })) as [{ StatusCode: number }];
  assert.equal(w.StatusCode, 0);
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const [r, rc] = (await docker.run('busybox', ['cat', '/v/f'], out, { HostConfig: { Binds: ['dockerode-vol:/v'] } })) as [{ StatusCode: number }, Docker.Container];
  await rc.remove();
  assert.equal(r.StatusCode, 0);
  assert.equal(text, 'kept\r\n');
  await docker.getVolume('dockerode-vol').remove();
  assert.deepEqual((await docker.listVolumes({ filters: { name: ['dockerode-vol'] } })).Volumes, []);
});

test('getEvents: a live stream of JSON events, filtered', async () => {
  const events = await docker.getEvents({ filters: { type: ['container'], label: ['suite=events'] } });
  const seen: Array<{ Action: string; id?: string; Type: string }> = [];
  let buf = '';
  const gotDestroy = new Promise<void>((resolve) => {
    events.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const e = JSON.parse(line) as { Action: string; id?: string; Type: string };
        seen.push(e);
        if (e.Action === 'destroy') resolve();
      }
    });
  });
  try {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { suite: 'events' } });
    await c.start();
    await c.wait();
    await c.remove();
    await gotDestroy;
    assert.deepEqual(seen.map((e) => e.Action), ['create', 'start', 'die', 'destroy']);
    assert.ok(seen.every((e) => e.Type === 'container' && e.id === c.id));
  } finally {
    (events as unknown as { destroy(): void }).destroy();
  }
});

test('push to and pull from a registry on 127.0.0.1, with followProgress', async () => {
  reg = await startBerthRegistry();
  const since = Math.floor(Date.now() / 1000);
  const name = `${reg.host}/dockerode/box`;
  await docker.getImage('busybox').tag({ repo: name, tag: 'v1' });
  const auth = { username: '', password: '', serveraddress: reg.host };
  const pushed = await followProgress(await docker.getImage(`${name}:v1`).push({ authconfig: auth }));
  const digest = (pushed.find((e) => typeof e.aux === 'object' && e.aux !== null && 'Digest' in e.aux)?.aux as { Digest?: string } | undefined)?.Digest;
  assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/, JSON.stringify(pushed));
  await docker.getImage(`${name}:v1`).remove();
  await assert.rejects(docker.getImage(`${name}:v1`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);

  const progress: Array<Record<string, unknown>> = [];
  const stream = await docker.pull(`${name}:v1`);
  const output = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Array<Record<string, unknown>>) => (err ? reject(err) : resolve(out)), (e: Record<string, unknown>) => progress.push(e));
  });
  assert.ok(progress.length > 0);
  assert.ok(output.some((e) => /^Digest: sha256:/.test(String(e.status))), JSON.stringify(output));
  assert.ok(output.some((e) => /Downloaded newer image for|Image is up to date for/.test(String(e.status))), JSON.stringify(output));
  const img = await docker.getImage(`${name}:v1`).inspect();
  assert.ok(img.RepoDigests.includes(`${name}@${digest}`), JSON.stringify(img.RepoDigests));
  // by digest: dockerode sends it as the tag parameter
  const byDigest = await followProgress(await docker.pull(`${name}@${digest}`));
  assert.ok(byDigest.some((e) => String(e.status).startsWith(`Digest: ${digest}`)), JSON.stringify(byDigest));

  // the events name the reference as asked (Docker's Actor.ID for pull and push), the repository as `name`
  const events = await drain(await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { type: ['image'], event: ['push', 'pull'] } }));
  const seen = events.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Action: string; Actor: { ID: string; Attributes: { name?: string } }; id?: string });
  assert.deepEqual(
    seen.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name, e.id]),
    [
      ['push', `${name}:v1`, name, `${name}:v1`],
      ['pull', `${name}:v1`, name, `${name}:v1`],
      ['pull', `${name}@${digest}`, name, `${name}@${digest}`],
    ],
  );

  // an image the registry does not have: nothing streamed yet, so Docker answers with an error status
  await assert.rejects(docker.pull(`${reg.host}/dockerode/missing:v1`), (err: { statusCode?: number; message: string }) => {
    assert.equal(err.statusCode, 404, err.message);
    assert.match(err.message, /pull access denied for 127\.0\.0\.1:\d+\/dockerode\/missing|manifest unknown/);
    return true;
  });
});

test('buildImage from a tar context, followProgress, then run the image', async () => {
  const context = tarOf({
    Dockerfile: 'FROM busybox\nCOPY greeting.txt /greeting.txt\nRUN echo built >> /greeting.txt\nLABEL made-by=dockerode\nCMD ["cat", "/greeting.txt"]\n',
    'greeting.txt': 'hello\n',
  });
  const stream = await docker.buildImage(context, { t: 'dockerode-built:1' });
  const output = await followProgress(stream);
  assert.ok(!output.some((e) => e.error), JSON.stringify(output));
  assert.ok(output.some((e) => /Successfully tagged dockerode-built:1/.test(String(e.stream))), JSON.stringify(output));
  const img = await docker.getImage('dockerode-built:1').inspect();
  assert.equal(img.Config.Labels['made-by'], 'dockerode');
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const [r, c] = (await docker.run('dockerode-built:1', [], out)) as [{ StatusCode: number }, Docker.Container];
  await c.remove();
  assert.equal(r.StatusCode, 0);
  assert.equal(text, 'hello\r\nbuilt\r\n');

  // a failing RUN: an error line (followProgress passes it on as an object, it does not fail)
  const failing = await followProgress(await docker.buildImage(tarOf({ Dockerfile: 'FROM busybox\nRUN exit 9\n' }), { t: 'dockerode-fails:1' }));
  const last = failing.at(-1) as { error?: string; errorDetail?: { code?: number; message: string } };
  assert.match(last.error ?? '', /returned a non-zero code: 9/);
  assert.equal(last.errorDetail?.code, 9);
  await assert.rejects(docker.getImage('dockerode-fails:1').inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
});

test('putArchive / getArchive, export and getImage().get() streams', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  try {
    await c.start();
    await c.putArchive(tarOf({ 'put.txt': 'put in\n' }), { path: '/tmp' });
    const ex = await c.exec({ Cmd: ['cat', '/tmp/put.txt'], AttachStdout: true, AttachStderr: true });
    assert.deepEqual(await demux(await ex.start({ hijack: true, stdin: false })), { stdout: 'put in\n', stderr: '' });
    assert.deepEqual(await tarNames(await c.getArchive({ path: '/tmp/put.txt' })), ['put.txt']);
    // HEAD: the stat is a base64 JSON header on the response dockerode hands back
    const head = (await c.infoArchive({ path: '/tmp/put.txt' })) as unknown as { headers: Record<string, string> };
    const stat = JSON.parse(Buffer.from(head.headers['x-docker-container-path-stat']!, 'base64').toString()) as { name: string; size: number };
    assert.deepEqual([stat.name, stat.size], ['put.txt', 7]);

    const exported = await tarNames(await c.export());
    assert.ok(exported.includes('bin/busybox') || exported.includes('./bin/busybox'), exported.slice(0, 20).join(' '));
    assert.ok(exported.some((n) => /(^|\/)tmp\/put\.txt$/.test(n)));
  } finally {
    await c.remove({ force: true });
  }
  const saved = await tarNames(await docker.getImage('busybox').get());
  assert.ok(saved.includes('manifest.json'), saved.join(' '));
  assert.ok(saved.includes('repositories'), saved.join(' '));
  // several images at once: GET /images/get?names=…
  const getImages = (docker as unknown as { getImages(o: { names: string[] }): Promise<NodeJS.ReadableStream> }).getImages.bind(docker);
  const both = await tarNames(await getImages({ names: ['busybox', 'dockerode-built:1'] }));
  assert.ok(both.includes('manifest.json'));
});

test('stats, top, changes, pause, restart, kill, rename, update on a running container', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], name: 'dockerode-life' });
  try {
    await c.start();
    const stats = (await c.stats({ stream: false })) as unknown as { memory_stats: { usage?: number }; cpu_stats: { cpu_usage: { total_usage: number } }; pids_stats?: { current?: number } };
    assert.equal(typeof stats.cpu_stats.cpu_usage.total_usage, 'number');
    assert.equal(typeof stats.memory_stats.usage, 'number');
    // the streaming form: one JSON object per line; take two and let go
    const live = (await c.stats({ stream: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    const two = await new Promise<unknown[]>((resolve, reject) => {
      const got: unknown[] = [];
      let buf = '';
      live.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          got.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
          if (got.length === 2) resolve(got);
        }
      });
      live.on('error', reject);
    });
    live.destroy();
    assert.equal(two.length, 2);
    const top = (await c.top({ ps_args: '-ef' })) as { Titles: string[]; Processes: string[][] };
    assert.ok(top.Titles.includes('PID'), JSON.stringify(top));
    assert.ok(top.Processes.some((p) => p.join(' ').includes('sleep 300')), JSON.stringify(top));
    const ex = await c.exec({ Cmd: ['touch', '/made-here'] });
    await ex.start({ Detach: true });
    await waitFor(async () => (await ex.inspect()).Running === false && (await ex.inspect()).ExitCode === 0);
    const changes = (await c.changes()) as Array<{ Path: string; Kind: number }>;
    assert.ok(changes.some((ch) => ch.Path === '/made-here' && ch.Kind === 1), JSON.stringify(changes));
    await c.pause();
    assert.equal((await c.inspect()).State.Status, 'paused');
    await c.unpause();
    await c.update({ Memory: 64 * 1024 * 1024, MemorySwap: -1 });
    assert.equal((await c.inspect()).HostConfig.Memory, 64 * 1024 * 1024);
    await c.rename({ name: 'dockerode-renamed' });
    assert.equal((await c.inspect()).Name, '/dockerode-renamed');
    const startedAt = (await c.inspect()).State.StartedAt;
    await c.restart({ t: 1 });
    const after = await c.inspect();
    assert.equal(after.State.Running, true);
    assert.notEqual(after.State.StartedAt, startedAt);
    await c.kill({ signal: 'SIGKILL' });
    assert.equal(((await c.wait()) as { StatusCode: number }).StatusCode, 137);
  } finally {
    await c.remove({ force: true });
  }
});

test('published ports, logs with timestamps and tail, wait conditions', async () => {
  const c = await docker.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'for i in 1 2 3 4; do echo line$i; done; exec sleep 300'],
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  try {
    await c.start();
    const info = await c.inspect();
    const binding = info.NetworkSettings.Ports['80/tcp']?.[0];
    assert.equal(binding?.HostIp, '127.0.0.1');
    assert.match(binding?.HostPort ?? '', /^\d+$/);
    const listed = await docker.listContainers({ filters: { id: [c.id] } });
    assert.deepEqual(listed[0]?.Ports.map((p) => [p.PrivatePort, p.Type, p.IP]), [[80, 'tcp', '127.0.0.1']]);
    await waitFor(async () => ((await c.logs({ stdout: true })) as unknown as Buffer).includes('line4'));
    const tail = await demux(await c.logs({ stdout: true, stderr: true, tail: 2, timestamps: true, follow: true, until: Math.ceil(Date.now() / 1000) + 1 }));
    const lines = tail.stdout.trim().split('\n');
    assert.equal(lines.length, 2, tail.stdout);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line3$/);
    // wait for the next exit while the container runs; kill it
    const waiting = c.wait({ condition: 'next-exit' });
    await c.kill();
    assert.equal(((await waiting) as { StatusCode: number }).StatusCode, 137);
  } finally {
    await c.remove({ force: true });
  }
});

test('prunes, df, image history, tag and remove, loadImage of a saved image', async () => {
  const stopped = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { suite: 'prune' } });
  const pruned = await docker.pruneContainers({ filters: { label: ['suite=prune'] } });
  assert.deepEqual(pruned.ContainersDeleted, [stopped.id]);
  await docker.createVolume({ Name: 'dockerode-prune-me' });
  const pv = await docker.pruneVolumes({ filters: { all: ['true'] } });
  assert.ok(pv.VolumesDeleted?.includes('dockerode-prune-me'), JSON.stringify(pv));
  await docker.createNetwork({ Name: 'dockerode-prune-net' });
  const pn = await docker.pruneNetworks();
  assert.ok(pn.NetworksDeleted?.includes('dockerode-prune-net'), JSON.stringify(pn));
  const df = (await docker.df()) as { Images: unknown[]; Containers: unknown[]; Volumes: unknown[]; LayersSize: number };
  assert.ok(Array.isArray(df.Images) && df.Images.length >= 1);
  assert.equal(typeof df.LayersSize, 'number');

  const history = await docker.getImage('busybox').history();
  assert.ok(history.length >= 1);
  assert.match(history[0]!.Id, /^sha256:|<missing>/);
  await docker.getImage('busybox').tag({ repo: 'dockerode-copy', tag: 'one' });
  const saved = await drain(await docker.getImage('dockerode-copy:one').get());
  const removed = await docker.getImage('dockerode-copy:one').remove();
  assert.deepEqual(removed, [{ Untagged: 'dockerode-copy:one' }]);
  const load = await followProgress(await docker.loadImage(Readable.from([saved])));
  assert.ok(load.some((e) => /Loaded image: dockerode-copy:one/.test(String(e.stream))), JSON.stringify(load));
  assert.ok((await docker.getImage('dockerode-copy:one').inspect()).Id);
  const ip = await docker.pruneImages({ filters: { dangling: ['false'] } });
  assert.ok(Array.isArray(ip.ImagesDeleted) || ip.ImagesDeleted === null);
});

/** Polls fn until it is true (generous: other tests share the machine). */
async function waitFor(fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
