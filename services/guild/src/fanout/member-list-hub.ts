// Member lists (op 14 lazy guilds) served over the Fanout streams. Every instance records every
// subscription (ListSubscriberRegistry); only the owner of the guild's partition holds the guild's
// lists and sends to its subscribers: a SYNC on subscribing (or when it takes the partition over),
// then the ops of each change, as GUILD_MEMBER_LIST_UPDATE FanoutEvents addressed to sessions.
//
// Changes come from three places, each applied and sent within one turn of the event loop:
// - the guild's records (member, role, channel, guild changes), after the owner applied them to
//   the state: the messages carry the record's partition/offset with sub_index 1, 2, … per stream
//   so the gateway dedupes them on redelivery, and the owner waits for their acks;
// - interest changes (a user's first session in the guild came or the last went: online/offline),
//   sent without an offset;
// - the presence service's PRESENCE_UPDATE batches (the owner's records too): each user's reported
//   status is recorded, then moved between the online groups.
import { create } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import type { ConsumedRecord } from '@switchboard/runtime';
import { guildScope } from '../events';
import type { DecodedEvent } from './decoded-event';
import { isGuildScope } from './decoded-event';
import type { FanoutMetrics } from './fanout-metrics';
import type { InterestPair, ParsedMemberListRequest } from './fanout-requests';
import type { FanoutLogger, FanoutStreamListener } from './fanout-service';
import type { GatewayStream } from './gateway-stream';
import { GuildMemberLists } from './guild-member-lists';
import type { ListDelivery, ListGuildView } from './guild-member-lists';
import { ListSubscriberRegistry } from './list-subscribers';
import type { ListSubscriber } from './list-subscribers';
import type { MemberListLoader } from './member-list-loader';
import type { MemberPresence } from './member-presence';
import { memberStatus } from './member-presence';
import type { MemberStatus } from '../member-list';
import { deletedRole, profileFromMember, removedMember, roleFromEvent } from './member-list-payloads';
import type { ScopeState } from './scope-state';
import { snowflakeField } from '../state/payload-fields';

/** The owner's states: a load shared with the record handler, and the cached one. */
export interface ListStates {
  get(guildId: bigint): Promise<ScopeState | undefined>;
  peek(guildId: bigint): ScopeState | undefined;
}

export interface MemberListHubOptions {
  loader: MemberListLoader;
  states: ListStates;
  presence: MemberPresence;
  metrics: FanoutMetrics;
  logger: FanoutLogger;
}

type GuildSlot = { kind: 'loading'; journal: DecodedEvent[] } | { kind: 'ready'; lists: GuildMemberLists };

/** Record types that change the lists (and, while a guild's lists load, are kept to replay). */
const LIST_EVENTS: ReadonlySet<string> = new Set([
  'GUILD_MEMBER_ADD', 'GUILD_MEMBER_UPDATE', 'GUILD_MEMBER_REMOVE',
  'GUILD_ROLE_CREATE', 'GUILD_ROLE_UPDATE', 'GUILD_ROLE_DELETE',
  'CHANNEL_UPDATE', 'CHANNEL_DELETE', 'GUILD_UPDATE',
]);

const NO_OWNERSHIP = { owns: (): boolean => false };

export class MemberListHub implements FanoutStreamListener {
  readonly subscribers = new ListSubscriberRegistry();
  readonly #guilds = new Map<bigint, GuildSlot>();
  readonly #options: MemberListHubOptions;
  /** Which guilds this instance owns (set by the owner once it joined the group). */
  ownership: { owns(guildId: bigint): boolean } = NO_OWNERSHIP;

  constructor(options: MemberListHubOptions) {
    this.#options = options;
  }

  // ---- From the streams ----

  memberListRequest(stream: GatewayStream, request: ParsedMemberListRequest): void {
    const subscriber = this.subscribers.apply(stream, request);
    this.#gauges();
    // Not the owner: keep the subscription for a takeover, send nothing.
    if (!subscriber || !this.ownership.owns(request.guildId)) return;
    const slot = this.#guilds.get(request.guildId);
    if (request.ranges.length === 0) {
      if (slot?.kind === 'ready') slot.lists.unsubscribe(subscriber);
      return this.#gauges();
    }
    // Not loaded yet: the load SYNCs every subscriber of the guild when it is done.
    if (slot?.kind !== 'ready') return this.#ensure(request.guildId);
    const state = this.#options.states.peek(request.guildId);
    if (!state) {
      // The state was dropped (a failed apply reloads it): reload the lists too; the load SYNCs.
      this.#guilds.delete(request.guildId);
      return this.#ensure(request.guildId);
    }
    const delivery = slot.lists.subscribe(subscriber, state);
    if (delivery) this.#send([delivery]);
    this.#gauges();
  }

