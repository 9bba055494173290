// Applies FanoutEvents to this gateway's sessions, in arrival order, once each: the highest
// offset applied per partition (across every stream) drops redeliveries after an ownership move.
// Every event is acknowledged on the stream it came on once applied (or dropped as a duplicate).
// Events apply synchronously except a user-scoped GUILD_CREATE, which must sync the new interest
// before the session gets it: the queue waits meanwhile, so no event of that guild overtakes it.
import { performance } from 'node:perf_hooks';
import { guildV1 } from '@switchboard/proto';
import { intentAllows } from '../protocol';
import type { Session, SessionRegistry } from '../session';
import type { LinkLogger } from './fanout-stream';
import type { GuildLinkMetrics } from './metrics';

/** Where an event came from: acking it goes back on that call of that stream. */
export interface EventOrigin {
  ack(call: number, partition: number, offset: bigint): void;
}

interface Pending {
  event: guildV1.FanoutEvent;
  origin: EventOrigin;
  call: number;
  receivedAt: number;
  /** A membership event replayed for a session that registered after it applied: no dedupe, no ack. */
  replay?: boolean;
}

/** Records a user's GUILD_CREATE / GUILD_DELETE (user scope) while its READY is in flight. */
export interface MembershipRecording {
  /** Stops recording; returns what was applied meanwhile. */
  stop(): guildV1.FanoutEvent[];
}

const NO_ORIGIN: EventOrigin = { ack: () => undefined };

/** Which sessions are active in a guild (op 14): large guilds' message traffic goes to those. */
export interface ActiveSessions {
  activeSessions(guildId: string): ReadonlySet<Session>;
  isActive(session: Session, guildId: string): boolean;
}

const NO_ACTIVITY: ActiveSessions = { activeSessions: () => new Set(), isActive: () => false };

/** Where an applied message sits in the log: several messages derived from one record share its offset. */
interface LogPosition {
  offset: bigint;
  subIndex: number;
}

function atOrBefore(position: LogPosition, applied: LogPosition | undefined): boolean {
  if (applied === undefined) return false;
  return position.offset < applied.offset || (position.offset === applied.offset && position.subIndex <= applied.subIndex);
}

export interface EventApplierOptions {
  registry: SessionRegistry;
  /** Who is active where; unset → nobody (active_only events reach the mentioned users only). */
  activity?: ActiveSessions | undefined;
  /** Waits until every guild instance applied the interest changes made so far. */
  sync: () => Promise<void>;
  logger: LinkLogger;
  metrics?: GuildLinkMetrics | undefined;
}

type SessionFilter = (session: Session) => boolean;

/** Which of this gateway's users an event is for (its visibility); undefined = all of them. */
export function visibilityFilter(event: guildV1.FanoutEvent): SessionFilter | undefined {
  const visibility = event.visibility;
  if (visibility.case === 'onlyUsers') {
    const only = new Set(visibility.value.ids.map(BigInt));
    return (session) => only.has(session.userId);
  }
  if (visibility.case === 'exceptUsers') {
    const except = new Set(visibility.value.ids.map(BigInt));
    return (session) => !except.has(session.userId);
  }
  return undefined;
}

/** Visibility plus the intent bits the event requires beyond its type's gate. */
export function audienceFilter(event: guildV1.FanoutEvent, visible = visibilityFilter(event)): SessionFilter | undefined {
  const required = event.requiredIntent;
  if (required === 0) return visible;
  const needs: SessionFilter = (session) => (session.intents & required) === required;
  return visible ? (session) => visible(session) && needs(session) : needs;
}

/** A user-scoped event naming sessions (session_ids) reaches those only. */
function onlySessions(event: guildV1.FanoutEvent, filter: SessionFilter | undefined): SessionFilter | undefined {
  if (event.sessionIds.length === 0) return filter;
  const named = new Set(event.sessionIds);
  return (session) => named.has(session.id!) && (!filter || filter(session));
}

export class EventApplier {
  readonly #options: EventApplierOptions;
  /** Highest (offset, sub_index) applied, per partition of the guild events topic. */
  readonly #applied = new Map<number, LogPosition>();
  readonly #queue: Pending[] = [];
  #head = 0;
  #busy = false;
  #heldForTurn = false;
  readonly #recordings = new Map<bigint, Set<guildV1.FanoutEvent[]>>();

  constructor(options: EventApplierOptions) {
    this.#options = options;
  }

  /** The highest offset applied for `partition` (tests, diagnostics). */
  appliedOffset(partition: number): bigint | undefined {
    return this.#applied.get(partition)?.offset;
  }

