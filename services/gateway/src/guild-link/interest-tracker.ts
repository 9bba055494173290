// Which (scope, user) pairs this gateway must receive events for, refcounted from the session
// registry: (guild G, user U) while a session of U is subscribed to G, (user U, U) while any
// session of U exists (detached, resumable ones included: they leave the registry only for good).
// Changes are netted per event-loop turn and announced once, so a session that leaves and comes
// back in the same turn costs nothing on the wire.
import type { Session, SessionRegistryObserver } from '../session';

export type ScopeKind = 'g' | 'u';

/** One interest as the tracker keys it: `g:<guild id>:<user id>` or `u:<user id>:<user id>`. */
export interface InterestPair {
  kind: ScopeKind;
  scopeId: string;
  userId: string;
}

export interface InterestDelta {
  add: InterestPair[];
  remove: InterestPair[];
  /** Guild pairs with a session now active in the guild (op 14), or no longer. */
  activate?: InterestPair[];
  deactivate?: InterestPair[];
}

export function interestKey(kind: ScopeKind, scopeId: string, userId: bigint | string): string {
  return `${kind}:${scopeId}:${userId}`;
}

export function parseInterestKey(key: string): InterestPair {
  const [kind, scopeId, userId] = key.split(':') as [ScopeKind, string, string];
  return { kind, scopeId, userId };
}

/** Refcounts per key, netted per flush against what was announced. */
class Tally {
  readonly counts = new Map<string, number>();
  readonly announced = new Set<string>();
  readonly dirty = new Set<string>();

  change(key: string, by: 1 | -1): void {
    const count = (this.counts.get(key) ?? 0) + by;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
    this.dirty.add(key);
  }

  /** Moves the dirty keys into `announced`; returns what was gained and lost. */
  net(): [gained: InterestPair[], lost: InterestPair[]] {
    const gained: InterestPair[] = [];
    const lost: InterestPair[] = [];
    for (const key of this.dirty) {
      const wanted = (this.counts.get(key) ?? 0) > 0;
      if (wanted === this.announced.has(key)) continue;
      if (wanted) {
        this.announced.add(key);
        gained.push(parseInterestKey(key));
      } else {
        this.announced.delete(key);
        lost.push(parseInterestKey(key));
      }
    }
    this.dirty.clear();
    return [gained, lost];
  }
}

export class InterestTracker implements SessionRegistryObserver {
  readonly #interests = new Tally();
  /** Sessions active in a guild (op 14), per `g:<guild>:<user>`: large guilds send messages to those only. */
  readonly #active = new Tally();
  readonly #listeners: ((delta: InterestDelta) => void)[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  /** Pairs currently announced. */
  get size(): number {
    return this.#interests.announced.size;
  }

  /** Called with every netted change, after it is part of the snapshot. */
  onChange(listener: (delta: InterestDelta) => void): void {
    this.#listeners.push(listener);
  }

  /** Every announced pair, for a stream's (re)connect snapshot; pending changes are flushed first. */
  snapshot(): InterestPair[] {
    this.flush();
    return [...this.#interests.announced].map(parseInterestKey);
  }

  /** Every announced active pair (the snapshot's activations; call after snapshot()). */
  activeSnapshot(): InterestPair[] {
    this.flush();
    return [...this.#active.announced].map(parseInterestKey);
  }

  has(key: string): boolean {
    return this.#interests.announced.has(key);
  }

  /** Whether some holder still wants `key`, announced or not yet (a change pending this turn). */
  wants(key: string): boolean {
    return this.#interests.counts.has(key);
  }

  sessionAdded(session: Session): void {
    this.#change(this.#interests, interestKey('u', session.userId.toString(), session.userId), 1);
  }

  sessionRemoved(session: Session): void {
    this.#change(this.#interests, interestKey('u', session.userId.toString(), session.userId), -1);
  }

  subscribed(session: Session, guildId: string): void {
    this.#change(this.#interests, interestKey('g', guildId, session.userId), 1);
  }

  unsubscribed(session: Session, guildId: string): void {
    this.#change(this.#interests, interestKey('g', guildId, session.userId), -1);
  }

  /** One more (or one fewer) session of `userId` active in `guildId` (guild-activity.ts counts sessions). */
  activate(guildId: string, userId: bigint): void {
    this.#change(this.#active, interestKey('g', guildId, userId), 1);
  }

  deactivate(guildId: string, userId: bigint): void {
    this.#change(this.#active, interestKey('g', guildId, userId), -1);
  }

  /**
   * Holds pairs before any session does (READY: the guild list comes before the session is
   * registered). Returns the release; releasing twice is harmless.
   */
  hold(keys: readonly string[]): () => void {
    for (const key of keys) this.#change(this.#interests, key, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      for (const key of keys) this.#change(this.#interests, key, -1);
    };
  }

  /** Announces the pending changes now (sync() calls it so its sync_id follows them). */
  flush(): void {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    const [add, remove] = this.#interests.net();
    const [activate, deactivate] = this.#active.net();
    if (add.length + remove.length + activate.length + deactivate.length === 0) return;
    const delta: InterestDelta = { add, remove, activate, deactivate };
    for (const listener of this.#listeners) listener(delta);
  }

  #change(tally: Tally, key: string, by: 1 | -1): void {
    tally.change(key, by);
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.flush();
    });
  }
}
