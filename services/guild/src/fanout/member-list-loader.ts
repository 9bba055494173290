// What a guild's member lists are built from: every member's display fields and roles, and the
// guild's roles' grouping fields. Loaded from PostgreSQL when the guild's first list subscription
// arrives at its owner (the state the owner keeps anyway has no names), then kept current by the
// guild's own member and role events.
import type { Database } from '@switchboard/runtime';
import type { ListMember, ListRole } from '../member-list';

/** A member as the list shows it, without the status (that comes from presence). */
export type MemberProfile = Omit<ListMember, 'status'>;

export interface GuildListData {
  /** Undefined for an unknown guild. */
  readonly ownerId?: bigint;
  readonly members: readonly MemberProfile[];
  readonly roles: readonly ListRole[];
}

export interface MemberListLoader {
  /** The guild's members and roles (empty for an unknown guild). */
  load(guildId: bigint): Promise<GuildListData>;
}

interface MemberRow {
  user_id: bigint;
  nick: string | null;
  role_ids: bigint[];
  joined_at: Date;
  username: string | null;
  global_name: string | null;
}

export class SqlMemberListLoader implements MemberListLoader {
  constructor(private readonly database: Pick<Database, 'query'>) {}

  async load(guildId: bigint): Promise<GuildListData> {
    const [guild, members, roles] = await Promise.all([
      this.database.query<{ owner_id: bigint }>('SELECT owner_id FROM guilds WHERE id = $1', [guildId]),
      // LEFT JOIN: a member whose profile row is missing still gets listed (by id).
      this.database.query<MemberRow>(
        `SELECT m.user_id, m.nick, m.role_ids, m.joined_at, u.username, u.global_name
           FROM members m LEFT JOIN users u ON u.id = m.user_id
          WHERE m.guild_id = $1`,
        [guildId],
      ),
      this.database.query<{ id: bigint; position: number; hoist: boolean }>(
        'SELECT id, position, hoist FROM roles WHERE guild_id = $1',
        [guildId],
      ),
    ]);
    const ownerId = guild.rows[0]?.owner_id;
    return {
      ...(ownerId === undefined ? {} : { ownerId }),
      members: members.rows.map((row) => ({
        userId: row.user_id,
        username: row.username ?? row.user_id.toString(),
        globalName: row.global_name,
        nick: row.nick,
        roles: row.role_ids,
        extra: { joined_at: row.joined_at.toISOString() },
      })),
      roles: roles.rows.map((row) => ({ id: row.id, position: Number(row.position), hoist: row.hoist })),
    };
  }
}
