// Every member-list subscription the gateways declared to this instance, owner or not: like the
// interest table, so that when a guild's partition moves here this instance already knows who
// watches its lists and sends them a fresh SYNC. One subscription per (stream, session, guild,
// channel); a new request for the same replaces its ranges.
import type { ListRange } from '../member-list';
import type { GatewayStream } from './gateway-stream';
import type { ParsedMemberListRequest } from './fanout-requests';

export interface ListSubscriber {
  readonly stream: GatewayStream;
  readonly sessionId: string;
  readonly userId: bigint;
  readonly guildId: bigint;
  readonly channelId: bigint;
  ranges: readonly ListRange[];
}

export class ListSubscriberRegistry {
  readonly #byStream = new Map<GatewayStream, Map<string, ListSubscriber>>();
  readonly #byGuild = new Map<bigint, Set<ListSubscriber>>();
  /** Per stream, per "guild:user": an interest removal drops that user's subscriptions at once. */
  readonly #byUser = new Map<GatewayStream, Map<string, Set<ListSubscriber>>>();
  #size = 0;

  /**
   * Records the request. Returns the subscriber (its ranges updated), or for an unsubscribe (no
   * ranges) the subscriber it removed, if any.
   */
  apply(stream: GatewayStream, request: ParsedMemberListRequest): ListSubscriber | undefined {
    const key = `${request.sessionId}\u0000${request.guildId}\u0000${request.channelId}`;
    let sessions = this.#byStream.get(stream);
    const existing = sessions?.get(key);
    if (request.ranges.length === 0) {
      if (existing) this.remove(existing);
      return existing;
    }
    if (existing) {
      existing.ranges = request.ranges;
      return existing;
    }
    const subscriber: ListSubscriber = { stream, ...request };
    if (!sessions) this.#byStream.set(stream, (sessions = new Map()));
    sessions.set(key, subscriber);
    let guild = this.#byGuild.get(request.guildId);
    if (!guild) this.#byGuild.set(request.guildId, (guild = new Set()));
    guild.add(subscriber);
    let users = this.#byUser.get(stream);
    if (!users) this.#byUser.set(stream, (users = new Map()));
    const userKey = `${request.guildId}:${request.userId}`;
    let ofUser = users.get(userKey);
    if (!ofUser) users.set(userKey, (ofUser = new Set()));
    ofUser.add(subscriber);
    this.#size += 1;
    return subscriber;
  }

  remove(subscriber: ListSubscriber): void {
    const sessions = this.#byStream.get(subscriber.stream);
    const key = `${subscriber.sessionId}\u0000${subscriber.guildId}\u0000${subscriber.channelId}`;
    if (sessions?.get(key) !== subscriber) return;
    sessions.delete(key);
    if (sessions.size === 0) this.#byStream.delete(subscriber.stream);
    const guild = this.#byGuild.get(subscriber.guildId)!;
    guild.delete(subscriber);
    if (guild.size === 0) this.#byGuild.delete(subscriber.guildId);
    const users = this.#byUser.get(subscriber.stream)!;
    const userKey = `${subscriber.guildId}:${subscriber.userId}`;
    const ofUser = users.get(userKey)!;
    ofUser.delete(subscriber);
    if (ofUser.size === 0) users.delete(userKey);
    if (users.size === 0) this.#byUser.delete(subscriber.stream);
    this.#size -= 1;
  }

  /** Drops and returns every subscription of a stream (it closed). */
  removeStream(stream: GatewayStream): ListSubscriber[] {
    const removed = [...(this.#byStream.get(stream)?.values() ?? [])];
    for (const subscriber of removed) this.remove(subscriber);
    return removed;
  }

  /** Drops and returns the stream's subscriptions of the user's sessions in a guild (interest gone). */
  removeUser(stream: GatewayStream, guildId: bigint, userId: bigint): ListSubscriber[] {
    const removed = [...(this.#byUser.get(stream)?.get(`${guildId}:${userId}`) ?? [])];
    for (const subscriber of removed) this.remove(subscriber);
    return removed;
  }

  /** Drops and returns every subscription to a guild's lists (the guild was deleted). */
  removeGuild(guildId: bigint): ListSubscriber[] {
    const removed = [...(this.#byGuild.get(guildId) ?? [])];
    for (const subscriber of removed) this.remove(subscriber);
    return removed;
  }

  ofGuild(guildId: bigint): ReadonlySet<ListSubscriber> {
    return this.#byGuild.get(guildId) ?? EMPTY;
  }

  guilds(): bigint[] {
    return [...this.#byGuild.keys()];
  }

  get size(): number {
    return this.#size;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
