// Test databases with the push service's migrations: PGlite in memory, or a fresh schema on the
// real PostgreSQL (dropped by teardown), with the URL carrying the schema as its search_path so a
// whole service can be pointed at it through DATABASE_URL.
import { randomBytes } from 'node:crypto';
import { loadMigrations, migrate, openDatabase } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { PUSH_MIGRATIONS_DIR } from '../../start';

export interface TestPushDatabase {
  database: Database;
  url: string;
  teardown(): Promise<void>;
}

const MIGRATIONS_TABLE = 'push_schema_migrations';

export async function openPglitePushDatabase(): Promise<TestPushDatabase> {
  const database = await openDatabase({ url: 'pglite://memory' });
  await migrate(database, await loadMigrations(PUSH_MIGRATIONS_DIR), { table: MIGRATIONS_TABLE });
  return { database, url: 'pglite://memory', teardown: () => database.close() };
}

/** A fresh schema on the PostgreSQL at `baseUrl` (tests pass requireDatabaseUrl()). */
export async function openPostgresPushSchema(baseUrl: string): Promise<TestPushDatabase> {
  const schema = `test_push_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url: baseUrl, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const parsed = new URL(baseUrl);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  const url = parsed.toString();
  const database = await openDatabase({ url, poolSize: 2 });
  await migrate(database, await loadMigrations(PUSH_MIGRATIONS_DIR), { table: MIGRATIONS_TABLE });
  return {
    database,
    url,
    teardown: async () => {
      await database.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}
