import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflict, invalidArgument, isKind, notFound } from '../../errdefs/index.js';
import type { EngineEvent } from '../../events/index.js';
import type { AttachConnection, ExecOptions, ExecProcess, ExecRuntime, ExecSession } from '../../runtime/index.js';
import { Logger } from '../../util/index.js';
import { initialState, type ContainerRecord } from '../container-record.js';
import { ExecService } from './exec-service.js';

/** ExecService against a fake container service and runtime: the rules, without processes. */
function fixture() {
  const rec: ContainerRecord = {
    id: 'c'.repeat(64),
    name: '/web',
    created: new Date().toISOString(),
    image: 'sha256:x',
    path: 'sleep',
    args: ['100'],
    config: { Env: ['PATH=/bin', 'A=1'], Cmd: ['sleep'], Entrypoint: null, Labels: {}, Hostname: 'cccccccccccc', WorkingDir: '/srv', User: '' },
    hostConfig: {},
    // the daemon's own pid: its /proc/<pid>/root is the host's root, whose /etc/passwd has root
    state: { ...initialState(), Running: true, Status: 'running', Pid: process.pid },
    restartCount: 0,
    hasBeenManuallyStopped: false,
    logPath: '', resolvConfPath: '', hostnamePath: '', hostsPath: '', runtime: 'runc',
  };
  const published: string[] = [];
  const subscribers: Array<(e: EngineEvent) => void> = [];
  const started: ExecOptions[] = [];
  const sessions: Array<{ exit(code: number): void; resized: Array<[number, number]> }> = [];
  let failWith: Error | undefined;
  const runtime: ExecRuntime = {
    async containerProcess(): Promise<ExecProcess> {
      return { args: ['sleep', '100'], env: ['PATH=/bin'], cwd: '/', capabilities: { bounding: ['CAP_KILL'] }, noNewPrivileges: true, consoleSize: { height: 1, width: 1 } };
    },
    async exec(o: ExecOptions): Promise<ExecSession> {
      if (failWith) throw failWith;
      started.push(o);
      let exit!: (code: number) => void;
      const exited = new Promise<number>((r) => (exit = r));
      const closeCbs: Array<() => void> = [];
      const attach: AttachConnection = {
        onData: () => undefined,
        onClose: (cb) => closeCbs.push(cb),
        writeStdin: () => undefined,
        closeStdin: () => undefined,
        close: () => undefined,
      };
      const resized: Array<[number, number]> = [];
      sessions.push({ exit: (code) => { exit(code); for (const cb of closeCbs) cb(); }, resized });
      return { pid: 4242, attach, exited, resize: async (h, w) => void resized.push([h, w]) };
    },
  };
  const svc = new ExecService({
    containers: {
      get: (idOrName: string) => {
        if (idOrName !== rec.id && idOrName !== 'web') throw notFound(`No such container: ${idOrName}`);
        return rec;
      },
      publishEvent: (_r: ContainerRecord, action: string, attrs: Record<string, string> = {}) => void published.push(`${action}${attrs.exitCode !== undefined ? ` ${attrs.exitCode}` : ''}`),
    },
    runtime,
    events: { subscribe: (cb) => (subscribers.push(cb), () => undefined) },
    logger: new Logger('error'),
    graceMs: 10,
  });
  const emit = (action: string) => subscribers.forEach((s) => s({ Type: 'container', Action: action, Actor: { ID: rec.id, Attributes: {} }, scope: 'local', time: 0, timeNano: 0 }));
  return { rec, svc, published, started, sessions, emit, fail: (e: Error | undefined) => (failWith = e) };
}

test('create refuses containers that are not running or paused, with Docker\'s wording', () => {
  const f = fixture();
  f.rec.state.Paused = true;
  assert.throws(() => f.svc.create('web', { Cmd: ['true'] }), (e: unknown) => isKind(e, 'Conflict') && (e as Error).message === 'Container web is paused, unpause the container before exec');
  f.rec.state.Paused = false;
  f.rec.state.Running = false;
  assert.throws(() => f.svc.create('web', { Cmd: ['true'] }), (e: unknown) => isKind(e, 'Conflict') && (e as Error).message === `Container ${f.rec.id} is not running`);
  assert.throws(() => f.svc.create('nosuch', { Cmd: ['true'] }), (e: unknown) => isKind(e, 'NotFound'));
});

