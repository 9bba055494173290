// AuthStore on the gateway's database (migrations/0001_auth.sql). One primary-key read per cache
// miss; writes are single-statement upserts, so concurrent admin calls need no transaction.
import type { Queryable } from '@switchboard/runtime';
import type { AuthStore, RevocationPage, UserAuthState } from './auth-store';
import { MAX_STORABLE_USER_ID, NO_AUTH_STATE } from './auth-store';

interface Row {
  tokens_valid_after: bigint | number;
  privileged_intents: number;
}

function checkUserId(userId: bigint): bigint {
  if (userId < 0n || userId > MAX_STORABLE_USER_ID) throw new RangeError(`user id ${userId} does not fit a BIGINT column`);
  return userId;
}

export class SqlAuthStore implements AuthStore {
  constructor(private readonly db: Queryable) {}

  async userAuth(userId: bigint): Promise<UserAuthState> {
    const { rows } = await this.db.query<Row>(
      'SELECT tokens_valid_after, privileged_intents FROM gateway_user_auth WHERE user_id = $1',
      [checkUserId(userId)],
    );
    const row = rows[0];
    if (!row) return { ...NO_AUTH_STATE };
    return { tokensValidAfter: Number(row.tokens_valid_after), privilegedIntents: Number(row.privileged_intents) };
  }

  async revokeTokens(userId: bigint, validAfter: number): Promise<number> {
    const { rows } = await this.db.query<Pick<Row, 'tokens_valid_after'>>(
      `INSERT INTO gateway_user_auth (user_id, tokens_valid_after, revoked_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id) DO UPDATE
         SET tokens_valid_after = GREATEST(gateway_user_auth.tokens_valid_after, EXCLUDED.tokens_valid_after),
             revoked_at = CASE WHEN EXCLUDED.tokens_valid_after > gateway_user_auth.tokens_valid_after
                               THEN now() ELSE gateway_user_auth.revoked_at END,
             updated_at = now()
       RETURNING tokens_valid_after`,
      [checkUserId(userId), BigInt(validAfter)],
    );
    return Number(rows[0]!.tokens_valid_after);
  }

  /**
   * One range scan of the partial index on revoked_at. The one-row `clock` side makes the query
   * answer the database's time even when nothing changed (the LEFT JOIN yields one NULL row).
   */
  async revocationsSince(sinceMs: number): Promise<RevocationPage> {
    const { rows } = await this.db.query<{ user_id: bigint | null; tokens_valid_after: bigint | number | null; as_of: Date }>(
      `SELECT u.user_id, u.tokens_valid_after, clock.as_of
         FROM (SELECT now() AS as_of) AS clock
         LEFT JOIN gateway_user_auth AS u ON u.revoked_at >= $1`,
      [new Date(sinceMs)],
    );
    const revocations = rows
      .filter((row) => row.user_id !== null)
      .map((row) => ({ userId: BigInt(row.user_id!), tokensValidAfter: Number(row.tokens_valid_after) }));
    return { revocations, asOfMs: new Date(rows[0]!.as_of).getTime() };
  }

  async setPrivilegedIntents(userId: bigint, intents: number): Promise<void> {
    await this.db.query(
      `INSERT INTO gateway_user_auth (user_id, privileged_intents) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET privileged_intents = EXCLUDED.privileged_intents, updated_at = now()`,
      [checkUserId(userId), intents],
    );
  }
}
