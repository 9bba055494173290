// The partition owner: this instance's member of the consumer group on the session presence topic
// (keyed by user id, so one owner sees all of a user's sessions, in order). For each record, one at
// a time per partition and every owned partition at once, it applies the event to the user's
// session table, writes the session row to PostgreSQL and, when the aggregated presence changed,
// records it in the outbox (presence_announced, pending) and hands it to the sink (the two writes
// at once), all before the handler resolves, so the offset commits only after the state is
// durable. Users are loaded from PostgreSQL on their first event after their partition moved
// here, and dropped when it moves away.
import { isPoisonRecordError } from '@switchboard/runtime';
import type { ConsumedRecord, EventLog, Logger, RecordHandlerContext, Subscription, TopicPartition } from '@switchboard/runtime';
import { aggregatePresence, samePresence } from '../aggregate';
import type { Presence, SessionPresence } from '../aggregate';
import type { SessionStore } from '../store';
import type { PresenceChangeSink } from './change-sink';
import type { PresenceMetrics } from './owner-metrics';
import { decodeSessionEvent } from './session-event';
import { applySessionWrite, sessionWriteFor } from './session-table';

export const PRESENCE_SESSIONS_TOPIC = 'switchboard.presence.sessions';
export const DEFAULT_PRESENCE_OWNER_GROUP = 'switchboard-presence-owners';
const DEFAULT_MAX_ATTEMPTS = 20;

export interface PresenceOwnerOptions {
  eventLog: EventLog;
  store: SessionStore;
  sink: PresenceChangeSink;
  metrics: PresenceMetrics;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Default PRESENCE_SESSIONS_TOPIC. */
  topic?: string;
  /** Default DEFAULT_PRESENCE_OWNER_GROUP. */
  groupId?: string;
  /** The topic's partition count; asked of the log when absent. */
  partitions?: number;
  /**
   * Attempts per record before it is dead-lettered (default 20, ~1.5 min with the log's capped
   * backoff): failures here are the database or the sink, transient; a dead-lettered event may
   * leave a session's state wrong until its next event, so the owner insists.
   */
  maxAttempts?: number;
}

/** A user whose partition this instance owns. */
interface OwnedUser {
  sessions: Map<string, SessionPresence>;
  /** The last presence handed to the sink (the baseline for change detection). */
  announced: Presence;
}

export class PresenceOwner {
  readonly #options: PresenceOwnerOptions;
  readonly #topic: string;
  readonly #maxAttempts: number;
  /** Owned users by partition, so a revoke drops exactly the users that moved away. */
  readonly #partitions = new Map<number, Map<bigint, OwnedUser>>();
  #online = 0;
  #subscription: Subscription | undefined;
  /** Per partition, the tail of its work: a record and a lease expiry never touch one user at once. */
  readonly #queues = new Map<number, Promise<unknown>>();
  /** Users whose sessions a lease expiry deleted but whose change the sink refused (retried). */
  readonly #unannounced = new Map<bigint, number>();

