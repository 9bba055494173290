// The API's own view of the objects (proto messages of guild.proto), from the same rows the
// dispatch payloads are built from.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { guildV1 } from '@switchboard/proto';
import { memberUser } from './payloads';
import type { ChannelWithExtras, GuildRow, MemberRow, RoleRow, UserRow } from './rows';

export function toUser(user: UserRow): guildV1.User {
  return create(guildV1.UserSchema, {
    id: user.id.toString(),
    username: user.username,
    globalName: user.global_name ?? '',
    avatar: user.avatar ?? '',
    bot: user.bot,
  });
}

export function toGuild(guild: GuildRow): guildV1.Guild {
  return create(guildV1.GuildSchema, {
    id: guild.id.toString(),
    name: guild.name,
    ownerId: guild.owner_id.toString(),
    icon: guild.icon ?? '',
    features: guild.features,
    memberCount: guild.member_count,
  });
}

export function toRole(role: RoleRow): guildV1.Role {
  return create(guildV1.RoleSchema, {
    id: role.id.toString(),
    guildId: role.guild_id.toString(),
    name: role.name,
    permissions: role.permissions,
    position: role.position,
    color: role.color,
    hoist: role.hoist,
    mentionable: role.mentionable,
  });
}

export function toChannel(channel: ChannelWithExtras): guildV1.Channel {
  return create(guildV1.ChannelSchema, {
    id: channel.id.toString(),
    guildId: channel.guild_id?.toString() ?? '',
    type: channel.type,
    name: channel.name ?? '',
    topic: channel.topic ?? '',
    parentId: channel.parent_id?.toString() ?? '',
    position: channel.position,
    nsfw: channel.nsfw,
    permissionOverwrites: channel.overwrites.map((o) => ({ id: o.target_id.toString(), type: o.type, allow: o.allow, deny: o.deny })),
    recipientIds: channel.recipients.map((user) => user.id.toString()),
  });
}

export function toMember(member: MemberRow): guildV1.Member {
  return create(guildV1.MemberSchema, {
    guildId: member.guild_id.toString(),
    user: toUser(memberUser(member)),
    nick: member.nick ?? '',
    roleIds: member.role_ids.map(String),
    joinedAt: timestampFromDate(member.joined_at),
  });
}