  receive(event: guildV1.FanoutEvent, origin: EventOrigin, call: number): void {
    this.#options.metrics?.eventsReceived.inc();
    this.#queue.push({ event, origin, call, receivedAt: performance.now() });
    if (!this.#busy && !this.#heldForTurn) this.#drain();
  }

  /**
   * Starts recording the user's membership events (joined / left a guild). A READY in flight
   * replays them once its session is registered: a guild joined after GetUserGuilds read the
   * user's guilds reaches the new session too (sessions already in the guild are skipped).
   */
  recordMembership(userId: bigint): MembershipRecording {
    const events: guildV1.FanoutEvent[] = [];
    let set = this.#recordings.get(userId);
    if (!set) this.#recordings.set(userId, (set = new Set()));
    set.add(events);
    return {
      stop: () => {
        if (set.delete(events) && set.size === 0) this.#recordings.delete(userId);
        return events;
      },
    };
  }

  /** Applies recorded membership events again, in order, behind what is queued. */
  replay(events: readonly guildV1.FanoutEvent[]): void {
    for (const event of events) this.#queue.push({ event, origin: NO_ORIGIN, call: 0, receivedAt: performance.now(), replay: true });
    if (events.length > 0 && !this.#busy && !this.#heldForTurn) this.#drain();
  }

  /**
   * Queues events until the next event-loop turn. Called as an InterestApplied arrives: what
   * awaited the sync (a READY registering its session) runs in this turn's microtasks, so the
   * events that follow the answer on the stream find that session registered.
   */
  holdUntilNextTurn(): void {
    if (this.#heldForTurn) return;
    this.#heldForTurn = true;
    setImmediate(() => {
      this.#heldForTurn = false;
      if (!this.#busy) this.#drain();
    });
  }

  #drain(): void {
    while (this.#head < this.#queue.length) {
      const item = this.#queue[this.#head]!;
      this.#queue[this.#head] = undefined as unknown as Pending;
      this.#head += 1;
      const waiting = this.#applyOne(item);
      if (waiting) {
        this.#busy = true;
        waiting.then(() => this.#resume(), () => this.#resume());
        return;
      }
    }
    this.#queue.length = 0;
    this.#head = 0;
  }

  #resume(): void {
    this.#busy = false;
    if (!this.#heldForTurn) this.#drain();
  }

  /**
   * Applies and acks one event; returns a promise when the rest of the queue must wait for it.
   * Dedupe is by (partition, offset, sub_index). A message without an offset is ephemeral (a
   * member-list SYNC answer): applied as it comes, neither deduplicated nor acknowledged.
   */
  #applyOne(item: Pending): Promise<void> | undefined {
    const { event, origin, call } = item;
    if (item.replay || event.offset === '') return this.#applySafely(event, item.receivedAt);
    let offset: bigint;
    try {
      offset = BigInt(event.offset);
    } catch {
      this.#options.logger.warn({ eventId: event.eventId, offset: event.offset }, 'fanout event with a malformed offset dropped');
      return undefined;
    }
    const ack = (): void => origin.ack(call, event.partition, offset);
    const position: LogPosition = { offset, subIndex: event.subIndex };
    if (atOrBefore(position, this.#applied.get(event.partition))) {
      this.#options.metrics?.eventsDeduplicated.inc();
      ack();
      return undefined;
    }
    this.#applied.set(event.partition, position);
    this.#options.metrics?.eventsApplied.inc();
    const waiting = this.#applySafely(event, item.receivedAt);
    if (!waiting) {
      ack();
      return undefined;
    }
    return waiting.then(ack);
  }

  /** Applies one event; a malformed one is logged and skipped (it must not stall its partition). */
  #applySafely(event: guildV1.FanoutEvent, receivedAt: number): Promise<void> | undefined {
    const failed = (error: unknown): void => {
      this.#options.logger.warn({ eventId: event.eventId, type: event.type, err: error }, 'fanout event could not be applied');
    };
    try {
      return this.#apply(event, receivedAt)?.catch(failed);
    } catch (error) {
      failed(error);
      return undefined;
    }
  }

  #apply(event: guildV1.FanoutEvent, receivedAt: number): Promise<void> | undefined {
    // Ephemeral messages (no offset: member-list SYNCs) are no stream event.
    const eventKey = event.offset === '' ? undefined : `${event.partition}:${event.offset}:${event.subIndex}`;
    const visible = visibilityFilter(event);
    const filter = audienceFilter(event, visible);
    const scope = event.scope;
    if (event.batchPayloadsJson.length > 0) {
      // A batch (a guild's PRESENCE_UPDATEs of one window): one dispatch, so one frame, per entry.
      event.batchPayloadsJson.forEach((json, i) => {
        const d = JSON.parse(json) as Record<string, unknown>;
        this.#applyToGuild(event, d, filter, receivedAt, eventKey === undefined ? undefined : `${eventKey}.${i}`);
      });
      return undefined;
    }
    const d = JSON.parse(event.payloadJson) as Record<string, unknown>;
    if (scope?.kind === guildV1.ScopeKind.USER) return this.#applyToUser(BigInt(scope.id), event, d, onlySessions(event, filter), receivedAt, eventKey);
    const guildId = this.#applyToGuild(event, d, filter, receivedAt, eventKey);
    const { registry } = this.#options;
    // A deleted guild (not an outage: `unavailable`) ends its subscriptions, whatever the intents.
    if (guildId && event.type === 'GUILD_DELETE' && d.unavailable !== true) {
      for (const session of registry.subscribersOf(guildId)) if (!visible || visible(session)) registry.unsubscribe(session, guildId);
    }
    return undefined;
  }

  /** Dispatches a guild event to the sessions it reaches; returns its guild ('' when it names none). */
  #applyToGuild(
    event: guildV1.FanoutEvent, d: Record<string, unknown>, filter: SessionFilter | undefined, receivedAt: number, eventKey: string | undefined,
  ): string {
    const guildId = event.guildId || event.scope?.id || '';
    if (!guildId) return '';
    const contentRecipients = event.contentUserIds.length > 0 ? new Set(event.contentUserIds.map(BigInt)) : undefined;
    const { registry } = this.#options;
    const targets = this.#targets(event, guildId);
    if (targets) registry.dispatchToSessions(targets, guildId, event.type, d, { filter, contentRecipients, receivedAt, eventKey });
    else registry.dispatchToGuild(guildId, event.type, d, { filter, contentRecipients, receivedAt, eventKey });
    return guildId;
  }

  /**
   * The sessions a guild event may reach when it names them (session_ids: member-list updates) or
   * is for active sessions only (large guilds' messages: the active ones plus every session of
   * the mentioned users); undefined = every subscriber of the guild.
   */
  #targets(event: guildV1.FanoutEvent, guildId: string): Iterable<Session> | undefined {
    const { registry } = this.#options;
    const activity = this.#options.activity ?? NO_ACTIVITY;
    const mentioned = event.activeOnly ? new Set(event.mentionedUserIds.map(BigInt)) : undefined;
    if (event.sessionIds.length > 0) {
      const named = event.sessionIds.map((id) => registry.get(id)).filter((session) => session !== undefined);
      if (!mentioned) return named;
      return named.filter((session) => activity.isActive(session, guildId) || mentioned.has(session.userId));
    }
    if (!mentioned) return undefined;
    const sessions: Session[] = [...activity.activeSessions(guildId)];
    for (const userId of mentioned) sessions.push(...registry.sessionsOf(userId));
    return sessions;
  }

