// SQL for guild members (each joined with its user profile) and a user's guilds. Member lists are
// read in pages by user id so a guild of a million members is never one result set.
import type { Queryable } from '@switchboard/runtime';
import type { MemberRow } from './rows';

const MEMBER_SELECT = `SELECT m.guild_id, m.user_id, m.nick, m.role_ids, m.joined_at, m.communication_disabled_until,
  u.username, u.global_name, u.avatar, u.bot
  FROM members m LEFT JOIN users u ON u.id = m.user_id`;

export async function getMember(q: Queryable, guildId: bigint, userId: bigint): Promise<MemberRow | undefined> {
  const result = await q.query<MemberRow>(`${MEMBER_SELECT} WHERE m.guild_id = $1 AND m.user_id = $2`, [guildId, userId]);
  return result.rows[0];
}

/** The memberships of one user in several guilds. */
export async function getMemberships(q: Queryable, guildIds: readonly bigint[], userId: bigint): Promise<MemberRow[]> {
  if (guildIds.length === 0) return [];
  const result = await q.query<MemberRow>(`${MEMBER_SELECT} WHERE m.guild_id = ANY($1::bigint[]) AND m.user_id = $2`, [guildIds, userId]);
  return result.rows;
}

/** Every member of some (small) guilds, by guild and user id. */
export async function getAllMembersOf(q: Queryable, guildIds: readonly bigint[]): Promise<MemberRow[]> {
  if (guildIds.length === 0) return [];
  const result = await q.query<MemberRow>(`${MEMBER_SELECT} WHERE m.guild_id = ANY($1::bigint[]) ORDER BY m.guild_id, m.user_id`, [guildIds]);
  return result.rows;
}

/** Up to `limit` members with user id > `after`, by user id (keyset paging). */
export async function getMembersPage(q: Queryable, guildId: bigint, after: bigint, limit: number): Promise<MemberRow[]> {
  const result = await q.query<MemberRow>(`${MEMBER_SELECT} WHERE m.guild_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3`, [
    guildId,
    after,
    limit,
  ]);
  return result.rows;
}

export async function getMembersByIds(q: Queryable, guildId: bigint, userIds: readonly bigint[]): Promise<MemberRow[]> {
  if (userIds.length === 0) return [];
  const result = await q.query<MemberRow>(`${MEMBER_SELECT} WHERE m.guild_id = $1 AND m.user_id = ANY($2::bigint[]) ORDER BY m.user_id`, [
    guildId,
    userIds,
  ]);
  return result.rows;
}

/** Members whose username or nick starts with `prefix`, case-insensitively (LIKE wildcards escaped). */
export async function searchMembers(q: Queryable, guildId: bigint, prefix: string, limit: number): Promise<MemberRow[]> {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const result = await q.query<MemberRow>(
    `${MEMBER_SELECT} WHERE m.guild_id = $1 AND (lower(u.username) LIKE $2 OR lower(m.nick) LIKE $2)
     ORDER BY lower(u.username), m.user_id LIMIT $3`,
    [guildId, pattern, limit],
  );
  return result.rows;
}

export async function insertMember(q: Queryable, guildId: bigint, userId: bigint, nick: string | null, roleIds: readonly bigint[]): Promise<void> {
  await q.query('INSERT INTO members (guild_id, user_id, nick, role_ids) VALUES ($1, $2, $3, $4::bigint[])', [guildId, userId, nick, roleIds]);
}

export async function updateMember(q: Queryable, guildId: bigint, userId: bigint, nick: string | null, roleIds: readonly bigint[]): Promise<void> {
  await q.query('UPDATE members SET nick = $3, role_ids = $4::bigint[] WHERE guild_id = $1 AND user_id = $2', [guildId, userId, nick, roleIds]);
}

export async function deleteMember(q: Queryable, guildId: bigint, userId: bigint): Promise<void> {
  await q.query('DELETE FROM members WHERE guild_id = $1 AND user_id = $2', [guildId, userId]);
}

/** The user's non-deleted guilds on a shard: (guild_id >> 22) % shardCount = shardId (Discord's rule). */
export async function userGuildIds(q: Queryable, userId: bigint, shardId: number, shardCount: number): Promise<bigint[]> {
  const result = await q.query<{ id: bigint }>(
    `SELECT g.id FROM members m JOIN guilds g ON g.id = m.guild_id
     WHERE m.user_id = $1 AND g.deleted_at IS NULL AND ($3::bigint <= 1 OR (g.id >> 22) % $3::bigint = $2::bigint)
     ORDER BY g.id`,
    [userId, shardId, shardCount],
  );
  return result.rows.map((row) => row.id);
}
