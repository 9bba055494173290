// Test databases with the presence service's migrations: PGlite in memory, or a fresh schema on
// the real PostgreSQL (dropped by teardown), with the URL carrying the schema as its search_path
// so a whole service can be pointed at it through DATABASE_URL.
import { randomBytes } from 'node:crypto';
import { loadMigrations, migrate, openDatabase } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { PRESENCE_MIGRATIONS_DIR } from '../start';

export interface TestPresenceDatabase {
  database: Database;
  /** For DATABASE_URL (PostgreSQL: the fresh schema as search_path). */
  url: string;
  teardown(): Promise<void>;
}

export async function openPgliteTestDatabase(): Promise<TestPresenceDatabase> {
  const database = await openDatabase({ url: 'pglite://memory' });
  await migrate(database, await loadMigrations(PRESENCE_MIGRATIONS_DIR), { table: 'presence_schema_migrations' });
  return { database, url: 'pglite://memory', teardown: () => database.close() };
}

/** A fresh schema on the PostgreSQL at `baseUrl` (tests pass requireDatabaseUrl()). */
export async function openPostgresTestSchema(baseUrl: string): Promise<TestPresenceDatabase> {
  const schema = `test_presence_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url: baseUrl, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const url = withSearchPath(baseUrl, schema);
  const database = await openDatabase({ url, poolSize: 2 });
  await migrate(database, await loadMigrations(PRESENCE_MIGRATIONS_DIR), { table: 'presence_schema_migrations' });
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

export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}
