// SQL of the product API over the guild schema (migrations 0001, 0002): users, guilds, roles,
// channels with their overwrites and recipients. Members are in member-store.ts. Every function
// takes the Queryable it runs on, so writes run inside the caller's locked transaction.
import type { Queryable } from '@switchboard/runtime';
import type { ChannelRow, ChannelWithExtras, GuildRow, OverwriteRow, RoleRow, UserRow } from './rows';
import type { OverwriteInput } from './validate';

const USER_COLUMNS = 'u.id, u.username, u.global_name, u.avatar, u.bot';

export async function upsertUser(q: Queryable, user: UserRow): Promise<UserRow> {
  const result = await q.query<UserRow>(
    `INSERT INTO users (id, username, global_name, avatar, bot) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET username = $2, global_name = $3, avatar = $4, bot = $5
     RETURNING id, username, global_name, avatar, bot`,
    [user.id, user.username, user.global_name, user.avatar, user.bot],
  );
  return result.rows[0]!;
}

export async function getUsers(q: Queryable, ids: readonly bigint[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const result = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::bigint[]) ORDER BY u.id`, [ids]);
  return result.rows;
}

export async function getUser(q: Queryable, id: bigint): Promise<UserRow | undefined> {
  return (await getUsers(q, [id]))[0];
}

// ---- guilds ----

export async function insertGuild(q: Queryable, guild: Omit<GuildRow, 'deleted_at' | 'member_count'>): Promise<void> {
  await q.query('INSERT INTO guilds (id, name, owner_id, icon, features) VALUES ($1, $2, $3, $4, $5)', [
    guild.id,
    guild.name,
    guild.owner_id,
    guild.icon,
    guild.features,
  ]);
}

/** A guild that exists and is not deleted. */
export async function getGuild(q: Queryable, id: bigint): Promise<GuildRow | undefined> {
  const result = await q.query<GuildRow>(
    'SELECT id, name, owner_id, icon, features, deleted_at, member_count FROM guilds WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  return result.rows[0];
}

/** Guilds that exist and are not deleted, by id. */
export async function getGuilds(q: Queryable, ids: readonly bigint[]): Promise<GuildRow[]> {
  if (ids.length === 0) return [];
  const result = await q.query<GuildRow>(
    'SELECT id, name, owner_id, icon, features, deleted_at, member_count FROM guilds WHERE id = ANY($1::bigint[]) AND deleted_at IS NULL ORDER BY id',
    [ids],
  );
  return result.rows;
}

export async function updateGuild(q: Queryable, guild: GuildRow): Promise<void> {
  await q.query('UPDATE guilds SET name = $2, icon = $3, owner_id = $4 WHERE id = $1', [guild.id, guild.name, guild.icon, guild.owner_id]);
}

export async function softDeleteGuild(q: Queryable, id: bigint): Promise<void> {
  await q.query('UPDATE guilds SET deleted_at = now() WHERE id = $1', [id]);
}

// ---- roles ----

const ROLE_COLUMNS = 'id, guild_id, name, permissions::text AS permissions, position, color, hoist, mentionable';

export async function getRoles(q: Queryable, guildId: bigint): Promise<RoleRow[]> {
  return getRolesOf(q, [guildId]);
}

/** The roles of several guilds, each guild's in position order. */
export async function getRolesOf(q: Queryable, guildIds: readonly bigint[]): Promise<RoleRow[]> {
  const result = await q.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE guild_id = ANY($1::bigint[]) ORDER BY guild_id, position, id`, [
    guildIds,
  ]);
  return result.rows;
}

export async function getRole(q: Queryable, guildId: bigint, roleId: bigint): Promise<RoleRow | undefined> {
  const result = await q.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE guild_id = $1 AND id = $2`, [guildId, roleId]);
  return result.rows[0];
}

/** Inserts or rewrites a role (every column). */
export async function saveRole(q: Queryable, role: RoleRow): Promise<void> {
  await q.query(
    `INSERT INTO roles (id, guild_id, name, permissions, position, color, hoist, mentionable)
     VALUES ($1, $2, $3, $4::numeric, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET name = $3, permissions = $4::numeric, position = $5, color = $6, hoist = $7, mentionable = $8`,
    [role.id, role.guild_id, role.name, role.permissions, role.position, role.color, role.hoist, role.mentionable],
  );
}

/** Deletes a role with what refers to it: members' role_ids and the channel overwrites for it. */
export async function deleteRole(q: Queryable, guildId: bigint, roleId: bigint): Promise<void> {
  await q.query('DELETE FROM roles WHERE guild_id = $1 AND id = $2', [guildId, roleId]);
  await q.query('UPDATE members SET role_ids = array_remove(role_ids, $2::bigint) WHERE guild_id = $1 AND $2::bigint = ANY (role_ids)', [
    guildId,
    roleId,
  ]);
  await q.query(
    `DELETE FROM permission_overwrites po USING channels c
     WHERE po.channel_id = c.id AND c.guild_id = $1 AND po.target_id = $2 AND po.type = 0`,
    [guildId, roleId],
  );
}

// ---- channels ----

const CHANNEL_COLUMNS = 'id, guild_id, type, name, topic, parent_id, position, nsfw';

export async function getChannel(q: Queryable, id: bigint): Promise<ChannelRow | undefined> {
  const result = await q.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM channels WHERE id = $1`, [id]);
  return result.rows[0];
}

