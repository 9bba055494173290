// Sessions by id and by guild, and the fan-out entry point. An event is encoded at most once per
// distinct output ("shape": encoding × payload compression × MESSAGE_CONTENT stripped or not),
// lazily, only when some recipient needs that shape, and the same EncodedDispatch object goes to
// every session that gets it (and into their replay buffers, by reference).
import { performance } from 'node:perf_hooks';
import { encodingFor, jsonEncoding, PayloadCompressor } from '../codec';
import type { EncodedDispatch, JsonDispatch } from '../codec';
import { GatewayIntent, intentAllows, MESSAGE_CONTENT_EVENTS, MESSAGE_CONTENT_FIELDS } from '../protocol';
import type { DispatchShape, SessionDirectory } from './environment';
import type { GatewayMetrics } from './metrics';
import type { Session } from './session';

export interface GuildDispatchOptions {
  /** Extra per-session condition (e.g. channel visibility computed upstream). */
  filter?: (session: Session) => boolean;
  /** Users who keep message content without MESSAGE_CONTENT: the author and the mentioned. */
  contentRecipients?: ReadonlySet<bigint>;
  /** performance.now() when the event reached the gateway, for the fan-out latency histogram. */
  receivedAt?: number;
  /** The guild stream event it is (EncodedDispatch.eventKey), when it came from one. */
  eventKey?: string;
}

/**
 * Told when the registry's (session, guild) subscriptions and sessions change: the guild link
 * derives from it which (scope, user) pairs this instance must receive events for.
 */
export interface SessionRegistryObserver {
  sessionAdded(session: Session): void;
  sessionRemoved(session: Session): void;
  subscribed(session: Session, guildId: string): void;
  unsubscribed(session: Session, guildId: string): void;
}

const SHAPES: readonly DispatchShape[] = ['json', 'etf', 'json+payload-zlib'];

/** The encoded variants of one event, built on first use. */
class ShapeCache {
  readonly #slots: (EncodedDispatch | undefined)[] = [];
  #stripped: Record<string, unknown> | undefined;

  constructor(readonly registry: SessionRegistry, readonly t: string, readonly d: Record<string, unknown>, readonly eventKey?: string) {}

  get(shape: DispatchShape, stripped: boolean): EncodedDispatch {
    const index = SHAPES.indexOf(shape) * 2 + (stripped ? 1 : 0);
    let encoded = this.#slots[index];
    if (!encoded) {
      encoded = this.#slots[index] = this.registry.encode(shape, this.t, stripped ? this.#strippedPayload() : this.d);
      if (this.eventKey !== undefined) encoded.eventKey = this.eventKey;
    }
    return encoded;
  }

  #strippedPayload(): Record<string, unknown> {
    if (this.#stripped) return this.#stripped;
    const copy: Record<string, unknown> = { ...this.d };
    for (const field of MESSAGE_CONTENT_FIELDS) {
      if (!(field in copy)) continue;
      if (field === 'content') copy.content = '';
      else if (field === 'poll') delete copy.poll;
      else copy[field] = [];
    }
    return (this.#stripped = copy);
  }
}

export class SessionRegistry implements SessionDirectory {
  readonly #byId = new Map<string, Session>();
  readonly #byGuild = new Map<string, Set<Session>>();
  readonly #byUser = new Map<bigint, Set<Session>>();
  readonly #payloadCompressor: PayloadCompressor;
  readonly #metrics: GatewayMetrics | undefined;
  readonly #observers: SessionRegistryObserver[] = [];

  constructor(options: { payloadCompressor?: PayloadCompressor; metrics?: GatewayMetrics } = {}) {
    this.#payloadCompressor = options.payloadCompressor ?? new PayloadCompressor();
    this.#metrics = options.metrics;
  }

  get size(): number {
    return this.#byId.size;
  }

  sessions(): IterableIterator<Session> {
    return this.#byId.values();
  }

  get(sessionId: string): Session | undefined {
    return this.#byId.get(sessionId);
  }

  /** The sessions of `userId` held here (any state, any shard). */
  sessionsOf(userId: bigint): ReadonlySet<Session> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  /** Registers an observer of subscriptions; it is told only of changes made after this call. */
  observe(observer: SessionRegistryObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const index = this.#observers.indexOf(observer);
      if (index >= 0) this.#observers.splice(index, 1);
    };
  }

