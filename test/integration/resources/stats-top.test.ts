import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import { bootstrapBusybox, request, runDocker, sleep, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

const docker = (...args: string[]) => runDocker(d.dockerHost, args);
type Stats = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document read field by field

test('docker stats --no-stream: CPU % near the --cpus quota, MEM USAGE / LIMIT, PIDS', async () => {
  const id = (await docker('run', '-d', '--name', 'busy', '-m', '64m', '--cpus', '0.5', 'busybox', 'sh', '-c', 'sleep 1000 & while true; do :; done')).stdout.trim();
  await sleep(1500);
  const r = await docker('stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.PIDs}}|{{.NetIO}}', 'busy');
  assert.equal(r.code, 0, r.stderr);
  const [name, cpu, mem, memPerc, pids, net] = r.stdout.trim().split('|');
  assert.equal(name, 'busy');
  const cpuPct = Number.parseFloat(cpu!);
  assert.ok(cpuPct > 25 && cpuPct < 75, `CPU ${cpu} should be near 50% (--cpus 0.5)`);
  assert.match(mem!, /^[\d.]+(B|KiB|MiB) \/ 64MiB$/);
  assert.match(memPerc!, /^\d+\.\d\d%$/);
  assert.equal(pids, '2');
  // eth0 on the default bridge: a little traffic of its own (IPv6 neighbour discovery), as with Docker
  assert.match(net!, /^[\d.]+k?B \/ [\d.]+k?B$/);

  // the default table, all running containers
  const table = await docker('stats', '--no-stream');
  assert.match(table.stdout, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n/);
  assert.match(table.stdout, new RegExp(`${id.slice(0, 12)}\\s+busy\\s+`));
  await docker('rm', '-f', id);
});

test('without a memory limit the limit is the host memory', async () => {
  const id = (await docker('run', '-d', 'busybox', 'sleep', '1000')).stdout.trim();
  const s = JSON.parse((await request(d.socket, 'GET', `/containers/${id}/stats?stream=false&one-shot=true`)).body) as Stats;
  assert.equal(s.memory_stats.limit, os.totalmem());
  await docker('rm', '-f', id);
});

test('GET /stats: stream=false fills precpu from a previous sample, one-shot does not; a stopped container gives zeros', async () => {
  const id = (await docker('run', '-d', '--name', 'st', '--pids-limit', '30', 'busybox', 'sh', '-c', 'while true; do :; done')).stdout.trim();
  const once = await request(d.socket, 'GET', `/v1.43/containers/st/stats?stream=false`);
  assert.equal(once.status, 200);
  const s = JSON.parse(once.body) as Stats;
  assert.equal(s.id, id);
  assert.equal(s.name, '/st');
  assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage, 'cpu time grew between the samples');
  assert.ok(s.cpu_stats.system_cpu_usage > s.precpu_stats.system_cpu_usage);
  assert.ok(Date.parse(s.read) > Date.parse(s.preread));
  assert.equal(s.cpu_stats.online_cpus, os.cpus().length);
  assert.equal(s.cpu_stats.cpu_usage.percpu_usage.length, os.cpus().length);
  assert.ok(s.memory_stats.usage > 0);
  assert.ok(typeof s.memory_stats.stats.total_inactive_file === 'number');
  assert.deepEqual(s.pids_stats, { current: 1, limit: 30 });
  assert.ok(Array.isArray(s.blkio_stats.io_service_bytes_recursive));
  assert.ok('throttled_periods' in s.cpu_stats.throttling_data);

  const one = JSON.parse((await request(d.socket, 'GET', `/containers/st/stats?stream=false&one-shot=true`)).body) as Stats;
  assert.equal(one.preread, '0001-01-01T00:00:00Z');
  assert.equal(one.precpu_stats.cpu_usage.total_usage, 0);
  assert.ok(one.cpu_stats.cpu_usage.total_usage > 0);

  await docker('kill', id);
  const stopped = JSON.parse((await request(d.socket, 'GET', `/containers/st/stats?stream=false`)).body) as Stats;
  assert.equal(stopped.read, '0001-01-01T00:00:00Z');
  assert.deepEqual(stopped.memory_stats, {});
  assert.equal(stopped.cpu_stats.cpu_usage.total_usage, 0);
  const cli = await docker('stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'st');
  assert.equal(cli.stdout, '0.00% 0B / 0B 0\n');
  const missing = await request(d.socket, 'GET', `/containers/nope/stats?stream=false`);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /No such container: nope/);
  await docker('rm', id);
});

test('GET /stats streams one object per second, precpu from the previous one', async () => {
  const id = (await docker('run', '-d', 'busybox', 'sh', '-c', 'while true; do :; done')).stdout.trim();
  const docs = await new Promise<Stats[]>((resolve, reject) => {
    const got: Stats[] = [];
    let buf = '';
    const req = http.get({ socketPath: d.socket, path: `/containers/${id}/stats` }, (res) => {
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          got.push(JSON.parse(buf.slice(0, nl)) as Stats);
          buf = buf.slice(nl + 1);
          if (got.length === 3) {
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    req.on('error', (e) => (got.length === 3 ? undefined : reject(e)));
  });
  assert.equal(docs[0]!.preread, '0001-01-01T00:00:00Z');
  assert.equal(docs[1]!.preread, docs[0]!.read);
  assert.equal(docs[2]!.precpu_stats.cpu_usage.total_usage, docs[1]!.cpu_stats.cpu_usage.total_usage);
  const gap = Date.parse(docs[2]!.read) - Date.parse(docs[1]!.read);
  assert.ok(gap >= 900 && gap < 2000, `samples ${gap} ms apart`);
  await docker('rm', '-f', id);
});

test('docker top: ps rows of the container only, ps options, 409 when not running', async () => {
  const id = (await docker('run', '-d', '--name', 'topper', 'busybox', 'sh', '-c', 'sleep 1001 & sleep 1002 & wait')).stdout.trim();
  await sleep(300);
  const top = await docker('top', 'topper');
  assert.equal(top.code, 0, top.stderr);
  const lines = top.stdout.trim().split('\n');
  assert.match(lines[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  assert.equal(lines.length, 4, top.stdout);
  assert.ok(lines.some((l) => /sleep 1001$/.test(l)) && lines.some((l) => /sleep 1002$/.test(l)) && lines.some((l) => /sh -c sleep 1001 & sleep 1002 & wait$/.test(l)), top.stdout);

  const api = JSON.parse((await request(d.socket, 'GET', '/containers/topper/top?ps_args=-o%20pid,comm')).body) as { Titles: string[]; Processes: string[][] };
  assert.deepEqual(api.Titles, ['PID', 'COMMAND']);
  assert.deepEqual(api.Processes.map((p) => p[1]).sort(), ['sh', 'sleep', 'sleep']);

  const aux = await docker('top', 'topper', 'aux');
  assert.equal(aux.code, 0, aux.stderr);
  assert.match(aux.stdout.split('\n')[0]!, /^USER\s+PID\s+%CPU/);
  assert.equal(aux.stdout.trim().split('\n').length, 4);

  await docker('kill', id);
  const stopped = await docker('top', 'topper');
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, new RegExp(`Error response from daemon: container ${id} is not running`));
  assert.equal((await request(d.socket, 'GET', '/containers/topper/top')).status, 409);
  await docker('rm', id);
});