/** The channels of several guilds, each guild's in position order. */
export async function getChannelsOf(q: Queryable, guildIds: readonly bigint[]): Promise<ChannelRow[]> {
  const result = await q.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE guild_id = ANY($1::bigint[]) ORDER BY guild_id, position, id`,
    [guildIds],
  );
  return result.rows;
}

export async function getOverwrites(q: Queryable, channelIds: readonly bigint[]): Promise<OverwriteRow[]> {
  if (channelIds.length === 0) return [];
  const result = await q.query<OverwriteRow>(
    `SELECT channel_id, target_id, type, allow::text AS allow, deny::text AS deny
     FROM permission_overwrites WHERE channel_id = ANY($1::bigint[]) ORDER BY channel_id, type, target_id`,
    [channelIds],
  );
  return result.rows;
}

/** Inserts or rewrites a channel's own columns. */
export async function saveChannel(q: Queryable, channel: ChannelRow): Promise<void> {
  await q.query(
    `INSERT INTO channels (id, guild_id, type, name, topic, parent_id, position, nsfw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET name = $4, topic = $5, parent_id = $6, position = $7, nsfw = $8`,
    [channel.id, channel.guild_id, channel.type, channel.name, channel.topic, channel.parent_id, channel.position, channel.nsfw],
  );
}

export async function deleteChannel(q: Queryable, id: bigint): Promise<void> {
  await q.query('DELETE FROM channels WHERE id = $1', [id]);
}

/** Detaches the channels of a deleted category (as Discord does) and returns them. */
export async function orphanChildren(q: Queryable, categoryId: bigint): Promise<ChannelRow[]> {
  const result = await q.query<ChannelRow>(`UPDATE channels SET parent_id = NULL WHERE parent_id = $1 RETURNING ${CHANNEL_COLUMNS}`, [
    categoryId,
  ]);
  return result.rows;
}

/** Upserts overwrites; with `replace`, every other overwrite of the channel goes. */
export async function saveOverwrites(q: Queryable, channelId: bigint, overwrites: readonly OverwriteInput[], replace: boolean): Promise<void> {
  if (replace) await q.query('DELETE FROM permission_overwrites WHERE channel_id = $1', [channelId]);
  for (const o of overwrites) {
    await q.query(
      `INSERT INTO permission_overwrites (channel_id, target_id, type, allow, deny) VALUES ($1, $2, $3, $4::numeric, $5::numeric)
       ON CONFLICT (channel_id, target_id) DO UPDATE SET type = $3, allow = $4::numeric, deny = $5::numeric`,
      [channelId, o.targetId, o.type, o.allow.toString(), o.deny.toString()],
    );
  }
}

export async function getRecipients(q: Queryable, channelId: bigint): Promise<UserRow[]> {
  const result = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM channel_recipients r JOIN users u ON u.id = r.user_id WHERE r.channel_id = $1 ORDER BY u.id`,
    [channelId],
  );
  return result.rows;
}

export async function getRecipientIds(q: Queryable, channelId: bigint): Promise<bigint[]> {
  const result = await q.query<{ user_id: bigint }>('SELECT user_id FROM channel_recipients WHERE channel_id = $1 ORDER BY user_id', [channelId]);
  return result.rows.map((row) => row.user_id);
}

export async function insertRecipients(q: Queryable, channelId: bigint, userIds: readonly bigint[]): Promise<void> {
  await q.query('INSERT INTO channel_recipients (channel_id, user_id) SELECT $1, unnest($2::bigint[])', [channelId, userIds]);
}

/** The DM (type 1) between two users, if there is one. */
export async function findDm(q: Queryable, a: bigint, b: bigint): Promise<ChannelRow | undefined> {
  const result = await q.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels c WHERE c.type = 1
       AND EXISTS (SELECT 1 FROM channel_recipients r WHERE r.channel_id = c.id AND r.user_id = $1)
       AND EXISTS (SELECT 1 FROM channel_recipients r WHERE r.channel_id = c.id AND r.user_id = $2)
     ORDER BY c.id LIMIT 1`,
    [a, b],
  );
  return result.rows[0];
}

export async function privateChannelIds(q: Queryable, userId: bigint): Promise<bigint[]> {
  const result = await q.query<{ channel_id: bigint }>(
    `SELECT r.channel_id FROM channel_recipients r JOIN channels c ON c.id = r.channel_id
     WHERE r.user_id = $1 AND c.type IN (1, 3) ORDER BY r.channel_id`,
    [userId],
  );
  return result.rows.map((row) => row.channel_id);
}

/** A channel with its overwrites (guild channels) or recipients (DMs), as its payload needs. */
export async function withExtras(q: Queryable, channel: ChannelRow): Promise<ChannelWithExtras> {
  if (channel.guild_id === null) return { ...channel, overwrites: [], recipients: await getRecipients(q, channel.id) };
  return { ...channel, overwrites: await getOverwrites(q, [channel.id]), recipients: [] };
}

/** Every channel of some guilds with its overwrites, in two queries. */
export async function guildChannelsWithExtras(q: Queryable, ...guildIds: bigint[]): Promise<ChannelWithExtras[]> {
  const channels = await getChannelsOf(q, guildIds);
  const overwrites = await getOverwrites(q, channels.map((c) => c.id));
  const byChannel = new Map<bigint, OverwriteRow[]>();
  for (const o of overwrites) {
    const list = byChannel.get(o.channel_id);
    if (list) list.push(o);
    else byChannel.set(o.channel_id, [o]);
  }
  return channels.map((c) => ({ ...c, overwrites: byChannel.get(c.id) ?? [], recipients: [] }));
}
