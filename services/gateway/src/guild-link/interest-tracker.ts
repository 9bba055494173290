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
}

export function interestKey(kind: ScopeKind, scopeId: string, userId: bigint | string): string {
  return `${kind}:${scopeId}:${userId}`;
}

export function parseInterestKey(key: string): InterestPair {
  const [kind, scopeId, userId] = key.split(':') as [ScopeKind, string, string];
  return { kind, scopeId, userId };
}

export class InterestTracker implements SessionRegistryObserver {
  readonly #counts = new Map<string, number>();
  /** What the guild instances were last told (the snapshot a reconnecting stream sends). */
  readonly #announced = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #listeners: ((delta: InterestDelta) => void)[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  /** Pairs currently announced. */
  get size(): number {
    return this.#announced.size;
  }

  /** Called with every netted change, after it is part of the snapshot. */
  onChange(listener: (delta: InterestDelta) => void): void {
    this.#listeners.push(listener);
  }

  /** Every announced pair, for a stream's (re)connect snapshot; pending changes are flushed first. */
  snapshot(): InterestPair[] {
    this.flush();
    return [...this.#announced].map(parseInterestKey);
  }

  has(key: string): boolean {
    return this.#announced.has(key);
  }

  sessionAdded(session: Session): void {
    this.#change(interestKey('u', session.userId.toString(), session.userId), 1);
  }

  sessionRemoved(session: Session): void {
    this.#change(interestKey('u', session.userId.toString(), session.userId), -1);
  }

  subscribed(session: Session, guildId: string): void {
    this.#change(interestKey('g', guildId, session.userId), 1);
  }

  unsubscribed(session: Session, guildId: string): void {
    this.#change(interestKey('g', guildId, session.userId), -1);
  }

  /**
   * Holds pairs before any session does (READY: the guild list comes before the session is
   * registered). Returns the release; releasing twice is harmless.
   */
  hold(keys: readonly string[]): () => void {
    for (const key of keys) this.#change(key, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      for (const key of keys) this.#change(key, -1);
    };
  }

  /** Announces the pending changes now (sync() calls it so its sync_id follows them). */
  flush(): void {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#dirty.size === 0) return;
    const delta: InterestDelta = { add: [], remove: [] };
    for (const key of this.#dirty) {
      const wanted = (this.#counts.get(key) ?? 0) > 0;
      if (wanted === this.#announced.has(key)) continue;
      if (wanted) {
        this.#announced.add(key);
        delta.add.push(parseInterestKey(key));
      } else {
        this.#announced.delete(key);
        delta.remove.push(parseInterestKey(key));
      }
    }
    this.#dirty.clear();
    if (delta.add.length === 0 && delta.remove.length === 0) return;
    for (const listener of this.#listeners) listener(delta);
  }

  #change(key: string, by: 1 | -1): void {
    const count = (this.#counts.get(key) ?? 0) + by;
    if (count > 0) this.#counts.set(key, count);
    else this.#counts.delete(key);
    this.#dirty.add(key);
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.flush();
    });
  }
}
