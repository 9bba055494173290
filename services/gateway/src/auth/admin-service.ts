// The product-team API of GatewayService: mint and revoke tokens, grant privileged intents.
// Validation errors name the field (INVALID_ARGUMENT); everything is keyed by the user's snowflake.
import { timestampFromMs } from '@switchboard/proto';
import { InvalidArgumentError, parseSnowflake } from '@switchboard/runtime';
import { PRIVILEGED_INTENTS } from '../protocol';
import type { AuthStore } from './auth-store';
import { MAX_STORABLE_USER_ID } from './auth-store';
import type { TokenSigner } from './token';

export interface AdminServiceDeps {
  signer: TokenSigner;
  /** Writes go through the caching store, so this instance sees them at once. */
  store: AuthStore;
  /** Where MintToken reads the revocation cutoff: the uncached store, so a revocation made through
   * another instance a moment ago is seen (default: `store`). */
  cutoffReader?: Pick<AuthStore, 'userAuth'>;
  /** Told of every committed revocation: this instance closes its own sessions of that user at once
   * (other instances find the cutoff by polling; auth/revocation-sweeper.ts). */
  onRevoked?: (userId: bigint, cutoff: number) => void;
  now?: () => number;
}

/** A snowflake request field, or INVALID_ARGUMENT naming it. */
export function parseUserIdField(value: string, field = 'user_id'): bigint {
  let id: bigint;
  try {
    id = parseSnowflake(value);
  } catch {
    throw new InvalidArgumentError(field, `must be a snowflake (decimal string), got ${JSON.stringify(value)}`);
  }
  if (id === 0n || id > MAX_STORABLE_USER_ID) throw new InvalidArgumentError(field, `must be between 1 and ${MAX_STORABLE_USER_ID}`);
  return id;
}

export function parsePrivilegedIntentsField(value: number, field = 'intents'): number {
  const extra = value & ~PRIVILEGED_INTENTS;
  if (!Number.isInteger(value) || value < 0 || extra !== 0 || value > 0x7fffffff) {
    throw new InvalidArgumentError(field, `only privileged intent bits (mask ${PRIVILEGED_INTENTS}) may be granted; unknown or unprivileged bits ${extra >>> 0}`);
  }
  return value;
}

/**
 * Signs a token for `userId`. With a store, issued-at is never before the user's revocation
 * cutoff, so a token minted in the same second as a revocation is valid (the cutoff is the next
 * whole second; see revoke below).
 */
export async function issueToken(
  signer: TokenSigner,
  userId: bigint,
  nowMs: number,
  store?: Pick<AuthStore, 'userAuth'>,
): Promise<{ token: string; issuedAt: number }> {
  let issuedAt = Math.floor(nowMs / 1000);
  if (store) issuedAt = Math.max(issuedAt, (await store.userAuth(userId)).tokensValidAfter);
  return { token: signer.sign({ userId, issuedAt }), issuedAt };
}

/** Revokes every token issued up to and including the current second. Returns the cutoff (unix s). */
export function revokeAllTokens(store: AuthStore, userId: bigint, nowMs: number): Promise<number> {
  return store.revokeTokens(userId, Math.floor(nowMs / 1000) + 1);
}

/** The three admin RPCs, spread into the GatewayService implementation in start.ts. */
export function adminHandlers(deps: AdminServiceDeps) {
  const now = deps.now ?? Date.now;
  return {
    mintToken: async (request: { userId: string }) => {
      const userId = parseUserIdField(request.userId);
      const { token, issuedAt } = await issueToken(deps.signer, userId, now(), deps.cutoffReader ?? deps.store);
      return { token, issuedAt: timestampFromMs(issuedAt * 1000) };
    },
    revokeTokens: async (request: { userId: string }) => {
      const userId = parseUserIdField(request.userId);
      const cutoff = await revokeAllTokens(deps.store, userId, now());
      deps.onRevoked?.(userId, cutoff);
      return { revokedBefore: timestampFromMs(cutoff * 1000) };
    },
    grantPrivilegedIntents: async (request: { userId: string; intents: number }) => {
      const userId = parseUserIdField(request.userId);
      const intents = parsePrivilegedIntentsField(request.intents);
      await deps.store.setPrivilegedIntents(userId, intents);
      return { intents };
    },
  };
}
