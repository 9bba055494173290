// The port to the gateway's durable authentication state: per user, the revocation cutoff and the
// privileged-intent grant. `SqlAuthStore` (PostgreSQL / PGlite) implements it; `CachingAuthStore`
// wraps it for the IDENTIFY hot path; `MemoryAuthStore` serves tests.

export interface UserAuthState {
  /** Unix seconds: tokens issued before this are revoked. 0 when never revoked. */
  tokensValidAfter: number;
  /** Granted privileged intents (bitmask). */
  privilegedIntents: number;
}

export const NO_AUTH_STATE: Readonly<UserAuthState> = Object.freeze({ tokensValidAfter: 0, privilegedIntents: 0 });

export interface AuthStore {
  /** The user's state; NO_AUTH_STATE for a user never revoked nor granted. */
  userAuth(userId: bigint): Promise<UserAuthState>;
  /** Refuses tokens issued before `validAfter` (unix s). The cutoff never moves back; returns it. */
  revokeTokens(userId: bigint, validAfter: number): Promise<number>;
  /** Replaces the user's privileged-intent grant. */
  setPrivilegedIntents(userId: bigint, intents: number): Promise<void>;
  /**
   * The cutoffs that moved at or after `sinceMs` (the store's clock, ms since the epoch), and the store's
   * time of this read (`asOfMs`): the revocation sweeper polls with its previous `asOfMs` minus a
   * small overlap (a revocation whose clock reading precedes a concurrent read may commit after it).
   */
  revocationsSince(sinceMs: number): Promise<RevocationPage>;
}

/** One user's cutoff as of a revocationsSince read. */
export interface Revocation {
  userId: bigint;
  /** Unix seconds: tokens issued before this are revoked. */
  tokensValidAfter: number;
}

export interface RevocationPage {
  revocations: Revocation[];
  /** The store's clock when it read them (ms since the epoch). */
  asOfMs: number;
}

/** User ids are stored in a signed BIGINT: snowflakes fit until 2084. */
export const MAX_STORABLE_USER_ID = (1n << 63n) - 1n;

export class MemoryAuthStore implements AuthStore {
  readonly #users = new Map<bigint, UserAuthState>();
  /** When each user's cutoff last moved (the clock below). */
  readonly #revokedAt = new Map<bigint, number>();
  readonly #now: () => number;
  /** Calls of userAuth, for cache tests. */
  reads = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async userAuth(userId: bigint): Promise<UserAuthState> {
    this.reads += 1;
    return { ...(this.#users.get(userId) ?? NO_AUTH_STATE) };
  }

  async revokeTokens(userId: bigint, validAfter: number): Promise<number> {
    const current = this.#users.get(userId) ?? NO_AUTH_STATE;
    const tokensValidAfter = Math.max(current.tokensValidAfter, validAfter);
    this.#users.set(userId, { ...current, tokensValidAfter });
    if (tokensValidAfter > current.tokensValidAfter) this.#revokedAt.set(userId, this.#now());
    return tokensValidAfter;
  }

  async revocationsSince(sinceMs: number): Promise<RevocationPage> {
    const asOfMs = this.#now();
    const revocations: Revocation[] = [];
    for (const [userId, at] of this.#revokedAt) {
      if (at >= sinceMs) revocations.push({ userId, tokensValidAfter: this.#users.get(userId)!.tokensValidAfter });
    }
    return { revocations, asOfMs };
  }

  async setPrivilegedIntents(userId: bigint, intents: number): Promise<void> {
    this.#users.set(userId, { ...(this.#users.get(userId) ?? NO_AUTH_STATE), privilegedIntents: intents });
  }
}
