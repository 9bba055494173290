// Snowflake ids minted by several guild instances must not collide: each instance leases distinct
// worker/process bits from a PostgreSQL sequence at start (migration 0010), instead of relying on
// pod names or configuration that a Deployment cannot make unique.
import { SnowflakeGenerator } from '@switchboard/runtime';
import type { Queryable } from '@switchboard/runtime';

export async function leaseSnowflakeGenerator(database: Queryable): Promise<SnowflakeGenerator> {
  const { rows } = await database.query<{ n: bigint }>("SELECT nextval('guild_snowflake_workers') AS n");
  const bits = Number(BigInt(rows[0]!.n) % 1024n);
  return new SnowflakeGenerator({ workerId: bits >> 5, processId: bits & 31 });
}
