// The presences a write's GUILD_CREATE lists (AddMember: the joining user; CreateGuild: the
// owner), read BEFORE the write takes the guild's lock: a call to the presence service must not
// hold every other write to the guild back. The read covers the guild's members when the guild is
// small enough for GUILD_CREATE to list them all, plus the user; a member who joins between the
// read and the lock is listed without a presence (presences are a decoration; their next
// PRESENCE_UPDATE brings it).
import type { Queryable } from '@switchboard/runtime';
import { presencesOrNone } from '../presence-reader';
import type { PresenceReader } from '../presence-reader';
import type { GuildCreatePresences } from './guild-create';
import { DEFAULT_LARGE_THRESHOLD } from './guild-create';
import type { GuildApiDeps } from './write-path';

async function listedMembers(q: Queryable, guildId: bigint | undefined): Promise<bigint[]> {
  if (guildId === undefined) return [];
  const { rows } = await q.query<{ user_id: string }>(
    'SELECT user_id::text FROM members WHERE guild_id = $1 LIMIT $2',
    [guildId, DEFAULT_LARGE_THRESHOLD + 1],
  );
  // Large: GUILD_CREATE lists only the user's own member.
  return rows.length > DEFAULT_LARGE_THRESHOLD ? [] : rows.map((row) => BigInt(row.user_id));
}

/** The presences for a GUILD_CREATE the write will build under its lock (none without a presence service). */
export async function presencesBeforeLock(deps: GuildApiDeps, guildId: bigint | undefined, userId: bigint): Promise<GuildCreatePresences> {
  if (!deps.presences) return {};
  const ids = [...new Set([...(await listedMembers(deps.database, guildId)), userId])];
  const read = await presencesOrNone(deps.presences, ids, { logger: deps.logger, what: 'GUILD_CREATE' });
  const snapshot: PresenceReader = {
    presencesOf: async (userIds) => new Map(userIds.flatMap((id) => {
      const presence = read.get(id);
      return presence ? [[id, presence] as const] : [];
    })),
  };
  return { reader: snapshot, logger: deps.logger };
}
