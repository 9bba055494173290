// Rows as the store returns them: BIGINT columns come back as bigint, NUMERIC (permission
// bitsets) as decimal strings, TIMESTAMPTZ as Date.
export interface UserRow {
  id: bigint;
  username: string;
  global_name: string | null;
  avatar: string | null;
  bot: boolean;
}

export interface GuildRow {
  id: bigint;
  name: string;
  owner_id: bigint;
  icon: string | null;
  features: string[];
  deleted_at: Date | null;
  /** Kept by the triggers of migration 0003. */
  member_count: number;
}

export interface RoleRow {
  id: bigint;
  guild_id: bigint;
  name: string;
  permissions: string;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
}

export interface ChannelRow {
  id: bigint;
  guild_id: bigint | null;
  type: number;
  name: string | null;
  topic: string | null;
  parent_id: bigint | null;
  position: number;
  nsfw: boolean;
}

export interface OverwriteRow {
  channel_id: bigint;
  target_id: bigint;
  type: number;
  allow: string;
  deny: string;
}

/** A member with its user profile (LEFT JOINed: the profile may be missing, then `username` is null). */
export interface MemberRow {
  guild_id: bigint;
  user_id: bigint;
  nick: string | null;
  role_ids: bigint[];
  joined_at: Date;
  communication_disabled_until: Date | null;
  username: string | null;
  global_name: string | null;
  avatar: string | null;
  bot: boolean | null;
}

/** A channel with what its payload needs: overwrites (guild channels) or recipients (DMs). */
export interface ChannelWithExtras extends ChannelRow {
  overwrites: OverwriteRow[];
  recipients: UserRow[];
}
