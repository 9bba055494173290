// A short-TTL cache in front of an AuthStore, for the IDENTIFY hot path (a reconnect storm must not
// become one database read per session).
//
// Staleness bound: a revocation or grant written through *another* gateway instance takes effect
// here at most `ttlMs` (plus one query's latency) later; written through *this* instance, at once
// (writes invalidate the entry after they commit). Failed reads are not cached. Concurrent misses
// for one user share one query. At most `maxEntries` users are kept (oldest dropped first).
import type { AuthStore, RevocationPage, UserAuthState } from './auth-store';

export interface CachingAuthStoreOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  state: Promise<UserAuthState>;
  expiresAt: number;
}

export class CachingAuthStore implements AuthStore {
  readonly #entries = new Map<bigint, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(
    private readonly inner: AuthStore,
    options: CachingAuthStoreOptions,
  ) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  userAuth(userId: bigint): Promise<UserAuthState> {
    const now = this.#now();
    const cached = this.#entries.get(userId);
    if (cached && cached.expiresAt > now) return cached.state.then(copy);
    if (this.#ttlMs <= 0) return this.inner.userAuth(userId);
    const entry: Entry = { state: this.inner.userAuth(userId), expiresAt: now + this.#ttlMs };
    this.#entries.delete(userId);
    this.#entries.set(userId, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    entry.state.catch(() => {
      if (this.#entries.get(userId) === entry) this.#entries.delete(userId);
    });
    return entry.state.then(copy);
  }

  async revokeTokens(userId: bigint, validAfter: number): Promise<number> {
    try {
      return await this.inner.revokeTokens(userId, validAfter);
    } finally {
      this.#entries.delete(userId);
    }
  }

  /** Forgets the user's entry (a revocation written by another instance was seen). */
  invalidate(userId: bigint): void {
    this.#entries.delete(userId);
  }

  revocationsSince(sinceMs: number): Promise<RevocationPage> {
    return this.inner.revocationsSince(sinceMs);
  }

  async setPrivilegedIntents(userId: bigint, intents: number): Promise<void> {
    try {
      await this.inner.setPrivilegedIntents(userId, intents);
    } finally {
      this.#entries.delete(userId);
    }
  }
}

function copy(state: UserAuthState): UserAuthState {
  return { ...state };
}
