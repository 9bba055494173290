// Test databases with the guild service's migrations: PGlite in memory, or a fresh schema on the
// real PostgreSQL (dropped by teardown), so suites can run the same cases against both.
import { randomBytes } from 'node:crypto';
import { loadMigrations, migrate, openDatabase } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { GUILD_MIGRATIONS_DIR } from '../start';

export type TestDatabaseKind = 'pglite' | 'postgresql';

export interface TestGuildDatabase {
  database: Database;
  teardown(): Promise<void>;
}

export async function openTestGuildDatabase(kind: TestDatabaseKind): Promise<TestGuildDatabase> {
  const migrations = await loadMigrations(GUILD_MIGRATIONS_DIR);
  if (kind === 'pglite') {
    const database = await openDatabase({ url: 'pglite://memory' });
    await migrate(database, migrations, { table: 'guild_schema_migrations' });
    return { database, teardown: () => database.close() };
  }
  // As test/support/backing-services.ts requireDatabaseUrl(); read here because this module is
  // built with the service (dist/), which cannot reach the repository's test/ folder.
  const url = process.env.SWITCHBOARD_TEST_DATABASE_URL;
  if (!url) throw new Error('SWITCHBOARD_TEST_DATABASE_URL is not set: run tests through jest (its global setup starts PostgreSQL)');
  const schema = `test_guild_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const database = await openDatabase({ url, searchPath: schema, poolSize: 4 });
  await migrate(database, migrations, { table: 'guild_schema_migrations' });
  return {
    database,
    teardown: async () => {
      await database.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}
