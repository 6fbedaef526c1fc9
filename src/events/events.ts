/**
 * The in-process event bus behind GET /events. Services publish; the API streams to subscribers.
 * Event shape is Docker's (api/types/events.Message): Type, Action, Actor{ID, Attributes}, scope, time, timeNano.
 * A short history is kept so `since` can replay recent events.
 */
export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'builder';

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  // Legacy top-level fields that old clients still read
  status?: string;
  id?: string;
  from?: string;
}

/** What a service needs to publish an event. */
export interface EventPublisher {
  publish(type: EventType, action: string, id: string, attributes?: Record<string, string>): void;
}

export class EventBus implements EventPublisher {
  private readonly history: EngineEvent[] = [];
  private readonly subscribers = new Set<(e: EngineEvent) => void>();
  constructor(private readonly historyLimit = 1000) {}

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const e: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      e.status = action;
      e.id = id;
      if (attributes.image) e.from = attributes.image;
    }
    this.history.push(e);
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const s of this.subscribers) s(e);
  }

  /** Events since a time (ns), then live ones until the returned function is called. */
  subscribe(onEvent: (e: EngineEvent) => void, sinceNano?: number): () => void {
    if (sinceNano !== undefined) for (const e of this.history) if (e.timeNano >= sinceNano) onEvent(e);
    this.subscribers.add(onEvent);
    return () => this.subscribers.delete(onEvent);
  }
}