  add(session: Session, guildIds: readonly string[]): void {
    this.#byId.set(session.id!, session);
    addTo(this.#byUser, session.userId, session);
    for (const observer of this.#observers) observer.sessionAdded(session);
    for (const guildId of guildIds) {
      if (addTo(this.#byGuild, guildId, session)) for (const observer of this.#observers) observer.subscribed(session, guildId);
    }
  }

  remove(session: Session): void {
    if (this.#byId.get(session.id!) !== session) return;
    this.#byId.delete(session.id!);
    removeFrom(this.#byUser, session.userId, session);
    for (const guildId of session.guildIds) {
      if (removeFrom(this.#byGuild, guildId, session)) for (const observer of this.#observers) observer.unsubscribed(session, guildId);
    }
    for (const observer of this.#observers) observer.sessionRemoved(session);
  }

  encode(shape: DispatchShape, t: string, d: unknown): EncodedDispatch {
    if (shape === 'etf') return encodingFor('etf').encodeDispatch(t, d);
    const json = jsonEncoding.encodeDispatch(t, d);
    return shape === 'json' ? json : this.#payloadCompressor.compressDispatch(json as JsonDispatch);
  }

  /**
   * Sends a guild event to the sessions subscribed to `guildId` whose intents and shard let them
   * see it. Returns how many sessions got it.
   */
  dispatchToGuild(guildId: string, t: string, d: Record<string, unknown>, options: GuildDispatchOptions = {}): number {
    const sessions = this.#byGuild.get(guildId);
    if (!sessions) return 0;
    const delivered = this.#deliverInGuild(sessions, () => true, guildId, t, d, options);
    this.#observe(options.receivedAt);
    return delivered;
  }

  /**
   * Sends a guild event to some of its subscribers only (member-list updates of one session, a
   * large guild's messages to its active sessions): each of `candidates` still registered and
   * subscribed to `guildId` gets it under the same checks as dispatchToGuild. A session listed
   * twice gets it once. Costs O(candidates), not O(subscribers of the guild).
   */
  dispatchToSessions(
    candidates: Iterable<Session>, guildId: string, t: string, d: Record<string, unknown>, options: GuildDispatchOptions = {},
  ): number {
    const subscribed = this.#byGuild.get(guildId);
    if (!subscribed) return 0;
    const seen = new Set<Session>();
    const delivered = this.#deliverInGuild(candidates, (session) => {
      if (seen.has(session) || !subscribed.has(session)) return false;
      seen.add(session);
      return true;
    }, guildId, t, d, options);
    this.#observe(options.receivedAt);
    return delivered;
  }

  #deliverInGuild(
    sessions: Iterable<Session>, include: (session: Session) => boolean, guildId: string, t: string, d: Record<string, unknown>,
    options: GuildDispatchOptions,
  ): number {
    // (id >> 22) is a 42-bit millisecond count: exact as a double, so `%` needs no BigInt per session.
    const shardKey = Number(BigInt(guildId) >> 22n);
    const gatedContent = MESSAGE_CONTENT_EVENTS.has(t);
    const cache = new ShapeCache(this, t, d, options.eventKey);
    let delivered = 0;
    for (const session of sessions) {
      if (!include(session)) continue;
      if (shardKey % session.shardCount !== session.shardId) continue;
      if (!intentAllows(session.intents, t, true)) continue;
      if (options.filter && !options.filter(session)) continue;
      const stripped = gatedContent && (session.intents & GatewayIntent.MESSAGE_CONTENT) === 0
        && !options.contentRecipients?.has(session.userId);
      session.deliver(cache.get(session.shape, stripped));
      delivered += 1;
    }
    return delivered;
  }

  /** Sends a direct event (DMs, user-scoped) to every session of `userIds` on shard 0. */
  dispatchToUsers(
    userIds: Iterable<bigint>, t: string, d: Record<string, unknown>,
    options: { receivedAt?: number; filter?: (session: Session) => boolean; eventKey?: string } = {},
  ): number {
    const cache = new ShapeCache(this, t, d, options.eventKey);
    let delivered = 0;
    for (const userId of userIds) {
      for (const session of this.#byUser.get(userId) ?? []) {
        if (session.shardId !== 0 || !intentAllows(session.intents, t, false)) continue;
        if (options.filter && !options.filter(session)) continue;
        session.deliver(cache.get(session.shape, false));
        delivered += 1;
      }
    }
    this.#observe(options.receivedAt);
    return delivered;
  }

  /** Sends one dispatch to one session (GUILD_MEMBERS_CHUNK, a late GUILD_CREATE); false if it is gone. */
  dispatchToSession(sessionId: string, t: string, d: Record<string, unknown>): boolean {
    const session = this.#byId.get(sessionId);
    if (!session) return false;
    session.deliver(this.encode(session.shape, t, d));
    return true;
  }

  /** Subscribes a session to a guild it joined after READY (the caller sends GUILD_CREATE). */
  subscribe(session: Session, guildId: string): void {
    session.trackGuild(guildId);
    if (this.#byId.get(session.id!) !== session) return;
    if (addTo(this.#byGuild, guildId, session)) for (const observer of this.#observers) observer.subscribed(session, guildId);
  }

  /** Ends a session's subscription to a guild it left, or that was deleted. */
  unsubscribe(session: Session, guildId: string): void {
    session.untrackGuild(guildId);
    if (removeFrom(this.#byGuild, guildId, session)) for (const observer of this.#observers) observer.unsubscribed(session, guildId);
  }

  /** Whether `session` is registered here and subscribed to `guildId`. */
  isSubscribed(session: Session, guildId: string): boolean {
    return this.#byGuild.get(guildId)?.has(session) ?? false;
  }

  /** Every session subscribed to `guildId` (a copy: callers may unsubscribe while iterating). */
  subscribersOf(guildId: string): Session[] {
    return [...(this.#byGuild.get(guildId) ?? [])];
  }

  #observe(receivedAt: number | undefined): void {
    // Frames are written at the end of this event-loop turn (transport coalescing): close enough.
    if (receivedAt !== undefined) this.#metrics?.fanoutLatency.observe((performance.now() - receivedAt) / 1000);
  }
}

const EMPTY: ReadonlySet<Session> = new Set();

/** Adds `session` under `key`; true if it was not there yet. */
function addTo<K>(map: Map<K, Set<Session>>, key: K, session: Session): boolean {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  if (set.has(session)) return false;
  set.add(session);
  return true;
}

/** Removes `session` from under `key`; true if it was there. */
function removeFrom<K>(map: Map<K, Set<Session>>, key: K, session: Session): boolean {
  const set = map.get(key);
  if (!set?.delete(session)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