  constructor(options: PresenceOwnerOptions) {
    this.#options = options;
    this.#topic = options.topic ?? PRESENCE_SESSIONS_TOPIC;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Joins the owners' consumer group; resolves once consumption started. */
  static async start(options: PresenceOwnerOptions): Promise<PresenceOwner> {
    const owner = new PresenceOwner(options);
    const partitions = options.partitions ?? (await options.eventLog.partitionCount(owner.#topic));
    owner.#subscription = await options.eventLog.subscribe({
      groupId: options.groupId ?? DEFAULT_PRESENCE_OWNER_GROUP,
      topics: [owner.#topic],
      handler: (record, ctx) => owner.handle(record, ctx),
      onAssigned: (assigned) => owner.#assigned(assigned),
      onRevoked: (revoked) => owner.#revoked(revoked),
      // Each record waits on PostgreSQL: keep every owned partition moving at once.
      partitionConcurrency: partitions,
      maxAttempts: owner.#maxAttempts,
      onError: (err) => options.logger.error({ err }, 'presence owner consumer stopped for good'),
    });
    return owner;
  }

  /** Graceful: finishes the in-flight records, commits, leaves the group. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.stop();
  }

  /** The partitions this instance owns now, ascending. */
  ownedPartitions(): number[] {
    return [...this.#partitions.keys()].sort((a, b) => a - b);
  }

  /** The aggregated presence of a user held in memory here (undefined: not loaded or not owned). */
  presenceOf(userId: bigint): Presence | undefined {
    for (const users of this.#partitions.values()) {
      const user = users.get(userId);
      if (user) return user.announced;
    }
    return undefined;
  }

  /** The record handler (public for tests that drive it without a consumer group). */
  async handle(record: ConsumedRecord, ctx: Pick<RecordHandlerContext, 'signal' | 'attempt'>): Promise<void> {
    try {
      await this.#serialized(record.partition, () => this.#handle(record, ctx));
    } catch (err) {
      // The log dead-letters a poison record at once, and any record after its last attempt.
      if (isPoisonRecordError(err) || ctx.attempt >= this.#maxAttempts) {
        this.#options.metrics.deadLettered.inc();
        this.#options.logger.warn({ err, partition: record.partition, offset: record.offset, key: record.key }, 'session presence event dead-lettered');
      }
      throw err;
    }
  }

  async #handle(record: ConsumedRecord, { signal, attempt }: Pick<RecordHandlerContext, 'signal' | 'attempt'>): Promise<void> {
    const { store, metrics } = this.#options;
    const event = decodeSessionEvent(record);
    if (attempt === 1) metrics.changesIn.inc({ kind: event.kind });
    // A record finishing after its partition was revoked works on a throwaway map: correct (the
    // state is reloaded from PostgreSQL) but not cached where it would go stale.
    const users = this.#partitions.get(record.partition) ?? new Map<bigint, OwnedUser>();
    const user = users.get(event.userId) ?? (await this.#load(event.userId, record.partition, users));
    const write = sessionWriteFor(user.sessions, event);
    // The session row (the state a successor rebuilds from) and the change's outbox row are
    // written at once, both before the offset commits.
    const persisted =
      write.op === 'upsert' ? store.upsertSession(event.userId, write.session, record.partition)
        : write.op === 'delete' ? store.deleteSession(event.userId, write.sessionId)
          : Promise.resolve();
    const sessionId = write.op === 'upsert' ? write.session.sessionId : write.op === 'delete' ? write.sessionId : undefined;
    const prior = sessionId === undefined ? undefined : user.sessions.get(sessionId);
    applySessionWrite(user.sessions, write);
    const [session, change] = await Promise.allSettled([persisted, this.#announce(event.userId, record.partition, users, user, signal)]);
    if (session.status === 'rejected') {
      // Not in PostgreSQL: undo it in memory, so the retry writes it again. (An announcement that
      // went through stays: the retry then finds nothing new to announce.)
      if (sessionId !== undefined) {
        if (prior) user.sessions.set(sessionId, prior);
        else user.sessions.delete(sessionId);
      }
      throw session.reason;
    }
    if (change.status === 'rejected') throw change.reason;
  }

  /** Announces the user's change (if any), counts it, and forgets a user left with nothing. */
  async #announce(userId: bigint, partition: number, users: Map<bigint, OwnedUser>, user: OwnedUser, signal?: AbortSignal): Promise<void> {
    const previous = user.announced;
    await this.#announceIfChanged(userId, partition, user, signal);
    if (this.#isCached(partition, userId, user)) this.#countOnline(previous, user.announced);
    // Nothing left to remember: the rows are gone and the baseline is offline.
    if (user.sessions.size === 0 && user.announced.status === 'offline') users.delete(userId);
  }

  async #announceIfChanged(userId: bigint, partition: number, user: OwnedUser, signal?: AbortSignal): Promise<void> {
    const presence = aggregatePresence(user.sessions.values());
    if (samePresence(presence, user.announced)) return;
    const previous = user.announced;
    // The outbox row first: once it is written, the change reaches the guilds even if this
    // instance dies before the sink delivers it (the partition's next owner publishes it).
    const revision = await this.#options.store.setAnnounced(userId, presence, partition);
    await this.#options.sink.publish({ userId, presence, previous, revision, partition }, signal);
    user.announced = presence;
    this.#options.metrics.changesOut.inc();
  }

  /** Hands the sink what the outbox holds undelivered for newly owned partitions. */
  async #publishPending(partitions: readonly number[]): Promise<void> {
    const pending = await this.#options.store.pendingIn(partitions);
    for (const { userId, presence, revision, partition } of pending) {
      await this.#options.sink.publish({ userId, presence, previous: undefined, revision, partition });
    }
    if (pending.length > 0) this.#options.logger.info({ partitions, changes: pending.length }, 'undelivered presence changes published again');
  }

  /**
   * A gateway's lease expired: deletes its sessions in the partitions this instance owns and
   * announces each affected user's new presence (offline, or what their other sessions make it).
   * Returns how many users lost a session. A refused announcement is kept for retryUnannounced().
   */
  async expireGateway(gatewayInstanceId: string): Promise<number> {
    let affected = 0;
    for (const partition of this.ownedPartitions()) {
      affected += await this.#serialized(partition, () => this.#expireIn(gatewayInstanceId, partition));
    }
    return affected;
  }

  /** Announces again what a lease expiry could not (the sink refused); true when none is left. */
  async retryUnannounced(): Promise<boolean> {
    for (const [userId, partition] of [...this.#unannounced]) {
      this.#unannounced.delete(userId);
      await this.#serialized(partition, () => this.#announceExpired(userId, partition));
    }
    return this.#unannounced.size === 0;
  }

  async #expireIn(gatewayInstanceId: string, partition: number): Promise<number> {
    // Revoked meanwhile: the new owner expires them (its own lease table says the same).
    if (!this.#partitions.has(partition)) return 0;
    const userIds = await this.#options.store.deleteGatewaySessions(gatewayInstanceId, [partition]);
    for (const userId of userIds) {
      const cached = this.#partitions.get(partition)?.get(userId);
      for (const [sessionId, session] of cached?.sessions ?? []) {
        if (session.gatewayInstanceId === gatewayInstanceId) cached!.sessions.delete(sessionId);
      }
      await this.#announceExpired(userId, partition);
    }
    return userIds.length;
  }

  async #announceExpired(userId: bigint, partition: number): Promise<void> {
    const users = this.#partitions.get(partition);
    if (!users) return;
    try {
      // Not cached: loaded from PostgreSQL, where the gateway's rows are already gone.
      const user = users.get(userId) ?? (await this.#load(userId, partition, users));
      await this.#announce(userId, partition, users, user);
    } catch (err) {
      this.#unannounced.set(userId, partition);
      this.#options.logger.warn({ err, userId: userId.toString() }, 'presence change after a lease expiry not announced yet');
    }
  }

  /** Runs fn after the partition's earlier work (records, expiries) settled. */
  #serialized<T>(partition: number, fn: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(partition) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(partition, tail);
    void tail.then(() => {
      if (this.#queues.get(partition) === tail) this.#queues.delete(partition);
    });
    return run;
  }

  #isCached(partition: number, userId: bigint, user: OwnedUser): boolean {
    return this.#partitions.get(partition)?.get(userId) === user;
  }

  #countOnline(before: Presence, after: Presence): void {
    const delta = Number(after.status !== 'offline') - Number(before.status !== 'offline');
    if (delta !== 0) this.#setOnline(this.#online + delta);
  }

  async #load(userId: bigint, partition: number, users: Map<bigint, OwnedUser>): Promise<OwnedUser> {
    const [sessions, announced] = await Promise.all([this.#options.store.sessionsOf(userId), this.#options.store.announcedOf(userId)]);
    const user: OwnedUser = { sessions: new Map(sessions.map((s) => [s.sessionId, s])), announced };
    // Cache only while the partition is still ours (a record abandoned by a revoke may finish late).
    if (this.#partitions.get(partition) === users) {
      users.set(userId, user);
      if (announced.status !== 'offline') this.#setOnline(this.#online + 1);
    }
    return user;
  }

  #setOnline(count: number): void {
    this.#online = count;
    this.#options.metrics.usersOnline.set(count);
  }

  async #assigned(partitions: TopicPartition[]): Promise<void> {
    const gained: number[] = [];
    for (const { topic, partition } of partitions) {
      if (topic !== this.#topic || this.#partitions.has(partition)) continue;
      this.#partitions.set(partition, new Map());
      gained.push(partition);
    }
    this.#options.metrics.partitionsOwned.set(this.#partitions.size);
    this.#options.logger.info({ partitions: this.ownedPartitions() }, 'presence partitions assigned');
    // Before any record of them is handled (the log waits for this), so the outbox's older
    // changes are queued ahead of the new ones.
    if (gained.length > 0) await this.#publishPending(gained);
  }

  #revoked(partitions: TopicPartition[]): void {
    let dropped = 0;
    for (const { topic, partition } of partitions) {
      if (topic !== this.#topic) continue;
      const users = this.#partitions.get(partition);
      this.#partitions.delete(partition);
      // Another instance owns these users from now on: our copies would go stale.
      for (const user of users?.values() ?? []) {
        dropped += 1;
        if (user.announced.status !== 'offline') this.#setOnline(this.#online - 1);
      }
    }
    this.#options.sink.revoked?.(new Set(partitions.filter((p) => p.topic === this.#topic).map((p) => p.partition)));
    this.#options.metrics.partitionsOwned.set(this.#partitions.size);
    this.#options.logger.info({ usersDropped: dropped, partitions: this.ownedPartitions() }, 'presence partitions revoked');
  }
}
