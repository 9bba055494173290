// The partition owner: this instance's member of the consumer group on the guild events topic.
// For each record of a partition it owns (one at a time per partition, every owned partition at
// once) it applies the event to the guild's state, fans it out to the interested gateway streams,
// triggers push notifications, and resolves only after every stream it sent to acked the offset,
// so the offset commits only after delivery and a dead owner's successor redelivers the rest.
import { setTimeout as sleep } from 'node:timers/promises';
import { partitionFor, UnavailableError } from '@switchboard/runtime';
import type { ConsumedRecord, EventLog, RecordHandlerContext, Subscription, TopicPartition } from '@switchboard/runtime';
import { GUILD_EVENTS_TOPIC } from '../events';
import type { DecodedEvent } from './decoded-event';
import { decodeEventRecord, isGuildScope } from './decoded-event';
import { awaitAcks, sendToStreams } from './event-fanout';
import type { FanoutMetrics } from './fanout-metrics';
import { eventTypeLabel } from './fanout-metrics';
import type { FanoutLogger } from './fanout-service';
import type { GatewayStream } from './gateway-stream';
import type { InterestTable } from './interest-table';
import type { PushTrigger } from './push-trigger';
import { ScopeStateCache } from './scope-state';
import type { ScopeState, ScopeStateLoader } from './scope-state';

/** Events whose audience is who could see their subject before they applied. */
const VISIBLE_BEFORE_APPLY: ReadonlySet<string> = new Set(['CHANNEL_DELETE', 'GUILD_DELETE']);
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;
export const DEFAULT_REJOIN_WAIT_MS = 5_000;
const REJOIN_POLL_MS = 25;
export const DEFAULT_OWNER_GROUP_ID = 'switchboard.guild.owner';

export interface GuildOwnerOptions {
  eventLog: EventLog;
  loader: ScopeStateLoader;
  table: InterestTable<GatewayStream>;
  push: PushTrigger;
  metrics: FanoutMetrics;
  logger: FanoutLogger;
  /** Default GUILD_EVENTS_TOPIC. */
  topic?: string;
  /** Every guild instance joins the same group. Default DEFAULT_OWNER_GROUP_ID. */
  groupId?: string;
  /** How long a gateway stream may take to ack an event before it is ended (default 10 s). */
  ackTimeoutMs?: number;
  /** The topic's partition count; asked of the log when absent. */
  partitions?: number;
  /**
   * Attempts per record before it is dead-lettered (default 20, ~1.5 min with the log's capped
   * backoff). Failures here are transient (database, push produce); a dead-lettered guild event is
   * lost for every gateway, so the owner insists rather than skip it.
   */
  maxAttempts?: number;
  /**
   * Guilds with more members than this send message traffic only to active sessions and the users
   * it names (passive sessions); undefined = never.
   */
  passiveThreshold?: number;
  /** The guild states, when shared with the member lists (default: a cache over `loader`). */
  states?: ScopeStateCache;
  /** The member lists: told of each applied record and of ownership changes. */
  lists?: OwnerListHooks;
  /** Which gateway instances have an established stream (FanoutService); without it, nobody is waited for. */
  gateways?: { isEstablished(gatewayInstanceId: string): boolean };
  /** How long a record's retry waits for a gateway that missed it to reconnect (default 5 s). */
  rejoinWaitMs?: number;
}

/** What the owner tells the member lists (MemberListHub). */
export interface OwnerListHooks {
  afterEvent(event: DecodedEvent, record: ConsumedRecord, state: ScopeState | undefined): GatewayStream[];
  ownershipChanged(): void;
  dropGuild(guildId: bigint): void;
}

export class GuildOwner {
  readonly #options: GuildOwnerOptions;
  readonly #topic: string;
  readonly #partitionCount: number;
  readonly #ackTimeoutMs: number;
  readonly #states: ScopeStateCache;
  readonly #owned = new Set<number>();
  readonly #rejoinWaitMs: number;
  /** Gateway instances that may have missed records, until when their retries wait for them. */
  readonly #owed = new Map<string, number>();
  #subscription: Subscription | undefined;

  private constructor(options: GuildOwnerOptions, partitionCount: number) {
    this.#options = options;
    this.#topic = options.topic ?? GUILD_EVENTS_TOPIC;
    this.#partitionCount = partitionCount;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.#rejoinWaitMs = options.rejoinWaitMs ?? DEFAULT_REJOIN_WAIT_MS;
    this.#states = options.states ?? new ScopeStateCache(options.loader);
  }

