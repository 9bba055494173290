// SqlAuthStore on PGlite (embedded mode) with the gateway's real migrations.
import { loadMigrations, migrate, openDatabase } from '@switchboard/runtime';
import { GATEWAY_MIGRATIONS_DIR } from '../start';
import { describeAuthStoreContract } from './auth-store.contract';
import { SqlAuthStore } from './sql-auth-store';

describeAuthStoreContract('SQL on PGlite', async () => {
  const db = await openDatabase({ url: 'pglite://memory' });
  await migrate(db, await loadMigrations(GATEWAY_MIGRATIONS_DIR), { table: 'gateway_schema_migrations' });
  return { store: new SqlAuthStore(db), teardown: () => db.close() };
});
