import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBusybox, request, startBerthd, type Berthd } from '../../helpers/berthd.js';

let d: Berthd;
before(async () => {
  d = await startBerthd();
  await bootstrapBusybox(d);
});
after(async () => {
  await d?.stop();
});

test('_ping, version and info answer with Docker\'s headers, with and without a version prefix', async () => {
  for (const p of ['/_ping', '/v1.43/_ping', '/v1.24/_ping']) {
    const r = await request(d.socket, 'GET', p);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'OK');
    assert.equal(r.headers['api-version'], '1.43');
    assert.equal(r.headers['ostype'], 'linux');
    assert.equal(r.headers['builder-version'], '1');
  }
  const head = await request(d.socket, 'HEAD', '/_ping');
  assert.equal(head.status, 200);
  const v = JSON.parse((await request(d.socket, 'GET', '/version')).body);
  assert.equal(v.ApiVersion, '1.43');
  assert.equal(v.MinAPIVersion, '1.24');
  const info = JSON.parse((await request(d.socket, 'GET', '/v1.43/info')).body);
  assert.equal(info.Images, 1);
  assert.equal(info.OSType, 'linux');
});

test('versions outside the supported range are refused', async () => {
  const hi = await request(d.socket, 'GET', '/v1.99/version');
  assert.equal(hi.status, 400);
  assert.match(JSON.parse(hi.body).message, /client version 1.99 is too new. Maximum supported API version is 1.43/);
  const lo = await request(d.socket, 'GET', '/v1.12/version');
  assert.equal(lo.status, 400);
  assert.match(JSON.parse(lo.body).message, /too old/);
});

test('malformed JSON is a 400, unknown ids are 404 with Docker\'s wording', async () => {
  const bad = await request(d.socket, 'POST', '/v1.43/containers/create', '{"Image": "busybox",');
  assert.equal(bad.status, 400);
  assert.ok(JSON.parse(bad.body).message);
  const empty = await request(d.socket, 'POST', '/v1.43/containers/create', '');
  assert.equal(empty.status, 400);
  const c404 = await request(d.socket, 'GET', '/v1.43/containers/nope/json');
  assert.equal(c404.status, 404);
  assert.deepEqual(JSON.parse(c404.body), { message: 'No such container: nope' });
  for (const [m, p] of [['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'], ['POST', '/containers/nope/kill'], ['DELETE', '/containers/nope'], ['GET', '/containers/nope/logs?stdout=1']] as const) {
    assert.equal((await request(d.socket, m, `/v1.43${p}`)).status, 404, `${m} ${p}`);
  }
  const i404 = await request(d.socket, 'GET', '/v1.43/images/nope:1/json');
  assert.equal(i404.status, 404);
  assert.deepEqual(JSON.parse(i404.body), { message: 'No such image: nope:1' });
  const unknownImage = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'nope' }));
  assert.equal(unknownImage.status, 404);
  assert.equal(JSON.parse(unknownImage.body).message, 'No such image: nope:latest');
  const route = await request(d.socket, 'GET', '/v1.43/no/such/route');
  assert.equal(route.status, 404);
});

test('unknown JSON fields and query keys are ignored; a long query string is accepted', async () => {
  const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'], SomethingNew: { a: 1 } });
  const q = `name=ignored-fields&unknownkey=1&junk=${encodeURIComponent(body.repeat(500))}`;
  const r = await request(d.socket, 'POST', `/v1.43/containers/create?${q}`, body);
  assert.equal(r.status, 201, r.body);
  const id = JSON.parse(r.body).Id;
  assert.equal((await request(d.socket, 'DELETE', `/v1.43/containers/${id}`)).status, 204);
});

test('start of a running container is 304, stop of a stopped one is 304', async () => {
  const r = await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '100'] }));
  const id = JSON.parse(r.body).Id;
  assert.equal((await request(d.socket, 'POST', `/v1.43/containers/${id}/start`)).status, 204);
  assert.equal((await request(d.socket, 'POST', `/v1.43/containers/${id}/start`)).status, 304);
  assert.equal((await request(d.socket, 'POST', `/v1.43/containers/${id}/stop?t=0`)).status, 204);
  assert.equal((await request(d.socket, 'POST', `/v1.43/containers/${id}/stop`)).status, 304);
  const list = JSON.parse((await request(d.socket, 'GET', '/v1.43/containers/json?filters=' + encodeURIComponent('{"status":{"exited":true}}'))).body);
  assert.ok(list.some((c: { Id: string }) => c.Id === id), 'old-style filter shape works');
  assert.equal((await request(d.socket, 'DELETE', `/v1.43/containers/${id}`)).status, 204);
});

test('events stream container lifecycle events with filters', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await request(d.socket, 'POST', '/v1.43/containers/create?name=evented', JSON.stringify({ Image: 'busybox', Cmd: ['true'] }));
  const id = JSON.parse(r.body).Id;
  await request(d.socket, 'POST', `/v1.43/containers/${id}/start`);
  await request(d.socket, 'POST', `/v1.43/containers/${id}/wait`);
  await request(d.socket, 'DELETE', `/v1.43/containers/${id}`);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const ev = await request(d.socket, 'GET', `/v1.43/events?since=${since}&until=${until}&filters=${encodeURIComponent(JSON.stringify({ container: ['evented'] }))}`);
  const actions = ev.body.trim().split('\n').map((l) => JSON.parse(l).Action);
  assert.deepEqual(actions, ['create', 'start', 'die', 'destroy']);
});

test('two clients creating the same name at once: one wins, the other gets the 409', async () => {
  const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'] });
  const results = await Promise.all(Array.from({ length: 6 }, () => request(d.socket, 'POST', '/v1.43/containers/create?name=racer', body)));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409]);
  const list = JSON.parse((await request(d.socket, 'GET', '/v1.43/containers/json?all=1&filters=' + encodeURIComponent('{"name":["^/racer$"]}'))).body);
  assert.equal(list.length, 1);
  assert.equal((await request(d.socket, 'DELETE', '/v1.43/containers/racer')).status, 204);
});

test('concurrent starts and removes of one container leave it consistent', async () => {
  const id = JSON.parse((await request(d.socket, 'POST', '/v1.43/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '100'] }))).body).Id;
  const starts = await Promise.all([1, 2, 3].map(() => request(d.socket, 'POST', `/v1.43/containers/${id}/start`)));
  assert.deepEqual(starts.map((r) => r.status).sort(), [204, 304, 304]);
  const removes = await Promise.all([1, 2].map(() => request(d.socket, 'DELETE', `/v1.43/containers/${id}?force=1`)));
  assert.ok(removes.some((r) => r.status === 204), removes.map((r) => `${r.status} ${r.body}`).join(', '));
  for (const r of removes) assert.ok([204, 404].includes(r.status), `${r.status} ${r.body}`);
  assert.equal((await request(d.socket, 'GET', `/v1.43/containers/${id}/json`)).status, 404);
});