  /** Joins the owners' consumer group; resolves once consumption started. */
  static async start(options: GuildOwnerOptions): Promise<GuildOwner> {
    const topic = options.topic ?? GUILD_EVENTS_TOPIC;
    const partitions = options.partitions ?? (await options.eventLog.partitionCount(topic));
    const owner = new GuildOwner(options, partitions);
    owner.#subscription = await options.eventLog.subscribe({
      groupId: options.groupId ?? DEFAULT_OWNER_GROUP_ID,
      topics: [topic],
      handler: (record, ctx) => owner.handle(record, ctx),
      onAssigned: (assigned) => owner.#assigned(assigned),
      onRevoked: (revoked) => owner.#revoked(revoked),
      // Each partition waits on gateway acks (a network round trip): handle them all at once.
      partitionConcurrency: partitions,
      maxAttempts: options.maxAttempts ?? 20,
      // Let an in-flight record finish its ack wait on a graceful stop.
      drainTimeoutMs: owner.#ackTimeoutMs + 1_000,
      onError: (err) => options.logger.error({ err }, 'guild owner consumer stopped for good'),
    });
    return owner;
  }

  /** The partitions of the events topic this instance owns now, ascending. */
  ownedPartitions(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** Whether this instance owns the partition of the guild's events now. */
  ownsGuild(guildId: bigint): boolean {
    return this.#owned.has(partitionFor(`g:${guildId}`, this.#partitionCount));
  }

  /** Graceful: finishes the in-flight records (acks included), commits, leaves the group. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.stop();
  }

  /** The record handler (public for tests that drive it without a consumer group). */
  async handle(record: ConsumedRecord, ctx: Pick<RecordHandlerContext, 'signal'>): Promise<void> {
    const { metrics, logger, table, push } = this.#options;
    const event = decodeEventRecord(record);
    // Only after a cut stream: the common path takes no extra turn.
    if (this.#owed.size > 0) await this.#awaitOwed(ctx.signal);
    metrics.eventsApplied.inc({ type: eventTypeLabel(event.event.type) });
    const state = isGuildScope(event) ? await this.#stateOf(event) : undefined;
    // A deletion is shown to whoever could see the thing before it went (after applying it, the
    // channel no longer exists and nobody could); every other change governs its own fan-out.
    const before = VISIBLE_BEFORE_APPLY.has(event.event.type);
    if (state && !before) this.#apply(state, event);
    const sent = sendToStreams(event, record, state, table, metrics, this.#options.passiveThreshold);
    if (state && before) this.#apply(state, event);
    // The list ops the change causes, in the same turn (after the event itself: sub_index 1, 2, …).
    for (const stream of this.#options.lists?.afterEvent(event, record, state) ?? []) if (!sent.includes(stream)) sent.push(stream);
    // Both settle before the handler does: a failed push produce must not leave ack waits running
    // into the retry, which sends the event again anyway (gateways drop what they applied).
    const [pushed, acked] = await Promise.allSettled([
      push.trigger(event, state),
      awaitAcks(sent, record, { timeoutMs: this.#ackTimeoutMs, signal: ctx.signal, metrics, logger }),
    ]);
    if (pushed.status === 'rejected') throw pushed.reason;
    if (acked.status === 'rejected') throw acked.reason;
    if (acked.value.length > 0) this.#owe(acked.value, record);
    if (pushed.value > 0) metrics.pushRequests.inc(pushed.value);
    if (isGuildScope(event) && event.event.type === 'GUILD_DELETE') {
      this.#states.drop(event.scopeId);
      this.#options.lists?.dropGuild(event.scopeId);
    }
  }

  /**
   * Gateways whose stream was cut before they acked the record may have missed it (and what was
   * queued behind it): the record is not committed but retried, and its retry (like every record
   * handled meanwhile) first waits up to rejoinWaitMs for those gateways to be back with their
   * interests in effect, so the retry reaches them (they drop what they had already applied). A
   * gateway that does not come back in time is taken for dead: its sessions are gone with it.
   */
  #owe(gatewayInstanceIds: readonly string[], record: ConsumedRecord): never {
    const deadline = Date.now() + this.#rejoinWaitMs;
    for (const id of gatewayInstanceIds) if (!this.#owed.has(id)) this.#owed.set(id, deadline);
    this.#options.metrics.redeliveries.inc();
    throw new UnavailableError(
      `${record.topic}[${record.partition}]@${record.offset} not acked by ${gatewayInstanceIds.join(', ')}; redelivering once they are back`,
    );
  }

  async #awaitOwed(signal: AbortSignal): Promise<void> {
    const gateways = this.#options.gateways;
    if (!gateways) return;
    for (const [id, deadline] of this.#owed) {
      while (!gateways.isEstablished(id) && Date.now() < deadline && !signal.aborted) await sleep(REJOIN_POLL_MS);
      if (this.#owed.get(id) === deadline) this.#owed.delete(id);
    }
  }

  async #stateOf(event: DecodedEvent): Promise<ScopeState | undefined> {
    const state = await this.#states.get(event.scopeId);
    if (!state) {
      this.#options.logger.info(
        { guild: event.scopeId.toString(), type: event.event.type, eventId: event.event.eventId },
        'guild event for a guild with no state; fanning out to nobody in its scope',
      );
    }
    return state;
  }

  #apply(state: ScopeState, event: DecodedEvent): void {
    try {
      state.apply(event.event.type, event.payload);
    } catch (err) {
      // Half-applied state cannot be trusted: reload it on the retry.
      this.#states.drop(event.scopeId);
      throw err;
    }
  }

  #assigned(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) if (topic === this.#topic) this.#owned.add(partition);
    this.#options.metrics.partitionsOwned.set(this.#owned.size);
    this.#options.logger.info({ partitions: this.ownedPartitions() }, 'guild event partitions assigned');
    this.#options.lists?.ownershipChanged();
  }

  #revoked(partitions: TopicPartition[]): void {
    const lost = new Set<number>();
    for (const { topic, partition } of partitions) {
      if (topic !== this.#topic) continue;
      this.#owned.delete(partition);
      lost.add(partition);
    }
    // Another instance applies these guilds' events from now on: our copies would go stale.
    const dropped = this.#states.dropPartitions(lost, this.#partitionCount);
    this.#options.metrics.partitionsOwned.set(this.#owned.size);
    this.#options.logger.info({ revoked: [...lost], statesDropped: dropped, partitions: this.ownedPartitions() }, 'guild event partitions revoked');
    this.#options.lists?.ownershipChanged();
  }
}
