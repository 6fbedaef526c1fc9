import os from 'node:os';
import type { Router } from '../../server/router.js';
import { Reply } from '../../server/router.js';
import { API_VERSION, MIN_API_VERSION } from '../../server/version.js';
import { parseFilters, validateFilterKeys } from '../../../util/index.js';
import type { EngineEvent, EventBus } from '../../../events/index.js';
import { invalidArgument } from '../../../errdefs/index.js';
import { parseEventTime } from './event-time.js';

/** What the system routes need from the engine. */
export interface SystemBackend {
  events: EventBus;
  info(): Promise<Record<string, unknown>>;
  versionInfo(): { Version: string; GitCommit: string; GoVersion: string; KernelVersion: string; BuildTime: string; runtimeVersion: string };
  /** GET /system/df: the sections asked for (container, image, volume, build-cache; all when none) */
  df?(types: string[]): Promise<Record<string, unknown>>;
}

export function systemRoutes(r: Router, b: SystemBackend): void {
  // Docker answers /_ping with "OK" as text/plain, and the headers clients read (Api-Version, Builder-Version).
  const ping = async (ctx: import('../../server/context.js').RequestContext) => {
    ctx.handled = true;
    // Builder-Version 1 = the classic builder: the docker CLI must not try BuildKit (we do not speak its gRPC).
    ctx.res!.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Api-Version': API_VERSION,
      'Builder-Version': '1',
      'Docker-Experimental': 'false',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      Ostype: 'linux',
      Server: 'berth',
    });
    ctx.res!.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  r.get('/_ping', ping);
  r.head('/_ping', ping);

  r.get('/version', async () => {
    const v = b.versionInfo();
    return {
      Platform: { Name: 'berth' },
      Components: [
        { Name: 'Engine', Version: v.Version, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: v.GitCommit, GoVersion: v.GoVersion, Os: 'linux', Arch: 'amd64', KernelVersion: v.KernelVersion, BuildTime: v.BuildTime, Experimental: 'false' } },
        { Name: 'runtime', Version: v.runtimeVersion, Details: { GitCommit: '' } },
      ],
      Version: v.Version,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: v.GitCommit,
      GoVersion: v.GoVersion,
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: os.release(),
      BuildTime: v.BuildTime,
    };
  });

  r.get('/info', async () => b.info());

  r.get('/system/df', async (ctx) => {
    if (!b.df) throw invalidArgument('disk usage is not available');
    const types = ctx.query.getAll('type');
    for (const t of types) {
      if (!['container', 'image', 'volume', 'build-cache'].includes(t)) throw invalidArgument(`unknown object type: ${t}`);
    }
    return b.df(types);
  });

  r.get('/events', async (ctx) => {
    const filters = parseFilters(ctx.str('filters'));
    validateFilterKeys(filters, ['container', 'image', 'event', 'type', 'label', 'daemon', 'network', 'volume', 'plugin', 'node', 'service', 'secret', 'config', 'scope']);
    const since = ctx.str('since') ? parseEventTime(ctx.str('since')!) : undefined;
    const until = ctx.str('until') ? parseEventTime(ctx.str('until')!) : undefined;
    if (since !== undefined && until !== undefined && until < since) throw invalidArgument('`since` time must be before `until` time');
    const res = ctx.stream('application/json');
    const nowNs = Date.now() * 1e6;
    const send = (e: EngineEvent) => {
      if (until !== undefined && e.timeNano > until) return;
      if (matchesEvent(e, filters)) res.write(JSON.stringify(e) + '\n');
    };
    let unsubscribe = () => {};
    await new Promise<void>((resolve) => {
      unsubscribe = b.events.subscribe(send, since);
      ctx.req.socket.once('close', resolve);
      res.once('close', resolve);
      if (until !== undefined) {
        const wait = Math.max(0, (until - nowNs) / 1e6);
        setTimeout(resolve, wait).unref();
      }
    });
    unsubscribe();
    if (!res.writableEnded) res.end();
  });
}

function matchesEvent(e: EngineEvent, filters: Map<string, string[]>): boolean {
  const has = (k: string, pred: (v: string) => boolean) => {
    const vs = filters.get(k);
    return !vs || vs.length === 0 || vs.some(pred);
  };
  const name = e.Actor.Attributes.name;
  return (
    has('type', (v) => v === e.Type) &&
    has('event', (v) => v === e.Action || e.Action.startsWith(v + ':')) &&
    has('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || name === v)) &&
    has('image', (v) => (e.Type === 'image' && (e.Actor.ID.includes(v) || name === v)) || e.Actor.Attributes.image === v) &&
    has('label', (v) => {
      const [k, val] = v.split('=', 2);
      return val === undefined ? k! in e.Actor.Attributes : e.Actor.Attributes[k!] === val;
    }) &&
    has('network', (v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || name === v)) &&
    has('volume', (v) => e.Type === 'volume' && e.Actor.ID === v) &&
    has('daemon', (v) => e.Type === 'daemon' && e.Actor.ID === v) &&
    has('scope', (v) => v === 'local')
  );
}

export { Reply };
