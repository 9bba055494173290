// SqlAuthStore on the real PostgreSQL 15 (jest's global setup brings it up), in a fresh schema
// per run that is dropped afterwards, with the gateway's real migrations.
import { randomBytes } from 'node:crypto';
import { loadMigrations, migrate, openDatabase } from '@switchboard/runtime';
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import { GATEWAY_MIGRATIONS_DIR } from '../start';
import { describeAuthStoreContract } from './auth-store.contract';
import { SqlAuthStore } from './sql-auth-store';

describeAuthStoreContract('SQL on PostgreSQL', async () => {
  const url = requireDatabaseUrl();
  const schema = `test_gateway_auth_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openDatabase({ url, searchPath: schema, poolSize: 4 });
  await migrate(db, await loadMigrations(GATEWAY_MIGRATIONS_DIR), { table: 'gateway_schema_migrations' });
  return {
    store: new SqlAuthStore(db),
    teardown: async () => {
      await db.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
});