  interestsChanged(stream: GatewayStream, added: readonly InterestPair[], removed: readonly InterestPair[]): void {
    for (const { scopeKey, userId } of removed) {
      const guildId = guildOf(scopeKey);
      if (guildId === undefined) continue;
      // The user's sessions left the guild on that gateway: their subscriptions go with them.
      const dropped = this.subscribers.removeUser(stream, guildId, userId);
      const slot = this.#guilds.get(guildId);
      if (slot?.kind === 'ready') for (const subscriber of dropped) slot.lists.unsubscribe(subscriber);
    }
    for (const { scopeKey, userId } of [...added, ...removed]) {
      const guildId = guildOf(scopeKey);
      if (guildId !== undefined) this.presenceChanged(guildId, userId);
    }
    this.#gauges();
  }

  streamClosed(stream: GatewayStream, held: ReadonlyMap<string, ReadonlySet<bigint>>): void {
    this.#unsubscribeAll(this.subscribers.removeStream(stream));
    for (const [scopeKey, users] of held) {
      const guildId = guildOf(scopeKey);
      if (guildId !== undefined && this.#guilds.get(guildId)?.kind === 'ready') for (const user of users) this.presenceChanged(guildId, user);
    }
    this.#gauges();
  }

  /** The seam for presence: the user's status in the guild may have changed; sends the moves. */
  presenceChanged(guildId: bigint, userId: bigint): void {
    const slot = this.#guilds.get(guildId);
    if (slot?.kind === 'ready') this.#send(slot.lists.refreshStatus(userId));
  }

  // ---- From the owner ----

  /**
   * After the owner applied a record of a guild it owns: sends the list ops it causes (sub_index
   * 1, 2, … on each stream) and returns the streams sent to, whose acks the owner awaits too.
   */
  afterEvent(event: DecodedEvent, record: ConsumedRecord, state: ScopeState | undefined): GatewayStream[] {
    if (isGuildScope(event) && event.event.type === 'PRESENCE_UPDATE') return this.#send(this.#presenceBatch(event), record);
    if (!isGuildScope(event) || !LIST_EVENTS.has(event.event.type)) return [];
    const slot = this.#guilds.get(event.scopeId);
    if (!slot) return [];
    if (slot.kind === 'loading') {
      slot.journal.push(event);
      return [];
    }
    if (!state) return [];
    return this.#send(applyEvent(slot.lists, event, state), record);
  }

  /** Records each reported status (whether or not the guild's lists are loaded); the moves it causes. */
  #presenceBatch(event: DecodedEvent): ListDelivery[] {
    const { presence } = this.#options;
    const slot = this.#guilds.get(event.scopeId);
    const deliveries: ListDelivery[] = [];
    for (const json of event.event.batchPayloadsJson) {
      const reported = parseReported(json);
      if (!reported) continue;
      presence.record?.(reported.userId, reported.status);
      if (slot?.kind === 'ready') deliveries.push(...slot.lists.refreshStatus(reported.userId));
    }
    return deliveries;
  }

  /** Ownership changed (partitions assigned or revoked): let go of lists no longer ours, load the newly owned. */
  ownershipChanged(): void {
    for (const guildId of [...this.#guilds.keys()]) {
      if (this.ownership.owns(guildId)) continue;
      this.#guilds.delete(guildId);
      this.#options.presence.forgetGuild?.(guildId);
    }
    for (const guildId of this.subscribers.guilds()) if (this.ownership.owns(guildId)) this.#ensure(guildId);
    this.#gauges();
  }

  /** The guild was deleted: its lists and subscriptions go. */
  dropGuild(guildId: bigint): void {
    this.#guilds.delete(guildId);
    this.subscribers.removeGuild(guildId);
    this.#gauges();
  }

  // ---- Loading ----

  #ensure(guildId: bigint): void {
    if (this.#guilds.has(guildId)) return;
    const slot: GuildSlot = { kind: 'loading', journal: [] };
    this.#guilds.set(guildId, slot);
    this.#load(guildId, slot).catch((err: unknown) => {
      if (this.#guilds.get(guildId) === slot) this.#guilds.delete(guildId);
      this.#options.logger.error({ err, guild: guildId.toString() }, 'could not load a guild member list; its subscribers get nothing until they subscribe again');
    });
  }

  async #load(guildId: bigint, slot: GuildSlot & { kind: 'loading' }): Promise<void> {
    const { loader, states, presence } = this.#options;
    const [data] = await Promise.all([loader.load(guildId), states.get(guildId)]);
    if (this.#guilds.get(guildId) !== slot) return; // dropped while loading (revoked, deleted)
    const state = states.peek(guildId);
    if (!state || !this.ownership.owns(guildId)) {
      this.#guilds.delete(guildId);
      return;
    }
    await this.#seedStatuses(guildId, data.members.map((m) => m.userId));
    if (this.#guilds.get(guildId) !== slot) return; // dropped while the statuses were read
    const lists = new GuildMemberLists(guildId, data, (userId) => presence.statusOf(guildId, userId));
    // Events applied while the rows were read: replay them (upserts of whole objects: harmless
    // when the rows already had them). Nobody was sent a SYNC yet, so their ops go nowhere.
    for (const event of slot.journal) applyEvent(lists, event, state);
    this.#guilds.set(guildId, { kind: 'ready', lists });
    const deliveries: ListDelivery[] = [];
    for (const subscriber of this.subscribers.ofGuild(guildId)) {
      const delivery = lists.subscribe(subscriber, state);
      if (delivery) deliveries.push(delivery);
    }
    this.#send(deliveries);
    this.#gauges();
  }

  /** The members' statuses from the presence service; on failure the lists start from the fallback. */
  async #seedStatuses(guildId: bigint, memberIds: readonly bigint[]): Promise<void> {
    try {
      await this.#options.presence.seed?.(guildId, memberIds);
    } catch (err) {
      this.#options.logger.warn({ err, guild: guildId.toString() }, 'member statuses not read from the presence service; online means "has a session" until PRESENCE_UPDATEs come');
    }
  }

