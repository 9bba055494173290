// Discord's JSON shapes of the objects dispatches carry (API v10): users, members, roles,
// channels, guilds. Snowflakes and permission bitsets are strings, timestamps ISO 8601. Every
// dispatch payload is built from these so one object never has two shapes.
import type { ChannelWithExtras, GuildRow, MemberRow, OverwriteRow, RoleRow, UserRow } from './rows';

export type Json = Record<string, unknown>;

export function userPayload(user: UserRow): Json {
  return {
    id: user.id.toString(),
    username: user.username,
    discriminator: '0',
    global_name: user.global_name,
    avatar: user.avatar,
    bot: user.bot,
    public_flags: 0,
  };
}

/** The user part of a member row (a member whose profile is missing still gets an object). */
export function memberUser(member: MemberRow): UserRow {
  return {
    id: member.user_id,
    username: member.username ?? '',
    global_name: member.global_name,
    avatar: member.avatar,
    bot: member.bot ?? false,
  };
}

/** A guild member object; `withUser: false` gives the partial member of MESSAGE_CREATE. */
export function memberPayload(member: MemberRow, options: { withUser?: boolean } = {}): Json {
  const payload: Json = {
    nick: member.nick,
    avatar: null,
    roles: member.role_ids.map(String),
    joined_at: member.joined_at.toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: member.communication_disabled_until?.toISOString() ?? null,
  };
  return options.withUser === false ? payload : { user: userPayload(memberUser(member)), ...payload };
}

export function rolePayload(role: RoleRow): Json {
  return {
    id: role.id.toString(),
    name: role.name,
    color: role.color,
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: false,
    mentionable: role.mentionable,
    flags: 0,
  };
}

export function overwritePayload(overwrite: OverwriteRow): Json {
  return { id: overwrite.target_id.toString(), type: overwrite.type, allow: overwrite.allow, deny: overwrite.deny };
}

/**
 * A channel object. Guild channels carry guild_id and permission_overwrites; DMs carry
 * `recipients`, which Discord sends without the receiving user (`viewerId`).
 */
export function channelPayload(channel: ChannelWithExtras, viewerId?: bigint): Json {
  if (channel.guild_id === null) {
    const payload: Json = {
      id: channel.id.toString(),
      type: channel.type,
      last_message_id: null,
      flags: 0,
      recipients: channel.recipients.filter((user) => user.id !== viewerId).map(userPayload),
    };
    if (channel.type !== 1) payload.name = channel.name;
    return payload;
  }
  return {
    id: channel.id.toString(),
    type: channel.type,
    guild_id: channel.guild_id.toString(),
    name: channel.name,
    topic: channel.type === 0 ? channel.topic : undefined,
    position: channel.position,
    parent_id: channel.parent_id?.toString() ?? null,
    nsfw: channel.nsfw,
    permission_overwrites: channel.overwrites.map(overwritePayload),
    flags: 0,
    ...(channel.type === 0 ? { last_message_id: null, rate_limit_per_user: 0 } : {}),
  };
}

/** The guild object of GUILD_UPDATE (GUILD_CREATE adds the fields of guild-create.ts). */
export function guildPayload(guild: GuildRow, roles: readonly RoleRow[]): Json {
  return {
    id: guild.id.toString(),
    name: guild.name,
    icon: guild.icon,
    owner_id: guild.owner_id.toString(),
    features: guild.features,
    roles: roles.map(rolePayload),
    emojis: [],
    stickers: [],
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
  };
}