test('start builds the process from the container\'s own, runs once, and records the exit code before done', async () => {
  const f = fixture();
  const { Id } = f.svc.create('web', { Cmd: ['sh', '-c', 'x'], Env: ['B=2'], Tty: true, AttachStdout: true, ConsoleSize: [10, 20] });
  await f.svc.resize(Id, 30, 40); // before the start: becomes the initial size
  const s = await f.svc.start(Id, { detach: false }, { onData: () => undefined });
  const p = f.started[0]!.process;
  assert.deepEqual(p.args, ['sh', '-c', 'x']);
  assert.deepEqual(p.env, ['PATH=/bin', 'HOSTNAME=cccccccccccc', 'TERM=xterm', 'A=1', 'B=2']);
  assert.equal(p.cwd, '/srv');
  assert.deepEqual(p.user, { uid: 0, gid: 0, additionalGids: [0] });
  assert.deepEqual(p.capabilities, { bounding: ['CAP_KILL'] });
  assert.equal(p.noNewPrivileges, true);
  assert.deepEqual(p.consoleSize, { height: 30, width: 40 });
  assert.equal(f.started[0]!.openStdin, false);
  assert.equal(f.svc.inspect(Id).state, 'running');
  assert.deepEqual(f.svc.execIdsOf(f.rec.id), [Id]);
  await f.svc.resize(Id, 50, 60);
  assert.deepEqual(f.sessions[0]!.resized, [[50, 60]]);
  await assert.rejects(f.svc.start(Id, { detach: true }), (e: unknown) => isKind(e, 'Conflict') && /is already running$/.test((e as Error).message));
  f.sessions[0]!.exit(3);
  await s.done;
  assert.equal(f.svc.inspect(Id).exitCode, 3);
  assert.equal(f.svc.execIdsOf(f.rec.id), null);
  assert.deepEqual(f.published, ['exec_create: sh -c x', 'exec_start: sh -c x', 'exec_die 3']);
  await assert.rejects(f.svc.start(Id, { detach: true }), (e: unknown) => isKind(e, 'Conflict') && (e as Error).message === `Error: Exec command ${Id} has already run`);
});

test('a start that fails sets 127 (not found) or 126 and publishes no exec_die', async () => {
  const f = fixture();
  const a = f.svc.create('web', { Cmd: ['nope'] }).Id;
  f.fail(invalidArgument('OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH'));
  await assert.rejects(f.svc.start(a, { detach: false }, { onData: () => undefined }), (e: unknown) => /not found in \$PATH: unknown$/.test((e as Error).message));
  assert.equal(f.svc.inspect(a).exitCode, 127);
  const b = f.svc.create('web', { Cmd: ['/etc'] }).Id;
  f.fail(invalidArgument('OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc": permission denied'));
  await assert.rejects(f.svc.start(b, { detach: true }));
  assert.equal(f.svc.inspect(b).exitCode, 126);
  const c = f.svc.create('web', { Cmd: ['true'], User: 'no-such-user-here' }).Id;
  f.fail(undefined);
  await assert.rejects(f.svc.start(c, { detach: true }), (e: unknown) => /^unable to find user no-such-user-here: no matching entries in passwd file$/.test((e as Error).message));
  assert.equal(f.svc.inspect(c).exitCode, 126);
  f.fail(conflict('x'));
  assert.ok(!f.published.some((e) => e.startsWith('exec_die')));
});

test('when the container dies, unstarted execs go at once, started ones after the grace; destroy drops all', async () => {
  const f = fixture();
  const pending = f.svc.create('web', { Cmd: ['true'] }).Id;
  const ran = f.svc.create('web', { Cmd: ['true'] }).Id;
  const s = await f.svc.start(ran, { detach: true });
  f.sessions[0]!.exit(0);
  await s.done;
  f.emit('die');
  assert.throws(() => f.svc.inspect(pending), (e: unknown) => isKind(e, 'NotFound') && (e as Error).message === `No such exec instance: ${pending}`);
  assert.equal(f.svc.inspect(ran).exitCode, 0);
  await new Promise((r) => setTimeout(r, 30));
  assert.throws(() => f.svc.inspect(ran), (e: unknown) => isKind(e, 'NotFound'));
  const again = f.svc.create('web', { Cmd: ['true'] }).Id;
  f.emit('destroy');
  assert.throws(() => f.svc.inspect(again), (e: unknown) => isKind(e, 'NotFound'));
});
