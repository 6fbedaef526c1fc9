import { notImplemented, unavailable } from '../../../errdefs/index.js';
import type { Router } from '../../server/router.js';

/**
 * What berth does not do, answered the way dockerd answers when it does not do it either, so that clients
 * (the docker CLI, dockerode, docker-py) show their usual message instead of choking on a 404 or 405:
 * swarm mode (a node outside a swarm: 503 and dockerd's words), plugins (none installed), and image
 * search (it asks Docker Hub's index, which berth has no way to reach; registries that speak the
 * distribution API have no search).
 */
export function unsupportedRoutes(r: Router): void {
  const notSwarm = async () => {
    throw unavailable('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  };
  const swarmInit = async () => {
    throw notImplemented('berth does not run swarm mode: it is a single-node engine');
  };
  r.post('/swarm/init', swarmInit);
  r.post('/swarm/join', swarmInit);
  for (const p of ['/swarm', '/swarm/unlockkey', '/nodes', '/nodes/{id}', '/services', '/services/{id}', '/services/{id}/logs', '/tasks', '/tasks/{id}', '/tasks/{id}/logs', '/secrets', '/secrets/{id}', '/configs', '/configs/{id}']) r.get(p, notSwarm);
  for (const p of ['/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/services/{id}/update', '/secrets/create', '/configs/create']) r.post(p, notSwarm);
  for (const p of ['/nodes/{id}', '/services/{id}', '/secrets/{id}', '/configs/{id}']) r.delete(p, notSwarm);

  r.get('/plugins', async () => []);
  r.get('/images/search', async () => {
    throw notImplemented("image search is not supported: it asks Docker Hub's index, which berth does not use, and registries that speak the distribution API have no search");
  });
}
