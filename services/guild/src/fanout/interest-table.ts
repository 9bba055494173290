// Which gateway stream holds sessions of which user in which scope. Indexed both ways: per stream
// (to drop everything a stream held when it goes away) and per scope (the owner's question for
// every event: which streams, and which of their users, are interested in this scope).
//
// Add and remove are idempotent per (stream, scope, user): the gateway refcounts its sessions and
// sends one add when the first session of a user subscribes to a scope, one remove after the last.
//
// Per stream it also keeps which interested (guild, user) pairs are *active* (some session of the
// user on that gateway looks at the guild, op 14): large guilds send message traffic only to those.
// Active is a subset of interested: removing the interest (or the stream) clears it, and an
// activation of a pair the stream holds no interest in is ignored.

export class InterestTable<S> {
  readonly #byStream = new Map<S, Map<string, Set<bigint>>>();
  readonly #byScope = new Map<string, Map<S, Set<bigint>>>();
  readonly #active = new Map<S, Map<string, Set<bigint>>>();

  /** Records the interest; false when it was already there. */
  add(stream: S, scopeKey: string, userId: bigint): boolean {
    const scopes = getOrCreate(this.#byStream, stream, () => new Map<string, Set<bigint>>());
    const users = getOrCreate(scopes, scopeKey, () => new Set<bigint>());
    if (users.has(userId)) return false;
    users.add(userId);
    // Both indexes share the same Set, so they cannot disagree.
    getOrCreate(this.#byScope, scopeKey, () => new Map<S, Set<bigint>>()).set(stream, users);
    return true;
  }

  /** Drops the interest; false when it was not there. */
  remove(stream: S, scopeKey: string, userId: bigint): boolean {
    const scopes = this.#byStream.get(stream);
    const users = scopes?.get(scopeKey);
    if (!scopes || !users?.delete(userId)) return false;
    this.deactivate(stream, scopeKey, userId);
    if (users.size === 0) {
      scopes.delete(scopeKey);
      if (scopes.size === 0) this.#byStream.delete(stream);
      this.#forgetScopeOf(stream, scopeKey);
    }
    return true;
  }

  /** Drops every interest of a stream (it closed); false when it held none. */
  removeStream(stream: S): boolean {
    const scopes = this.#byStream.get(stream);
    if (!scopes) return false;
    this.#byStream.delete(stream);
    this.#active.delete(stream);
    for (const scopeKey of scopes.keys()) this.#forgetScopeOf(stream, scopeKey);
    return true;
  }

  /** Marks an interested pair active; false when already active or not interested. */
  activate(stream: S, scopeKey: string, userId: bigint): boolean {
    if (!this.#byStream.get(stream)?.get(scopeKey)?.has(userId)) return false;
    const active = getOrCreate(getOrCreate(this.#active, stream, () => new Map<string, Set<bigint>>()), scopeKey, () => new Set<bigint>());
    if (active.has(userId)) return false;
    active.add(userId);
    return true;
  }

  /** Marks the pair passive again; false when it was not active. */
  deactivate(stream: S, scopeKey: string, userId: bigint): boolean {
    const scopes = this.#active.get(stream);
    const active = scopes?.get(scopeKey);
    if (!scopes || !active?.delete(userId)) return false;
    if (active.size === 0) scopes.delete(scopeKey);
    if (scopes.size === 0) this.#active.delete(stream);
    return true;
  }

  /** The stream's active users in a scope (a live view: do not mutate). */
  activeUsers(stream: S, scopeKey: string): ReadonlySet<bigint> {
    return this.#active.get(stream)?.get(scopeKey) ?? EMPTY_SET;
  }

  /** The streams interested in a scope, each with its interested users (live views: do not mutate). */
  streamsFor(scopeKey: string): ReadonlyMap<S, ReadonlySet<bigint>> {
    return this.#byScope.get(scopeKey) ?? EMPTY;
  }

  /** Whether any stream holds the user in the scope. */
  hasInterest(scopeKey: string, userId: bigint): boolean {
    const streams = this.#byScope.get(scopeKey);
    if (!streams) return false;
    for (const users of streams.values()) if (users.has(userId)) return true;
    return false;
  }

  /** Every user any stream holds in the scope (the push trigger: who has a session somewhere). */
  usersWithInterest(scopeKey: string): Set<bigint> {
    const all = new Set<bigint>();
    for (const users of this.streamsFor(scopeKey).values()) for (const user of users) all.add(user);
    return all;
  }

  /** The scopes a stream holds, with its users in each (live views). */
  scopesOf(stream: S): ReadonlyMap<string, ReadonlySet<bigint>> {
    return this.#byStream.get(stream) ?? EMPTY;
  }

  /** How many streams hold at least one interest. */
  get streamCount(): number {
    return this.#byStream.size;
  }

  #forgetScopeOf(stream: S, scopeKey: string): void {
    const streams = this.#byScope.get(scopeKey);
    if (!streams) return;
    streams.delete(stream);
    if (streams.size === 0) this.#byScope.delete(scopeKey);
  }
}

const EMPTY: ReadonlyMap<never, never> = new Map<never, never>();
const EMPTY_SET: ReadonlySet<never> = new Set<never>();

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
