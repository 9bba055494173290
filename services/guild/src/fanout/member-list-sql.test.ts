// Member lists from the durable rows on PGlite, through the real GuildState: names and roles from
// SqlMemberListLoader, visibility from SqlGuildStateLoader, and a role becoming hoisted regrouping
// the list for its subscribers at the role event's offset.
import { PermissionFlags } from '@switchboard/runtime';
import { guildScope } from '../events';
import type { MemberListOp, MemberListUpdate } from '../member-list';
import { SqlGuildStateLoader } from '../state';
import { openTestGuildDatabase } from '../testing/guild-database';
import type { TestGuildDatabase } from '../testing/guild-database';
import { until } from './fanout-test-support';
import { SqlMemberListLoader } from './member-list-loader';
import { startOwnerHarness } from './owner-harness';
import type { OwnerHarness } from './owner-harness';

const G = 10n;
const CHANNEL = 30n;
const MODS = 20n;

function itemsOf(ops: readonly MemberListOp[]): string[] {
  return ops.flatMap((op) => (op.op === 'SYNC' ? op.items.map((item) => ('group' in item ? `[${item.group.id}]` : item.member.user.username)) : []));
}

describe('fanout – member lists from PostgreSQL rows (PGlite)', () => {
  let db: TestGuildDatabase;
  let h: OwnerHarness;

  beforeEach(async () => {
    db = await openTestGuildDatabase('pglite');
    const q = db.database;
    await q.query('INSERT INTO guilds (id, name, owner_id) VALUES ($1, $2, $3)', [G, 'g', 1n]);
    await q.query("INSERT INTO roles (id, guild_id, name, permissions, position, hoist) VALUES ($1, $1, '@everyone', $2, 0, false), ($3, $1, 'mods', 0, 1, false)", [
      G, PermissionFlags.VIEW_CHANNEL.toString(), MODS,
    ]);
    await q.query("INSERT INTO channels (id, guild_id, type, name) VALUES ($1, $2, 0, 'general')", [CHANNEL, G]);
    await q.query("INSERT INTO users (id, username) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
    await q.query('INSERT INTO members (guild_id, user_id, role_ids) VALUES ($1, 1, $2), ($1, 2, $3), ($1, 3, $3)', [G, [MODS], []]);
    h = await startOwnerHarness(new SqlGuildStateLoader(db.database), { memberListLoader: new SqlMemberListLoader(db.database) });
  });

  afterEach(async () => {
    await h.close();
    await db.teardown();
  });

  it('lists the rows\' members by name and regroups them when a role becomes hoisted', async () => {
    const gw = h.gateway('gw');
    await gw.interest([[guildScope(G), 1n], [guildScope(G), 2n]]);
    gw.send({ kind: { case: 'memberList', value: { guildId: `${G}`, channelId: `${CHANNEL}`, sessionId: 's1', userId: '1', ranges: [{ first: 0, last: 99 }] } } });
    const updates = () => gw.events.filter((e) => e.type === 'GUILD_MEMBER_LIST_UPDATE');
    await until(() => updates().length === 1, 'the SYNC');
    expect(itemsOf((JSON.parse(updates()[0]!.payloadJson) as MemberListUpdate).ops)).toEqual(['[online]', 'ann', 'bob', '[offline]', 'cy']);

    const record = await h.publish({
      scope: guildScope(G), type: 'GUILD_ROLE_UPDATE',
      payload: { guild_id: `${G}`, role: { id: `${MODS}`, name: 'mods', permissions: '0', position: 1, hoist: true } },
    });
    await until(() => h.committed(record), 'the role update to commit');
    const regrouped = updates().filter((e) => e.offset === record.offset);
    expect(regrouped.map((e) => e.subIndex)).toEqual([1]);
    const update = JSON.parse(regrouped[0]!.payloadJson) as MemberListUpdate;
    expect(itemsOf(update.ops)).toEqual([`[${MODS}]`, 'ann', '[online]', 'bob', '[offline]', 'cy']);
    expect(update.groups).toEqual([{ id: `${MODS}`, count: 1 }, { id: 'online', count: 1 }, { id: 'offline', count: 1 }]);
  });
});
