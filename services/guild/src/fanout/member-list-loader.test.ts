// The member lists' data from the durable rows: names (nick, global name, username), member
// roles, the roles' grouping fields and the owner — the same on PGlite and on the real PostgreSQL.
import { openTestGuildDatabase } from '../testing/guild-database';
import type { TestDatabaseKind, TestGuildDatabase } from '../testing/guild-database';
import { SqlMemberListLoader } from './member-list-loader';

describe.each<TestDatabaseKind>(['pglite', 'postgresql'])('SqlMemberListLoader on %s', (kind) => {
  let db: TestGuildDatabase;
  const big = 9007199254740993n;

  beforeAll(async () => {
    db = await openTestGuildDatabase(kind);
    const q = db.database;
    await q.query('INSERT INTO guilds (id, name, owner_id) VALUES ($1, $2, $3), ($4, $5, $3)', [10n, 'g', 2n, 11n, 'other']);
    await q.query("INSERT INTO roles (id, guild_id, name, permissions, position, hoist) VALUES ($1, $2, '@everyone', 0, 0, false), ($3, $2, 'mods', 0, 5, true)", [
      10n, 10n, 20n,
    ]);
    await q.query("INSERT INTO users (id, username, global_name) VALUES ($1, 'ann', 'Ann'), ($2, 'bob', NULL)", [2n, big]);
    await q.query(
      "INSERT INTO members (guild_id, user_id, nick, role_ids, joined_at) VALUES ($1, $2, NULL, $3, '2026-01-02T03:04:05Z'), ($1, $4, 'bobby', $5, now()), ($1, $6, NULL, $5, now()), ($7, $2, NULL, $5, now())",
      [10n, 2n, [20n], big, [], 3n, 11n],
    );
  });
  afterAll(() => db?.teardown());

  it('loads every member with their names and roles, the roles with position and hoist, and the owner', async () => {
    const data = await new SqlMemberListLoader(db.database).load(10n);
    expect(data.ownerId).toBe(2n);
    const byId = new Map(data.members.map((m) => [m.userId, m]));
    expect(byId.size).toBe(3);
    expect(byId.get(2n)).toEqual({ userId: 2n, username: 'ann', globalName: 'Ann', nick: null, roles: [20n], extra: { joined_at: '2026-01-02T03:04:05.000Z' } });
    expect(byId.get(big)).toMatchObject({ username: 'bob', globalName: null, nick: 'bobby', roles: [] });
    // No users row: listed under its id rather than left out.
    expect(byId.get(3n)).toMatchObject({ username: '3', globalName: null });
    expect([...data.roles].sort((a, b) => a.position - b.position)).toEqual([
      { id: 10n, position: 0, hoist: false },
      { id: 20n, position: 5, hoist: true },
    ]);
  });

  it('answers an unknown guild with nothing', async () => {
    await expect(new SqlMemberListLoader(db.database).load(99n)).resolves.toEqual({ members: [], roles: [] });
  });
});
