// Builds a GuildState from PostgreSQL when an instance takes a guild over (first event after a
// partition moved to it). The durable rows may already be ahead of the events still in the log;
// applying those older events afterwards is harmless because every state event carries the whole
// object (upserts), so the state converges on the log's end.
import type { Database } from '@switchboard/runtime';
import type { OverwriteView } from '@switchboard/runtime';
import { GuildState } from './guild-state';
import type { ChannelState, GuildStateLoader } from './guild-state';

interface OverwriteRow {
  channel_id: bigint;
  target_id: bigint;
  type: number;
  allow: string;
  deny: string;
}

export class SqlGuildStateLoader implements GuildStateLoader {
  constructor(private readonly database: Database) {}

  async load(guildId: bigint): Promise<GuildState | undefined> {
    const guilds = await this.database.query<{ owner_id: bigint }>(
      'SELECT owner_id FROM guilds WHERE id = $1 AND deleted_at IS NULL',
      [guildId],
    );
    const guild = guilds.rows[0];
    if (!guild) return undefined;
    const [roles, channels, overwrites, members] = await Promise.all([
      this.database.query<{ id: bigint; permissions: string }>('SELECT id, permissions FROM roles WHERE guild_id = $1', [guildId]),
      this.database.query<{ id: bigint; type: number }>('SELECT id, type FROM channels WHERE guild_id = $1', [guildId]),
      this.database.query<OverwriteRow>(
        `SELECT o.channel_id, o.target_id, o.type, o.allow, o.deny
           FROM permission_overwrites o JOIN channels c ON c.id = o.channel_id
          WHERE c.guild_id = $1`,
        [guildId],
      ),
      this.database.query<{ user_id: bigint; role_ids: bigint[]; communication_disabled_until: Date | null }>(
        'SELECT user_id, role_ids, communication_disabled_until FROM members WHERE guild_id = $1',
        [guildId],
      ),
    ]);
    const byChannel = new Map<bigint, ChannelState>();
    for (const row of channels.rows) byChannel.set(row.id, { id: row.id, type: Number(row.type), overwrites: new Map() });
    for (const row of overwrites.rows) byChannel.get(row.channel_id)?.overwrites.set(row.target_id, overwriteOf(row));
    return new GuildState({
      id: guildId,
      ownerId: guild.owner_id,
      roles: roles.rows.map((row) => ({ id: row.id, permissions: BigInt(row.permissions) })),
      channels: byChannel.values(),
      members: members.rows.map((row) => ({
        userId: row.user_id,
        roleIds: row.role_ids,
        ...(row.communication_disabled_until ? { communicationDisabledUntil: row.communication_disabled_until.getTime() } : {}),
      })),
    });
  }
}

function overwriteOf(row: OverwriteRow): OverwriteView {
  return { id: row.target_id, type: Number(row.type) === 1 ? 1 : 0, allow: BigInt(row.allow), deny: BigInt(row.deny) };
}
