// One Fanout bidi stream to one guild instance, kept open for the gateway's lifetime. On every
// (re)connect it says hello, then sends the whole interest snapshot (chunked), the active pairs and
// the member-list subscriptions, then a sync whose answer marks the stream established, then
// increments as they happen.
// A stream that ends or fails is retried with capped exponential backoff and jitter. Acks are
// coalesced per event-loop turn: one cumulative FanoutAck per partition.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import { AsyncQueue } from '@switchboard/runtime';
import type { Logger, ServiceClient } from '@switchboard/runtime';
import type { InterestDelta, InterestPair, InterestTracker } from './interest-tracker';
import type { GuildLinkMetrics } from './metrics';

export type FanoutRequestInit = MessageInitShape<typeof guildV1.FanoutRequestSchema>;
export type GuildClient = ServiceClient<typeof guildV1.GuildService>;
export type LinkLogger = Pick<Logger, 'info' | 'warn' | 'debug'>;

/** Interests per InterestChange message: keeps a large snapshot's messages well under 4 MB. */
export const INTEREST_CHUNK = 5_000;

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000 };

/** Full jitter over a capped exponential: spreads a fleet's reconnects after a guild restart. */
export function reconnectDelayMs(attempt: number, policy: BackoffPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type SyncOutcome = 'applied' | 'stream-ended' | 'timeout' | 'not-connected';

export interface FanoutStreamDeps {
  address: string;
  client: GuildClient;
  instanceId: string;
  tracker: InterestTracker;
  nextSyncId: () => bigint;
  /** `call` identifies the call the event came on: its ack goes back on that call only. */
  onEvent: (event: guildV1.FanoutEvent, stream: FanoutStream, call: number) => void;
  /** Member-list subscriptions to re-send on every (re)connect, after the interests and activations. */
  listSnapshot?: (() => FanoutRequestInit[]) | undefined;
  /** Told (synchronously) as each InterestApplied arrives, before the syncs it answers resolve. */
  onInterestApplied?: (() => void) | undefined;
  logger: LinkLogger;
  metrics: GuildLinkMetrics | undefined;
  backoff: BackoffPolicy;
}

function toInterest(pair: InterestPair): MessageInitShape<typeof guildV1.InterestSchema> {
  const kind = pair.kind === 'g' ? guildV1.ScopeKind.GUILD : guildV1.ScopeKind.USER;
  return { scope: { kind, id: pair.scopeId }, userId: pair.userId };
}

/**
 * Interest changes as messages of at most INTEREST_CHUNK pairs each, in the order the guild
 * instance must apply them: add, activate, deactivate, remove (an activation follows its interest
 * and a deactivation precedes the interest's removal, whatever order the receiver applies a
 * message's fields in).
 */
export function interestMessages(
  add: readonly InterestPair[], remove: readonly InterestPair[], activate: readonly InterestPair[] = [], deactivate: readonly InterestPair[] = [],
): FanoutRequestInit[] {
  const messages: FanoutRequestInit[] = [];
  const fields = [['add', add], ['activate', activate], ['deactivate', deactivate], ['remove', remove]] as const;
  for (const [field, pairs] of fields) {
    for (let start = 0; start < pairs.length; start += INTEREST_CHUNK) {
      messages.push({ kind: { case: 'interest', value: { [field]: pairs.slice(start, start + INTEREST_CHUNK).map(toInterest) } } });
    }
  }
  return messages;
}

export class FanoutStream {
  readonly address: string;
  readonly #deps: FanoutStreamDeps;
  #queue: AsyncQueue<FanoutRequestInit> | undefined;
  #abort: AbortController | undefined;
  #established = false;
  #closed = false;
  #attempt = 0;
  #sleep: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  readonly #waiters = new Map<bigint, (outcome: SyncOutcome) => void>();
  readonly #acks = new Map<number, bigint>();
  #ackScheduled: NodeJS.Immediate | undefined;
  #done: Promise<void> | undefined;
  #call = 0;

  constructor(deps: FanoutStreamDeps) {
    this.address = deps.address;
    this.#deps = deps;
  }

  /** Whether the current call answered its snapshot's sync. */
  get established(): boolean {
    return this.#established;
  }

  start(): void {
    this.#done ??= this.#run();
  }

  /** Sends an increment to the current call (a stream between calls sends it in its next snapshot). */
  sendDelta(delta: InterestDelta): void {
    const queue = this.#queue;
    if (!queue) return;
    for (const message of interestMessages(delta.add, delta.remove, delta.activate, delta.deactivate)) queue.push(message);
  }

  /** Sends one request on the current call (member lists); dropped between calls (the snapshot re-sends). */
  send(message: FanoutRequestInit): void {
    this.#queue?.push(message);
  }

  /** Asks the guild instance to confirm every interest change sent so far. */
  sync(timeoutMs: number): Promise<SyncOutcome> {
    const queue = this.#queue;
    if (!queue) return Promise.resolve('not-connected');
    const syncId = this.#deps.nextSyncId();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(syncId);
        resolve('timeout');
      }, timeoutMs);
      this.#waiters.set(syncId, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      queue.push({ kind: { case: 'interest', value: { syncId } } });
    });
  }

  /** Records that every event of `partition` up to `offset` received on `call` is applied. */
  ack(call: number, partition: number, offset: bigint): void {
    if (!this.#queue || call !== this.#call) return;
    const previous = this.#acks.get(partition);
    if (previous === undefined || offset > previous) this.#acks.set(partition, offset);
    this.#ackScheduled ??= setImmediate(() => this.#flushAcks());
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    this.#queue?.end();
    if (this.#sleep) {
      clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
    }
    await this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#runCall();
      if (this.#closed) break;
      this.#deps.metrics?.streamReconnects.inc();
      const delay = reconnectDelayMs(this.#attempt, this.#deps.backoff);
      this.#attempt += 1;
      await new Promise<void>((wake) => {
        this.#sleep = { timer: setTimeout(wake, delay), wake };
      });
      this.#sleep = undefined;
    }
  }

  /** One call: hello, snapshot, then whatever comes, until it ends or fails. */
  async #runCall(): Promise<void> {
    const { client, instanceId, tracker, logger } = this.#deps;
    this.#call += 1;
    // Taken first: it flushes pending changes to the other streams, while this call has no queue yet.
    const snapshot = tracker.snapshot();
    const active = tracker.activeSnapshot();
    const lists = this.#deps.listSnapshot?.() ?? [];
    const queue = new AsyncQueue<FanoutRequestInit>();
    const abort = new AbortController();
    this.#queue = queue;
    this.#abort = abort;
    queue.push({ kind: { case: 'hello', value: { gatewayInstanceId: instanceId } } });
    for (const message of interestMessages(snapshot, [], active)) queue.push(message);
    for (const message of lists) queue.push(message);
    const established = this.sync(2 ** 31 - 1);
    established.then((outcome) => this.#onEstablished(outcome, queue), () => undefined);
    try {
      for await (const message of client.fanout(queue, { signal: abort.signal })) this.#receive(message);
      if (!this.#closed) logger.warn({ guildInstance: this.address }, 'fanout stream ended by the guild instance; reconnecting');
    } catch (error) {
      if (!this.#closed) logger.warn({ guildInstance: this.address, err: error }, 'fanout stream failed; reconnecting');
    } finally {
      this.#endCall(queue);
    }
  }

  #onEstablished(outcome: SyncOutcome, queue: AsyncQueue<FanoutRequestInit>): void {
    if (outcome !== 'applied' || this.#queue !== queue) return;
    this.#established = true;
    this.#attempt = 0;
    this.#deps.metrics?.streamsConnected.inc();
    this.#deps.logger.info({ guildInstance: this.address }, 'fanout stream established');
  }

  #receive(message: guildV1.FanoutMessage): void {
    const kind = message.kind;
    if (kind.case === 'event') {
      this.#deps.onEvent(kind.value, this, this.#call);
    } else if (kind.case === 'interestApplied') {
      this.#deps.onInterestApplied?.();
      // Applied in order: every sync up to this id is in effect.
      for (const [syncId, resolve] of this.#waiters) {
        if (syncId > kind.value.syncId) continue;
        this.#waiters.delete(syncId);
        resolve('applied');
      }
    }
  }

  #endCall(queue: AsyncQueue<FanoutRequestInit>): void {
    if (this.#queue !== queue) return;
    queue.end();
    this.#queue = undefined;
    this.#abort = undefined;
    if (this.#established) this.#deps.metrics?.streamsConnected.dec();
    this.#established = false;
    // Acks of this call die with it: the next owner redelivers from the committed offset.
    this.#acks.clear();
    for (const resolve of [...this.#waiters.values()]) resolve('stream-ended');
    this.#waiters.clear();
  }

  #flushAcks(): void {
    this.#ackScheduled = undefined;
    const queue = this.#queue;
    if (!queue) return;
    for (const [partition, offset] of this.#acks) {
      queue.push({ kind: { case: 'ack', value: { partition, offset: offset.toString() } } });
    }
    this.#acks.clear();
  }
}