  #applyToUser(
    userId: bigint, event: guildV1.FanoutEvent, d: Record<string, unknown>, filter: SessionFilter | undefined, receivedAt: number,
    eventKey: string | undefined,
  ): Promise<void> | undefined {
    const guildId = typeof d.id === 'string' ? d.id : event.guildId;
    if ((event.type === 'GUILD_CREATE' || event.type === 'GUILD_DELETE') && guildId) {
      for (const recording of this.#recordings.get(userId) ?? []) recording.push(event);
    }
    if (event.type === 'GUILD_CREATE' && guildId) return this.#joined(userId, guildId, d, filter);
    if (event.type === 'GUILD_DELETE' && guildId) {
      this.#left(userId, guildId, d, filter);
      return undefined;
    }
    this.#options.registry.dispatchToUsers([userId], event.type, d, { filter, receivedAt, eventKey });
    return undefined;
  }

  /** The user joined a guild: subscribe its sessions on the guild's shard, sync, then GUILD_CREATE. */
  async #joined(userId: bigint, guildId: string, d: Record<string, unknown>, filter: SessionFilter | undefined): Promise<void> {
    const { registry, sync } = this.#options;
    const shardKey = Number(BigInt(guildId) >> 22n);
    const joining = [...registry.sessionsOf(userId)].filter((session) =>
      shardKey % session.shardCount === session.shardId && !session.guildIds.includes(guildId) && (!filter || filter(session)));
    if (joining.length === 0) return;
    for (const session of joining) registry.subscribe(session, guildId);
    await sync();
    for (const session of joining) {
      if (!session.guildIds.includes(guildId) || !intentAllows(session.intents, 'GUILD_CREATE', true)) continue;
      session.deliver(registry.encode(session.shape, 'GUILD_CREATE', d));
    }
  }

  /** The user left (or was removed from) a guild: GUILD_DELETE to its sessions there, then unsubscribe. */
  #left(userId: bigint, guildId: string, d: Record<string, unknown>, filter: SessionFilter | undefined): void {
    const { registry } = this.#options;
    for (const session of [...registry.sessionsOf(userId)]) {
      if (!session.guildIds.includes(guildId) || (filter && !filter(session))) continue;
      if (intentAllows(session.intents, 'GUILD_DELETE', true)) session.deliver(registry.encode(session.shape, 'GUILD_DELETE', d));
      registry.unsubscribe(session, guildId);
    }
  }
}
