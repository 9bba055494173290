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
}

/** User ids are stored in a signed BIGINT: snowflakes fit until 2084. */
export const MAX_STORABLE_USER_ID = (1n << 63n) - 1n;

export class MemoryAuthStore implements AuthStore {
  readonly #users = new Map<bigint, UserAuthState>();
  /** Calls of userAuth, for cache tests. */
  reads = 0;

  async userAuth(userId: bigint): Promise<UserAuthState> {
    this.reads += 1;
    return { ...(this.#users.get(userId) ?? NO_AUTH_STATE) };
  }

  async revokeTokens(userId: bigint, validAfter: number): Promise<number> {
    const current = this.#users.get(userId) ?? NO_AUTH_STATE;
    const tokensValidAfter = Math.max(current.tokensValidAfter, validAfter);
    this.#users.set(userId, { ...current, tokensValidAfter });
    return tokensValidAfter;
  }

  async setPrivilegedIntents(userId: bigint, intents: number): Promise<void> {
    this.#users.set(userId, { ...(this.#users.get(userId) ?? NO_AUTH_STATE), privilegedIntents: intents });
  }
}
