import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import type { ContainerService } from '../../../container/index.js';
import type { EndpointConfig, NetworkCreateRequest, NetworkRecord, NetworkService } from '../../../network/index.js';
import { parseFilters, validateFilterKeys } from '../../../util/index.js';
import { invalidArgument } from '../../../errdefs/index.js';

export interface NetworkBackend {
  networks: NetworkService;
  containers: ContainerService;
}

/** /networks: Docker's network API over the network service; connect/disconnect go through the container's lifecycle. */
export function networkRoutes(r: Router, b: NetworkBackend): void {
  const n = b.networks;

  r.get('/networks', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
    return n.list(filters).map((rec) => networkJson(rec, n));
  });

  r.get('/networks/{id}', async (ctx) => networkJson(n.find(ctx.params.id!), n));

  r.post('/networks/create', async (ctx) => {
    const body = await ctx.json<NetworkCreateRequest>();
    if (!body) throw invalidArgument('network create request is empty');
    return new Reply(201, await n.create(body));
  });

  r.delete('/networks/{id}', async (ctx) => {
    await n.remove(ctx.params.id!);
    return new Reply(204);
  });

  r.post('/networks/{id}/connect', async (ctx) => {
    const body = await ctx.json<{ Container?: string; EndpointConfig?: EndpointConfig }>();
    if (!body?.Container) throw invalidArgument('no container specified');
    await b.containers.connectNetwork(body.Container, ctx.params.id!, body.EndpointConfig ?? {});
    return new Reply(200);
  });

  r.post('/networks/{id}/disconnect', async (ctx) => {
    const body = await ctx.json<{ Container?: string; Force?: boolean }>();
    if (!body?.Container) throw invalidArgument('no container specified');
    await b.containers.disconnectNetwork(body.Container, ctx.params.id!, !!body.Force);
    return new Reply(200);
  });

  r.post('/networks/prune', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['until', 'label', 'label!']);
    return { NetworksDeleted: await n.prune(filters) };
  });
}

/** Docker's Network object (GET /networks/{id}); the bridge device is in Options, as Docker has it. */
function networkJson(rec: NetworkRecord, n: NetworkService): Record<string, unknown> {
  const { bridge: _bridge, ...wire } = rec;
  return { ...wire, EnableIPv4: rec.Driver === 'bridge', Containers: n.endpointsOf(rec.Id) };
}
