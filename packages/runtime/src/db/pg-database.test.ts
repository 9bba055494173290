// The database contract on a real PostgreSQL 15 (brought up by jest's global setup through
// deploy/local/postgres.sh). Each run works in a schema of its own, dropped at the end, so reruns
// and parallel runs don't see each other's tables.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import { Database } from './database';
import { describeDatabaseContract } from './database.contract';
import { openDatabase } from './open-database';

const url = requireDatabaseUrl();
const { hostname, port } = new URL(url);
const label = `postgresql 15 at ${hostname}:${port}`;

/** Opens handles onto a fresh schema; `drop` removes it with everything in it. */
async function freshSchema(): Promise<{ open: (poolSize?: number) => Promise<Database>; drop: () => Promise<void> }> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const opened: Database[] = [];
  return {
    open: async (poolSize) => {
      const db = await openDatabase({ url, searchPath: schema, ...(poolSize ? { poolSize } : {}) });
      opened.push(db);
      return db;
    },
    drop: async () => {
      await Promise.all(opened.map((db) => db.close()));
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

describeDatabaseContract(label, async () => {
  const schema = await freshSchema();
  // Two pools, as two service instances would have: migrations race for real here.
  return { db: await schema.open(), peer: await schema.open(), teardown: schema.drop };
});

describe(`PostgreSQL database (${label})`, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let db: Database;
  beforeAll(async () => {
    schema = await freshSchema();
    db = await schema.open(3);
  });
  afterAll(() => schema?.drop());

  it('talks to PostgreSQL 15, the version production runs', async () => {
    const { rows } = await db.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    expect(Math.floor(rows[0]!.v / 10000)).toBe(15);
  });

  it('parses int8 as bigint for its own pool only, leaving node-postgres globals alone', async () => {
    expect((await db.query('SELECT 7::bigint AS n')).rows).toEqual([{ n: 7n }]);
    const parse = pg.types.getTypeParser(20) as (value: string) => unknown;
    expect(parse('7')).toBe('7');
  });

  it('queues callers beyond the pool size instead of failing', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => db.query<{ i: number }>('SELECT $1::int AS i, pg_sleep(0.02)', [i])));
    expect(results.map((r) => r.rows[0]!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('closes idempotently and rejects later queries', async () => {
    const other = await schema.open(1);
    await Promise.all([other.close(), other.close()]);
    await expect(other.query('SELECT 1')).rejects.toThrow();
  });
});
