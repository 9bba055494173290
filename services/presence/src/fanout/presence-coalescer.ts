// The presence sink of a running service: it coalesces the owner's changes for a window and
// publishes them to the guild service in batches (which become one PRESENCE_UPDATE batch per guild
// of those users). Within a window the last change of a user wins, and a user whose presence ends
// the window where it started (idle → online → idle) is not published at all: identical
// consecutive presences never reach a guild. Windows are flushed one at a time, in order, so a
// user's changes are never reordered; a failed flush is retried with backoff, merged under any
// newer change of the same user. Delivery is confirmed to the outbox (markDelivered) only after the
// guild service accepted the batch.
import { samePresence } from '../aggregate';
import type { Presence } from '../aggregate';
import type { PresenceChange, PresenceChangeSink } from '../owner';
import type { CoalescerMetrics } from './coalescer-metrics';

export interface PublishedPresence {
  userId: bigint;
  presence: Presence;
}

/** The guild service (PublishPresences): resolves once the batches are durable. */
export interface PresencePublisher {
  publish(presences: readonly PublishedPresence[]): Promise<void>;
}

/** The outbox: clears the delivered revisions. */
export interface DeliveryLedger {
  markDelivered(entries: readonly { userId: bigint; revision: bigint }[]): Promise<void>;
}

export interface CoalescerOptions {
  publisher: PresencePublisher;
  ledger: DeliveryLedger;
  metrics: CoalescerMetrics;
  logger: { warn(obj: object, msg: string): void };
  /** How long a window collects changes before it is published (ms). */
  windowMs: number;
  /** A window holding this many users is published at once. */
  maxBatch: number;
  /** First retry delay of a failed flush (doubled up to 30 s). Default 200 ms. */
  retryBaseMs?: number;
}

interface Entry {
  userId: bigint;
  presence: Presence;
  revision: bigint;
  partition: number;
  /** What the guilds had before this window's first change; undefined = unknown (always publish). */
  baseline: Presence | undefined;
  /** Owner changes merged into this entry (the coalescing ratio's numerator). */
  changes: number;
}

const MAX_RETRY_MS = 30_000;

export class PresenceCoalescer implements PresenceChangeSink {
  readonly #options: CoalescerOptions;
  #pending = new Map<bigint, Entry>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failures = 0;
  #stopped = false;

  constructor(options: CoalescerOptions) {
    this.#options = options;
  }

  /** Users waiting for the next flush. */
  get pendingUsers(): number {
    return this.#pending.size;
  }

  async publish(change: PresenceChange): Promise<void> {
    const held = this.#pending.get(change.userId);
    // Last write wins; the baseline stays the one from before the window's first change.
    this.#pending.set(change.userId, {
      userId: change.userId,
      presence: change.presence,
      revision: change.revision,
      partition: change.partition,
      baseline: held ? held.baseline : change.previous,
      changes: (held?.changes ?? 0) + 1,
    });
    this.#options.metrics.changesTaken.inc();
    this.#options.metrics.pendingUsers.set(this.#pending.size);
    this.#schedule(this.#pending.size >= this.#options.maxBatch ? 0 : this.#options.windowMs);
  }

  revoked(partitions: ReadonlySet<number>): void {
    for (const [userId, entry] of this.#pending) if (partitions.has(entry.partition)) this.#pending.delete(userId);
    this.#options.metrics.pendingUsers.set(this.#pending.size);
  }

  /** Publishes everything pending now (tests, benches); resolves when it is delivered or a flush failed. */
  async flushNow(): Promise<void> {
    do {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#flushing;
      await this.#flush();
    } while (this.#pending.size > 0 && this.#failures === 0);
  }

  /** Graceful: one last flush of what is pending (what fails stays in the outbox for the next owner). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    if (this.#pending.size > 0) await this.#flush().catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#flushing) return; // the running flush schedules the next window
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, delayMs);
    // The service's lifecycle keeps the process alive, not a pending window.
    this.#timer.unref();
  }

  #flush(): Promise<void> {
    const run = this.#flushBatches().finally(() => {
      this.#flushing = undefined;
      if (this.#pending.size > 0) this.#schedule(this.#failures > 0 ? this.#retryDelay() : this.#options.windowMs);
    });
    this.#flushing = run;
    return run;
  }

  async #flushBatches(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = this.#take();
      try {
        await this.#deliver(batch);
        this.#failures = 0;
      } catch (err) {
        this.#failures += 1;
        this.#putBack(batch);
        this.#options.metrics.flushFailures.inc();
        this.#options.logger.warn({ err, users: batch.length, failures: this.#failures }, 'presence batch not published; retrying');
        return;
      }
      // A full window flushed early: whatever arrived meanwhile waits for its own window.
      if (this.#pending.size < this.#options.maxBatch) return;
    }
  }

  #take(): Entry[] {
    const batch: Entry[] = [];
    for (const [userId, entry] of this.#pending) {
      if (batch.length >= this.#options.maxBatch) break;
      batch.push(entry);
      this.#pending.delete(userId);
    }
    this.#options.metrics.pendingUsers.set(this.#pending.size);
    return batch;
  }

  async #deliver(batch: readonly Entry[]): Promise<void> {
    const { publisher, ledger, metrics } = this.#options;
    const changed = batch.filter((e) => !(e.baseline && samePresence(e.presence, e.baseline)));
    if (changed.length > 0) await publisher.publish(changed.map(({ userId, presence }) => ({ userId, presence })));
    await ledger.markDelivered(batch.map(({ userId, revision }) => ({ userId, revision })));
    metrics.recordFlush(batch.reduce((sum, e) => sum + e.changes, 0), changed.length, batch.length - changed.length);
  }

  /** A failed batch goes back under any newer change of its users (which keeps the older baseline). */
  #putBack(batch: readonly Entry[]): void {
    for (const entry of batch) {
      const newer = this.#pending.get(entry.userId);
      if (newer) this.#pending.set(entry.userId, { ...newer, baseline: entry.baseline, changes: newer.changes + entry.changes });
      else this.#pending.set(entry.userId, entry);
    }
    this.#options.metrics.pendingUsers.set(this.#pending.size);
  }

  #retryDelay(): number {
    const base = this.#options.retryBaseMs ?? 200;
    return Math.min(MAX_RETRY_MS, base * 2 ** Math.min(this.#failures - 1, 16));
  }
}
