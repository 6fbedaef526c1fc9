import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKind } from '../errdefs/index.js';
import type { ContainerRuntime, CreateOptions, ExecRuntime } from './container-runtime.js';
import { createConmonRuntime, exitCodeForStartError, runtimeErrorMessage } from './conmon-runtime.js';
import { resolveUser } from './user.js';
import { readLogs, type LogEntry } from './k8s-log.js';
import { buildRuntimeSpec } from './spec-builder.js';
import type { SpecInput } from './spec-input.js';
import { makeBusyboxRootfs, makeTempDir, removeCgroupParent, testSpecInput, uniqueId } from './test-fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function collect(logPath: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(logPath, { follow: false, stdout: true, stderr: true })) out.push(e);
  return out;
}

const text = (entries: LogEntry[], stream?: 'stdout' | 'stderr'): string =>
  entries.filter((e) => !stream || e.stream === stream).map((e) => e.data.toString()).join('');

/** The shared suite every ContainerRuntime implementation runs against real containers. */
function runtimeSuite(runtimeName: 'runc' | 'crun'): void {
  describe(`conmon + ${runtimeName}`, () => {
    let dir: string;
    let rootfs: string;
    let rt: ContainerRuntime & ExecRuntime;
    const cgroupParent = `berth-test-${uniqueId('cg')}`;
    const ids: string[] = [];

    before(async () => {
      dir = await makeTempDir('berth-test-rt-');
      rootfs = await makeBusyboxRootfs(dir);
      rt = createConmonRuntime({ execRoot: path.join(dir, 'exec'), runtime: runtimeName });
    });

    after(async () => {
      for (const id of ids) await rt.delete(id, { force: true }).catch(() => undefined);
      removeCgroupParent(cgroupParent);
      await fs.rm(dir, { recursive: true, force: true });
    });

    function input(id: string, over: Partial<SpecInput> = {}): SpecInput {
      return testSpecInput(id, rootfs, cgroupParent, over);
    }

    async function create(over: Partial<SpecInput> & { opts?: Partial<CreateOptions> } = {}): Promise<{ id: string; logPath: string; pid: number }> {
      const id = uniqueId('c');
      ids.push(id);
      const { opts, ...specOver } = over;
      const logPath = path.join(dir, 'logs', `${id}.log`);
      const { pid } = await rt.create({ id, spec: buildRuntimeSpec(input(id, specOver)), logPath, terminal: !!specOver.terminal, openStdin: false, stdinOnce: false, ...opts });
      return { id, logPath, pid };
    }

    test('stdout and stderr reach the k8s log; exit code 42 is read from the exit file and delivered by onExit', async () => {
      const exits: Array<[string, number]> = [];
      const off = rt.onExit((id, code) => exits.push([id, code]));
      try {
        const c = await create({ args: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 42'] });
        assert.ok(c.pid > 0);
        assert.deepEqual(await rt.state(c.id), { status: 'created', pid: c.pid });
        await rt.start(c.id);
        const code = await waitFor('exit code', async () => (await rt.readExitCode(c.id)) ?? undefined);
        assert.equal(code, 42);
        await waitFor('onExit', async () => exits.some(([id]) => id === c.id));
        assert.deepEqual(exits.filter(([id]) => id === c.id), [[c.id, 42]]);
        assert.equal((await rt.state(c.id))?.status, 'stopped');
        const logs = await collect(c.logPath);
        assert.equal(text(logs, 'stdout'), 'to-stdout\n');
        assert.equal(text(logs, 'stderr'), 'to-stderr\n');
        await rt.delete(c.id);
        assert.equal(await rt.state(c.id), null);
        assert.equal(await rt.readExitCode(c.id), null);
      } finally {
        off();
      }
    });

    test('readLogs follows a running container; long lines arrive as P parts ending in F', async () => {
      const c = await create({ args: ['sh', '-c', 'echo begin; sleep 0.3; head -c 20000 /dev/zero | tr "\\0" y; echo; printf tail-no-newline; sleep 0.3'] });
      let stop!: () => void;
      const stopFollowing = new Promise<void>((r) => (stop = r));
      const got: LogEntry[] = [];
      const reading = (async () => {
        for await (const e of readLogs(c.logPath, { follow: true, stdout: true, stderr: true, stopFollowing })) got.push(e);
      })();
      await rt.start(c.id);
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      stop();
      await reading;
      assert.equal(text(got), `begin\n${'y'.repeat(20000)}\ntail-no-newline`);
      assert.ok(got.length > 3, 'the 20000-byte line is split');
      assert.ok(got.slice(1, -2).every((e) => !e.data.toString().endsWith('\n')));
      assert.deepEqual((await collect(c.logPath)).map((e) => e.data.toString()).join(''), text(got));
      const tail1 = [];
      for await (const e of readLogs(c.logPath, { follow: false, tail: 1, stdout: true, stderr: true })) tail1.push(e);
      assert.equal(text(tail1), `${'y'.repeat(20000)}\ntail-no-newline`);
    });

    test('onExit also reports exit files written before it subscribed', async () => {
      const c = await create({ args: ['sh', '-c', 'exit 7'] });
      await rt.start(c.id);
      await waitFor('exit file', async () => (await rt.readExitCode(c.id)) !== null);
      const seen: number[] = [];
      const off = rt.onExit((id, code) => {
        if (id === c.id) seen.push(code);
      });
      try {
        await waitFor('late onExit', async () => seen.length > 0);
        assert.deepEqual(seen, [7]);
      } finally {
        off();
      }
    });

    test("capabilities in the container are Docker's 00000000a80425fb and seccomp is on", async () => {
      const c = await create({ args: ['sh', '-c', 'grep -E "^(CapEff|CapBnd|CapPrm|CapInh|Seccomp):" /proc/1/status'] });
      await rt.start(c.id);
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      const out = text(await collect(c.logPath));
      assert.match(out, /CapEff:\s+00000000a80425fb/);
      assert.match(out, /CapBnd:\s+00000000a80425fb/);
      assert.match(out, /CapPrm:\s+00000000a80425fb/);
      assert.match(out, /CapInh:\s+0000000000000000/);
      assert.match(out, /Seccomp:\s+2/);
    });

    test('spec settings take effect: user, hostname, read-only root, sysctl, masked paths, cgroup limits', async () => {
      const user = await resolveUser(rootfs, 'nobody');
      const c = await create({
        args: ['sh', '-c', 'id; hostname; touch /x 2>&1 || echo ro-ok; cat /proc/sys/net/ipv4/ip_forward; ls /sys/firmware | wc -l; echo ready; sleep 1000'],
        user,
        hostname: 'berth-host',
        readonlyRootfs: true,
        sysctls: { 'net.ipv4.ip_forward': '1' },
        resources: { memory: 64 * 1024 * 1024, pidsLimit: 50, cpuQuota: 50000, cpuPeriod: 100000 },
      });
      await rt.start(c.id);
      await waitFor('ready', async () => text(await collect(c.logPath)).includes('ready'));
      const out = text(await collect(c.logPath));
      assert.match(out, /uid=65534\(nobody\) gid=65534\(nogroup\) groups=10\(wheel\)/);
      assert.match(out, /\nberth-host\n/);
      assert.match(out, /ro-ok/);
      assert.match(out, /\n1\n/);
      assert.match(out, /\n0\nready/); // /sys/firmware masked: an empty dir
      const cg = (ctl: string, file: string) => fs.readFile(path.join('/sys/fs/cgroup', ctl, cgroupParent, c.id, file), 'utf8').then((t) => t.trim());
      assert.equal(await cg('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
      assert.equal(await cg('pids', 'pids.max'), '50');
      assert.equal(await cg('cpu', 'cpu.cfs_quota_us'), '50000');
      await rt.delete(c.id, { force: true });
      assert.equal(await rt.state(c.id), null);
      await assert.rejects(fs.stat(path.join('/sys/fs/cgroup/memory', cgroupParent, c.id)));
    });

    test("privileged: the daemon's whole bounding set, no seccomp, host devices, mount allowed", async () => {
      const c = await create({ privileged: true, args: ['sh', '-c', 'grep -E "^(CapEff|Seccomp):" /proc/1/status; ls /dev/null /dev/zero; mkdir -p /tmp/m && mount -t tmpfs t /tmp/m && echo mounted'] });
      await rt.start(c.id);
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      const out = text(await collect(c.logPath));
      const own = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await fs.readFile('/proc/self/status', 'utf8'))?.[1];
      assert.match(out, new RegExp(`CapEff:\\s+${own}`));
      assert.match(out, /Seccomp:\s+0/);
      assert.match(out, /mounted/);
    });

    test('a requested ulimit within the daemon limits is applied', async () => {
      const c = await create({ args: ['sh', '-c', 'ulimit -n; ulimit -Hn'], ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }] });
      await rt.start(c.id);
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      assert.equal(text(await collect(c.logPath)), '512\n1024\n');
    });

    test('a ulimit above the hard limit is refused before anything runs', () => {
      assert.throws(
        () => buildRuntimeSpec(input('refused', { ulimits: [{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }] })),
        (err: unknown) => isKind(err, 'InvalidArgument') && /nofile/.test((err as Error).message) && /maximum of \d+/.test((err as Error).message),
      );
    });

    test('kill TERM reaches a trap in the container', async () => {
      const c = await create({ args: ['sh', '-c', 'trap "echo got-term; exit 5" TERM; echo ready; while true; do sleep 0.1; done'] });
      await rt.start(c.id);
      await waitFor('ready', async () => text(await collect(c.logPath)).includes('ready'));
      assert.equal((await rt.state(c.id))?.status, 'running');
      await rt.kill(c.id, 'SIGTERM');
      assert.equal(await waitFor('exit', async () => (await rt.readExitCode(c.id)) ?? undefined), 5);
      assert.match(text(await collect(c.logPath)), /got-term/);
      await assert.rejects(rt.kill(c.id, 'KILL'), (err: unknown) => isKind(err, 'Conflict') || isKind(err, 'NotFound'));
    });

    test('pause and resume', async () => {
      const c = await create({ args: ['sleep', '1000'] });
      await rt.start(c.id);
      await rt.pause(c.id);
      assert.equal((await rt.state(c.id))?.status, 'paused');
      await rt.resume(c.id);
      assert.equal((await rt.state(c.id))?.status, 'running');
      await rt.kill(c.id, 9);
      assert.equal(await waitFor('exit', async () => (await rt.readExitCode(c.id)) ?? undefined), 137);
    });

    test('attach before start gets all output, delivers stdin, and closeStdin ends cat', async () => {
      const c = await create({ args: ['sh', '-c', 'echo first; echo err-line >&2; cat; echo after-eof'], opts: { openStdin: true, stdinOnce: true } });
      const conn = await rt.attach(c.id);
      const got: Array<[number, string]> = [];
      conn.onData((s, d) => got.push([s, d.toString()]));
      const closed = new Promise<void>((r) => conn.onClose(r));
      await rt.start(c.id);
      await waitFor('first', async () => got.some(([, d]) => d.includes('first')));
      conn.writeStdin(Buffer.from('line one\n'));
      conn.writeStdin(Buffer.alloc(20000, 'x'));
      conn.writeStdin(Buffer.from('\nline three\n'));
      await waitFor('echo of stdin', async () => got.map(([, d]) => d).join('').includes('line three'));
      conn.closeStdin();
      await closed;
      const out = got.filter(([s]) => s === 1).map(([, d]) => d).join('');
      assert.equal(out, `first\nline one\n${'x'.repeat(20000)}\nline three\nafter-eof\n`);
      assert.equal(got.filter(([s]) => s === 2).map(([, d]) => d).join(''), 'err-line\n');
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      assert.equal(await rt.readExitCode(c.id), 0);
    });

    test('several attach connections at once; close() of one leaves the others and the container running', async () => {
      const cs = [await create({ args: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo tick-$i; sleep 0.05; done'] }), await create({ args: ['sh', '-c', 'echo other; sleep 0.5; echo other-end'] })];
      const conns = await Promise.all([rt.attach(cs[0]!.id), rt.attach(cs[0]!.id), rt.attach(cs[0]!.id), rt.attach(cs[1]!.id)]);
      const outs = conns.map(() => '');
      const closes = conns.map((c, i) => {
        c.onData((_s, d) => (outs[i] += d.toString()));
        return new Promise<void>((r) => c.onClose(r));
      });
      await Promise.all(cs.map((c) => rt.start(c.id)));
      await waitFor('tick-3', async () => outs[2]!.includes('tick-3'));
      conns[2]!.close();
      await closes[2];
      await Promise.all([closes[0], closes[1], closes[3]]);
      const ticks = Array.from({ length: 20 }, (_, i) => `tick-${i + 1}\n`).join('');
      assert.equal(outs[0], ticks);
      assert.equal(outs[1], ticks);
      assert.ok(ticks.startsWith(outs[2]!) && !outs[2]!.includes('tick-20'));
      assert.equal(outs[3], 'other\nother-end\n');
      for (const c of cs) await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      assert.equal(await rt.readExitCode(cs[0]!.id), 0);
      await assert.rejects(rt.attach(cs[0]!.id), (err: unknown) => isKind(err, 'Conflict'));
    });

    test('attach works under an exec root far longer than sun_path (108 bytes)', async () => {
      const longRoot = path.join(dir, 'exec-' + 'long-path-segment/'.repeat(8));
      assert.ok(longRoot.length > 150);
      const rt2 = createConmonRuntime({ execRoot: longRoot, runtime: runtimeName });
      const id = uniqueId('l');
      try {
        await rt2.create({ id, spec: buildRuntimeSpec(input(id, { args: ['sh', '-c', 'echo from-long-root'] })), logPath: path.join(dir, 'logs', `${id}.log`), terminal: false, openStdin: false, stdinOnce: false });
        const conn = await rt2.attach(id);
        let out = '';
        conn.onData((_s, d) => (out += d.toString()));
        const closed = new Promise<void>((r) => conn.onClose(r));
        await rt2.start(id);
        await closed;
        assert.equal(out, 'from-long-root\n');
        assert.equal(await waitFor('exit', async () => (await rt2.readExitCode(id)) !== null), true);
      } finally {
        await rt2.delete(id, { force: true });
      }
    });

    test('attach with a TTY: output as stdout, resize through conmon reaches the pty', async () => {
      // conmon applies a resize asynchronously (ctl fifo → winsz fifo → ioctl), so the container waits for a line before each look
      const c = await create({ args: ['sh', '-c', 'read a; stty size; read b; stty size'], terminal: true, opts: { openStdin: true, stdinOnce: true, terminal: true } });
      const conn = await rt.attach(c.id);
      let out = '';
      const streams = new Set<number>();
      conn.onData((s, d) => {
        streams.add(s);
        out += d.toString();
      });
      const closed = new Promise<void>((r) => conn.onClose(r));
      await rt.resize(c.id, 30, 90);
      await rt.start(c.id);
      await sleep(100);
      conn.writeStdin(Buffer.from('one\n'));
      await waitFor('first size', async () => out.includes('30 90'));
      await rt.resize(c.id, 44, 132);
      await sleep(100);
      conn.writeStdin(Buffer.from('two\n'));
      await closed;
      assert.match(out, /30 90\r\n[\s\S]*44 132\r\n/);
      assert.deepEqual([...streams], [1]);
    });

    test('the container outlives the Node process that started it', async () => {
      const id = uniqueId('s');
      ids.push(id);
      const here = path.dirname(fileURLToPath(import.meta.url));
      const script = path.join(dir, 'starter.mjs');
      const specFile = path.join(dir, `${id}.spec.json`);
      writeFileSync(specFile, JSON.stringify(buildRuntimeSpec(input(id, { args: ['sh', '-c', 'echo alive; exec sleep 1000'] }))));
      writeFileSync(
        script,
        `import { createConmonRuntime } from ${JSON.stringify(path.join(here, 'conmon-runtime.js'))};
         import { readFileSync } from 'node:fs';
         const rt = createConmonRuntime({ execRoot: ${JSON.stringify(path.join(dir, 'exec'))}, runtime: ${JSON.stringify(runtimeName)} });
         const spec = JSON.parse(readFileSync(${JSON.stringify(specFile)}, 'utf8'));
         await rt.create({ id: ${JSON.stringify(id)}, spec, logPath: ${JSON.stringify(path.join(dir, 'logs', `${id}.log`))}, terminal: false, openStdin: false, stdinOnce: false });
         // an open attach connection must not hold up the exit (koffi's in-flight poll is woken)
         const conn = await rt.attach(${JSON.stringify(id)});
         await rt.start(${JSON.stringify(id)});
         setTimeout(() => process.exit(0), 100);`,
      );
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Date.now() - t0 < 5000, `the starter took ${Date.now() - t0} ms to exit`);
      await sleep(200);
      const st = await rt.state(id);
      assert.equal(st?.status, 'running');
      assert.ok(st && st.pid > 0);
      await waitFor('log', async () => text(await collect(path.join(dir, 'logs', `${id}.log`))).includes('alive'));
      const conmonPid = Number(await fs.readFile(path.join(dir, 'exec', 'containers', id, 'conmon.pid'), 'utf8'));
      const ppid = (await fs.readFile(`/proc/${conmonPid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[1];
      assert.notEqual(Number(ppid), process.pid);
      await rt.delete(id, { force: true });
      assert.equal(await rt.state(id), null);
      await assert.rejects(fs.stat(`/proc/${conmonPid}/cmdline`).then(async () => {
        // conmon may linger as a zombie of pid 1 for a moment; it must not be running
        const s = await fs.readFile(`/proc/${conmonPid}/stat`, 'utf8');
        if (!/\) Z /.test(s)) return;
        throw new Error('zombie');
      }));
    });

    test('exec: output, stdin, exit code; TTY with consoleSize; not found; session files removed', async () => {
      const c = await create({ args: ['sleep', '1000'] });
      await rt.start(c.id);
      const base = buildRuntimeSpec(input(c.id)).process;
      const s = await rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['sh', '-c', 'echo out; echo err >&2; cat; exit 3'] }, terminal: false, openStdin: true });
      assert.ok(s.pid > 0);
      const got: Array<[number, string]> = [];
      s.attach.onData((st, d) => got.push([st, d.toString()]));
      const closed = new Promise<void>((r) => s.attach.onClose(r));
      s.attach.writeStdin(Buffer.from('typed\n'));
      s.attach.closeStdin();
      assert.equal(await s.exited, 3);
      await closed;
      assert.equal(got.filter(([st]) => st === 1).map(([, d]) => d).join(''), 'out\ntyped\n');
      assert.equal(got.filter(([st]) => st === 2).map(([, d]) => d).join(''), 'err\n');

      const t = await rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['sh', '-c', 'stty size; tty'], consoleSize: { height: 25, width: 81 } }, terminal: true, openStdin: false });
      let out = '';
      t.attach.onData((_st, d) => (out += d.toString()));
      assert.equal(await t.exited, 0);
      await waitFor('tty output', async () => out.includes('/dev/pts/'));
      assert.match(out, /^25 81\r\n\/dev\/pts\/\d+\r\n$/);

      await assert.rejects(
        rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['no-such-tool'] }, terminal: false, openStdin: false }),
        (err: unknown) => isKind(err, 'InvalidArgument') && /^OCI runtime exec failed: .*no-such-tool.*not found/.test((err as Error).message),
      );
      assert.deepEqual(await fs.readdir(path.join(dir, 'exec', 'exec')), []);
      await rt.pause(c.id);
      await assert.rejects(
        rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['true'] }, terminal: false, openStdin: false }),
        (err: unknown) => isKind(err, 'Conflict') && /is paused, unpause the container before exec$/.test((err as Error).message),
      );
      await rt.resume(c.id);
      const again = await rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['true'] }, terminal: false, openStdin: false });
      assert.equal(await again.exited, 0);
      await rt.kill(c.id, 'KILL');
      await waitFor('exit', async () => (await rt.readExitCode(c.id)) !== null);
      await assert.rejects(rt.exec({ id: c.id, execId: uniqueId('x'), process: { ...base, args: ['true'] }, terminal: false, openStdin: false }), (err: unknown) => isKind(err, 'Conflict'));
    });

    test('create failure is Docker-like and leaves nothing behind', async () => {
      const id = uniqueId('f');
      ids.push(id);
      await assert.rejects(
        rt.create({ id, spec: buildRuntimeSpec(input(id, { args: ['no-such-binary'] })), logPath: path.join(dir, 'logs', `${id}.log`), terminal: false, openStdin: false, stdinOnce: false }),
        (err: unknown) => isKind(err, 'InvalidArgument') && /^OCI runtime create failed: .*no-such-binary.*not found/.test((err as Error).message),
      );
      assert.equal(await rt.state(id), null);
      await assert.rejects(fs.stat(path.join(dir, 'exec', 'containers', id)));
    });

    test('unknown containers: state null, delete is a no-op, kill/attach are NotFound', async () => {
      assert.equal(await rt.state('nosuchctr'), null);
      await rt.delete('nosuchctr');
      await assert.rejects(rt.kill('nosuchctr', 'TERM'), (err: unknown) => isKind(err, 'NotFound'));
      await assert.rejects(rt.attach('nosuchctr'), (err: unknown) => isKind(err, 'NotFound'));
      await assert.rejects(rt.create({ id: '../evil', spec: buildRuntimeSpec(input('x')), logPath: '/dev/null', terminal: false, openStdin: false, stdinOnce: false }), (err: unknown) => isKind(err, 'InvalidArgument'));
    });
  });
}

describe('runtime error messages', () => {
  test("runc's logfmt and JSON, crun's plain text", () => {
    assert.equal(
      runtimeErrorMessage('time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH"\n'),
      'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH',
    );
    assert.equal(runtimeErrorMessage('{"level":"error","msg":"container does not exist","time":"x"}\n'), 'container does not exist');
    assert.equal(runtimeErrorMessage('crun: executable file `nope` not found in $PATH: No such file or directory\n'), 'executable file `nope` not found in $PATH: No such file or directory');
  });

  test("Docker's exit codes for start failures", () => {
    assert.equal(exitCodeForStartError(new Error('exec: "nope": executable file not found in $PATH'), 'nope'), 127);
    assert.equal(exitCodeForStartError(new Error('open /x: no such file or directory'), 'nope'), undefined);
    assert.equal(exitCodeForStartError(new Error('exec: "/etc": permission denied')), 126);
    assert.equal(exitCodeForStartError(new Error('something else')), undefined);
  });
});

runtimeSuite('runc');
if (spawnSync('crun', ['--version']).status === 0) runtimeSuite('crun');

test('stale exec session dirs (their conmon gone) are swept on first use after a daemon start', async () => {
  const dir = await fs.mkdtemp('/tmp/berth-test-sweep-');
  try {
    const execRoot = path.join(dir, 'exec-root');
    const stale = path.join(execRoot, 'exec', 'stale-session');
    await fs.mkdir(stale, { recursive: true });
    await fs.writeFile(path.join(stale, 'conmon.pid'), '999999999');
    const rt = createConmonRuntime({ execRoot });
    await rt.exec({ id: 'no-such-container', execId: 'x1', process: { args: ['true'], env: [], cwd: '/' }, terminal: false, openStdin: false }).catch(() => undefined);
    await assert.rejects(fs.access(stale), 'the stale session dir is gone');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