  #unsubscribeAll(subscribers: readonly ListSubscriber[]): void {
    for (const subscriber of subscribers) {
      const slot = this.#guilds.get(subscriber.guildId);
      if (slot?.kind === 'ready') slot.lists.unsubscribe(subscriber);
    }
  }

  // ---- Sending ----

  /**
   * One FanoutEvent per (stream, delivery): the sessions of that stream that get those ops.
   * With a record, each stream's messages carry its offset and sub_index 1, 2, …
   */
  #send(deliveries: readonly ListDelivery[], record?: ConsumedRecord): GatewayStream[] {
    const subIndex = new Map<GatewayStream, number>();
    const { metrics } = this.#options;
    for (const delivery of deliveries) {
      const payloadJson = JSON.stringify(delivery.update);
      for (const [stream, sessionIds] of byStream(delivery.subscribers)) {
        const next = (subIndex.get(stream) ?? 0) + 1;
        const event = create(guildV1.FanoutEventSchema, {
          scope: guildScope(BigInt(delivery.update.guild_id)),
          type: 'GUILD_MEMBER_LIST_UPDATE',
          payloadJson,
          guildId: delivery.update.guild_id,
          visibility: { case: 'allUsers', value: true },
          sessionIds,
          ...(record ? { partition: record.partition, offset: record.offset, subIndex: next } : {}),
        });
        if (!stream.send(create(guildV1.FanoutMessageSchema, { kind: { case: 'event', value: event } }))) continue;
        subIndex.set(stream, next);
        metrics.memberListUpdatesSent.inc();
        metrics.memberListOpsSent.inc(delivery.update.ops.length);
      }
    }
    return [...subIndex.keys()];
  }

  #gauges(): void {
    let lists = 0;
    for (const slot of this.#guilds.values()) if (slot.kind === 'ready') lists += slot.lists.listCount;
    this.#options.metrics.memberLists.set(lists);
    this.#options.metrics.memberListSubscriptions.set(this.subscribers.size);
  }
}

/** A list-changing record, applied to the guild's lists; the deliveries it causes. */
function applyEvent(lists: GuildMemberLists, event: DecodedEvent, view: ListGuildView): ListDelivery[] {
  const payload = event.payload;
  switch (event.event.type) {
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE':
      return lists.upsertMember(profileFromMember(payload), view);
    case 'GUILD_MEMBER_REMOVE':
      return lists.removeMember(removedMember(payload));
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
      lists.setRole(roleFromEvent(payload));
      return lists.rebuild(view);
    case 'GUILD_ROLE_DELETE':
      lists.deleteRole(deletedRole(payload));
      return lists.rebuild(view);
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE':
      // Its overwrites may have changed: the lists of its subscribers (a new channel has none).
      return lists.watches(snowflakeField(payload, 'id')) ? lists.rebuild(view) : [];
    case 'GUILD_UPDATE':
      // A new owner sees every channel: who is in which list may change.
      return lists.setOwner(snowflakeField(payload, 'owner_id')) ? lists.rebuild(view) : [];
    default:
      return [];
  }
}

function byStream(subscribers: readonly ListSubscriber[]): Map<GatewayStream, string[]> {
  const grouped = new Map<GatewayStream, string[]>();
  for (const { stream, sessionId } of subscribers) {
    const sessions = grouped.get(stream);
    if (sessions) sessions.push(sessionId);
    else grouped.set(stream, [sessionId]);
  }
  return grouped;
}

/** A PRESENCE_UPDATE payload's user and status; undefined for one the log carried malformed. */
function parseReported(json: string): { userId: bigint; status: MemberStatus } | undefined {
  try {
    const payload = JSON.parse(json) as { user?: { id?: unknown }; status?: unknown };
    const id = payload.user?.id;
    const status = memberStatus(payload.status);
    return typeof id === 'string' && /^\d{1,20}$/.test(id) && status ? { userId: BigInt(id), status } : undefined;
  } catch {
    return undefined;
  }
}

function guildOf(scopeKey: string): bigint | undefined {
  return scopeKey.startsWith('g:') ? BigInt(scopeKey.slice(2)) : undefined;
}
