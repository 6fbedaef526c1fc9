import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseLogTime, readLogs, type LogEntry, type ReadLogsOptions } from './k8s-log.js';
import { makeTempDir } from './test-fixtures.js';

const LOG = [
  '2026-01-01T10:00:00.000000001+00:00 stdout F one',
  '2026-01-01T10:00:01.500000000+00:00 stderr F two',
  '2026-01-01T10:00:02.000000000+00:00 stdout P thr',
  '2026-01-01T10:00:02.100000000+00:00 stdout F ee',
  '2026-01-01T10:00:03.000000000+00:00 stdout F ',
  '2026-01-01T10:00:04.000000000Z stderr F four with  spaces',
  '2026-01-01T10:00:05.000000000+00:00 stdout P no-newline',
  '',
].join('\n');

const T0 = Date.parse('2026-01-01T10:00:00Z') / 1000;

async function read(file: string, o: Partial<ReadLogsOptions> = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(file, { follow: false, stdout: true, stderr: true, ...o })) out.push(e);
  return out;
}

const show = (es: LogEntry[]): string[] => es.map((e) => `${e.stream}:${e.data.toString()}`);

describe('readLogs (k8s-file)', () => {
  let dir: string;
  let file: string;

  before(async () => {
    dir = await makeTempDir('berth-test-log-');
    file = path.join(dir, 'ctr.log');
    await fs.writeFile(file, LOG);
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('F lines get their newline back, P lines do not; time is kept as written', async () => {
    const es = await read(file);
    assert.deepEqual(show(es), ['stdout:one\n', 'stderr:two\n', 'stdout:thr', 'stdout:ee\n', 'stdout:\n', 'stderr:four with  spaces\n', 'stdout:no-newline']);
    assert.equal(es[0]?.time, '2026-01-01T10:00:00.000000001+00:00');
  });

  test('stream selection', async () => {
    assert.deepEqual(show(await read(file, { stdout: false })), ['stderr:two\n', 'stderr:four with  spaces\n']);
    assert.deepEqual(show(await read(file, { stderr: false })).length, 5);
  });

  test('tail counts full lines (a line split in P parts is one), across streams like docker', async () => {
    assert.deepEqual(show(await read(file, { tail: 1 })), ['stderr:four with  spaces\n', 'stdout:no-newline']);
    assert.deepEqual(show(await read(file, { tail: 3 })), ['stdout:thr', 'stdout:ee\n', 'stdout:\n', 'stderr:four with  spaces\n', 'stdout:no-newline']);
    assert.equal((await read(file, { tail: 100 })).length, 7);
    assert.deepEqual(show(await read(file, { tail: 0 })), []);
  });

  test('since / until in unix seconds with fractions', async () => {
    assert.deepEqual(show(await read(file, { since: T0 + 1.5 })).slice(0, 1), ['stderr:two\n']);
    assert.equal((await read(file, { since: T0 + 1.5001 }))[0]?.data.toString(), 'thr');
    assert.deepEqual(show(await read(file, { until: T0 + 1.5 })), ['stdout:one\n', 'stderr:two\n']);
    assert.ok(Math.abs(parseLogTime('2026-01-01T10:00:01.25+01:00') - (T0 + 1.25 - 3600)) < 1e-6);
  });

  test('a missing file is empty', async () => {
    assert.deepEqual(await read(path.join(dir, 'nope.log')), []);
  });

  test('tail of a big file reads only its end', async () => {
    const big = path.join(dir, 'big.log');
    const fh = await fs.open(big, 'w');
    const line = (i: number) => `2026-01-01T10:00:00.000000000+00:00 stdout F line ${i} ${'x'.repeat(100)}\n`;
    for (let chunk = 0; chunk < 20; chunk++) {
      let s = '';
      for (let i = chunk * 5000; i < (chunk + 1) * 5000; i++) s += line(i);
      await fh.write(s);
    }
    await fh.close();
    const es = await read(big, { tail: 3 });
    assert.deepEqual(es.map((e) => e.data.toString().split(' ')[1]), ['99997', '99998', '99999']);
  });

  test('follow: a file that appears later, lines appended, then stopFollowing drains and ends', async () => {
    const f = path.join(dir, 'follow.log');
    let stop!: () => void;
    const stopFollowing = new Promise<void>((r) => (stop = r));
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of readLogs(f, { follow: true, stdout: true, stderr: true, stopFollowing })) got.push(e.data.toString());
    })();
    await new Promise((r) => setTimeout(r, 100));
    await fs.writeFile(f, '2026-01-01T10:00:00.000000000+00:00 stdout F a\n');
    await waitUntil(() => got.length === 1);
    await fs.appendFile(f, '2026-01-01T10:00:01.000000000+00:00 stdout P b');
    await fs.appendFile(f, '\n2026-01-01T10:00:01.000000000+00:00 stdout F c\n2026-01-01T10:00:02');
    await waitUntil(() => got.length === 3);
    await fs.appendFile(f, '.000000000+00:00 stderr F d\n');
    stop();
    await reading;
    assert.deepEqual(got, ['a\n', 'b', 'c\n', 'd\n']);
  });

  test('follow with tail starts at the end', async () => {
    const f = path.join(dir, 'follow2.log');
    await fs.writeFile(f, LOG);
    let stop!: () => void;
    const stopFollowing = new Promise<void>((r) => (stop = r));
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of readLogs(f, { follow: true, tail: 0, stdout: true, stderr: true, stopFollowing })) got.push(e.data.toString());
    })();
    await new Promise((r) => setTimeout(r, 100));
    await fs.appendFile(f, '2026-01-01T10:00:09.000000000+00:00 stdout F new\n');
    await waitUntil(() => got.length === 1);
    stop();
    await reading;
    assert.deepEqual(got, ['new\n']);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
