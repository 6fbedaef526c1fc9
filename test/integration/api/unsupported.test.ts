import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, runDocker, startBerthd, type Berthd } from '../../helpers/berthd.js';

/** What berth does not do (swarm, plugins, search) is answered as dockerd answers it, through the docker CLI. */
let d: Berthd;
before(async () => {
  d = await startBerthd();
});
after(async () => {
  await d?.stop();
});

test('swarm commands say this node is not a swarm manager; swarm init is refused clearly', async () => {
  for (const args of [['node', 'ls'], ['service', 'ls'], ['secret', 'ls'], ['config', 'ls']]) {
    const r = await runDocker(d.dockerHost, args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /This node is not a swarm manager\. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again\./);
  }
  const init = await runDocker(d.dockerHost, ['swarm', 'init']);
  assert.equal(init.code, 1);
  assert.match(init.stderr, /berth does not run swarm mode/);
  const r = await request(d.socket, 'GET', '/v1.43/swarm');
  assert.equal(r.status, 503);
});

test('plugin ls lists none; search says why it cannot work instead of a 405', async () => {
  const ls = await runDocker(d.dockerHost, ['plugin', 'ls']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.equal(ls.stdout, 'ID        NAME      DESCRIPTION   ENABLED\n');
  const search = await request(d.socket, 'GET', '/v1.43/images/search?term=busybox');
  assert.equal(search.status, 501);
  assert.match(JSON.parse(search.body).message, /image search is not supported/);
});
