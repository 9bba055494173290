// Where the owner hands each change of a user's aggregated presence, after recording it in the
// outbox (presence_announced, pending): the sink may hold it (the coalescer does, for a window) and
// must report delivery through the store's markDelivered; what it never delivers is published
// again by the partition's next owner. Identical consecutive presences never reach it.
import type { Presence } from '../aggregate';

export interface PresenceChange {
  userId: bigint;
  /** What others see now. */
  presence: Presence;
  /** What was last announced (offline for a user seen for the first time); undefined when unknown (recovered from the outbox). */
  previous: Presence | undefined;
  /** The outbox row's revision: delivery clears exactly this one. */
  revision: bigint;
  /** The user's session topic partition (a revoked partition's changes are its next owner's). */
  partition: number;
}

export interface PresenceChangeSink {
  /** Resolves once the change is taken; a rejection makes the owner retry the record. */
  publish(change: PresenceChange, signal?: AbortSignal): Promise<void>;
  /** These partitions moved to another owner: forget their undelivered changes (it publishes them). */
  revoked?(partitions: ReadonlySet<number>): void;
}

/** Drops every change (a presence service run without a guild service: nothing to fan out to). */
export const NO_PRESENCE_SINK: PresenceChangeSink = { publish: async () => undefined };

/** Keeps every change, for tests; `failure`, when set, makes publish reject. */
export class RecordingPresenceSink implements PresenceChangeSink {
  readonly changes: PresenceChange[] = [];
  failure: Error | undefined;

  async publish(change: PresenceChange): Promise<void> {
    if (this.failure) throw this.failure;
    this.changes.push(change);
  }

  /** The changes of one user, in order. */
  of(userId: bigint): PresenceChange[] {
    return this.changes.filter((c) => c.userId === userId);
  }

  /** The last presence announced for the user (undefined when none was). */
  last(userId: bigint): Presence | undefined {
    return this.of(userId).at(-1)?.presence;
  }
}
