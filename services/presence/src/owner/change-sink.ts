// Where the owner hands each change of a user's aggregated presence. The owner awaits it before
// the record's offset commits, so a sink that must not lose changes only has to resolve once it
// has them safe. Identical consecutive presences never reach it.
//
// TODO(issue 5, deliverable 2 — fan-out): a sink that turns a change into PRESENCE_UPDATE for each
// guild the user is in, through the guild service (coalesced per guild, last write wins per user,
// only to sessions with GUILD_PRESENCES that may see the user). start.ts wires NO_PRESENCE_SINK
// until then.
import type { Presence } from '../aggregate';

export interface PresenceChange {
  userId: bigint;
  /** What others see now. */
  presence: Presence;
  /** What was last announced (offline for a user seen for the first time). */
  previous: Presence;
}

export interface PresenceChangeSink {
  /** Resolves once the change is taken; a rejection makes the owner retry the record. */
  publish(change: PresenceChange, signal?: AbortSignal): Promise<void>;
}

/** Drops every change (until the fan-out exists). */
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
