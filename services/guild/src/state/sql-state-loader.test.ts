// The owner's state is rebuilt from the durable rows: roles, channels with overwrites, members
// with roles — the same on PGlite and on the real PostgreSQL.
import { PermissionFlags } from '@switchboard/runtime';
import { openTestGuildDatabase } from '../testing/guild-database';
import type { TestDatabaseKind, TestGuildDatabase } from '../testing/guild-database';
import { SqlGuildStateLoader } from './sql-state-loader';

const VIEW = PermissionFlags.VIEW_CHANNEL;

describe.each<TestDatabaseKind>(['pglite', 'postgresql'])('SqlGuildStateLoader on %s', (kind) => {
  let db: TestGuildDatabase;
  beforeAll(async () => {
    db = await openTestGuildDatabase(kind);
    const q = db.database;
    await q.query('INSERT INTO guilds (id, name, owner_id) VALUES ($1, $2, $3)', [10n, 'g', 1n]);
    await q.query('INSERT INTO guilds (id, name, owner_id, deleted_at) VALUES ($1, $2, $3, now())', [11n, 'gone', 1n]);
    await q.query('INSERT INTO roles (id, guild_id, name, permissions) VALUES ($1, $2, $3, $4), ($5, $2, $6, $7)', [
      10n, 10n, '@everyone', VIEW.toString(), 20n, 'staff', '0',
    ]);
    await q.query('INSERT INTO channels (id, guild_id, type, name) VALUES ($1, $2, 0, $3), ($4, $2, 0, $5)', [30n, 10n, 'general', 31n, 'staff-only']);
    await q.query('INSERT INTO permission_overwrites (channel_id, target_id, type, allow, deny) VALUES ($1, $2, 0, 0, $3), ($1, $4, 0, $3, 0)', [
      31n, 10n, VIEW.toString(), 20n,
    ]);
    await q.query('INSERT INTO members (guild_id, user_id, role_ids) VALUES ($1, $2, $3), ($1, $4, $5), ($1, $6, $5)', [
      10n, 2n, [20n], 3n, [], 9007199254740993n,
    ]);
  });
  afterAll(() => db?.teardown());

  it('rebuilds roles, channel overwrites and member roles so visibility matches the rows', async () => {
    const state = await new SqlGuildStateLoader(db.database).load(10n);
    expect(state).toBeDefined();
    expect(state!.canView(2n, 31n)).toBe(true);
    expect(state!.canView(3n, 31n)).toBe(false);
    expect(state!.canView(3n, 30n)).toBe(true);
    expect(state!.isMember(9007199254740993n)).toBe(true);
    expect(state!.canView(1n, 31n)).toBe(false);
  });

  it('knows no deleted or unknown guild', async () => {
    const loader = new SqlGuildStateLoader(db.database);
    await expect(loader.load(11n)).resolves.toBeUndefined();
    await expect(loader.load(12n)).resolves.toBeUndefined();
  });
});
