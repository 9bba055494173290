// Discord's permission algorithm (developer docs, "Permission Hierarchy" / "Permission Overwrites"):
// base = @everyone | member's roles; ADMINISTRATOR or ownership grants everything; in a channel
// the overwrites apply in a fixed order: @everyone, then all of the member's roles together,
// then the member. Pure functions over plain data, so the guild service and tests share them.
import { ALL_PERMISSIONS, NO_PERMISSIONS, PermissionFlags, SEND_DEPENDENT } from './flags';

export interface RoleView {
  id: bigint;
  permissions: bigint;
}

export interface GuildView {
  id: bigint;
  ownerId: bigint;
  /** Role permissions by role id; the @everyone role's id equals the guild id. */
  roles: ReadonlyMap<bigint, RoleView>;
}

export interface MemberView {
  userId: bigint;
  roleIds: readonly bigint[];
  /** Until when the member is timed out (ms since epoch), if at all. */
  communicationDisabledUntil?: number;
}

export const OverwriteType = { ROLE: 0, MEMBER: 1 } as const;

export interface OverwriteView {
  id: bigint;
  type: (typeof OverwriteType)[keyof typeof OverwriteType];
  allow: bigint;
  deny: bigint;
}

export interface ChannelView {
  /** Overwrites keyed by role or user id (the @everyone overwrite has the guild id). */
  overwrites: ReadonlyMap<bigint, OverwriteView>;
}

export function computeBasePermissions(guild: GuildView, member: MemberView): bigint {
  if (member.userId === guild.ownerId) return ALL_PERMISSIONS;
  let permissions = guild.roles.get(guild.id)?.permissions ?? NO_PERMISSIONS;
  for (const roleId of member.roleIds) permissions |= guild.roles.get(roleId)?.permissions ?? NO_PERMISSIONS;
  if ((permissions & PermissionFlags.ADMINISTRATOR) !== 0n) return ALL_PERMISSIONS;
  return permissions;
}

export function computeOverwrites(base: bigint, guild: GuildView, member: MemberView, channel: ChannelView): bigint {
  if ((base & PermissionFlags.ADMINISTRATOR) !== 0n) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = channel.overwrites.get(guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;

  let allow = NO_PERMISSIONS;
  let deny = NO_PERMISSIONS;
  for (const roleId of member.roleIds) {
    const overwrite = channel.overwrites.get(roleId);
    if (overwrite && overwrite.type === OverwriteType.ROLE) {
      allow |= overwrite.allow;
      deny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;

  const own = channel.overwrites.get(member.userId);
  if (own && own.type === OverwriteType.MEMBER) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

/**
 * Implicit rules Discord applies on top: without VIEW_CHANNEL nothing else in the channel holds;
 * without SEND_MESSAGES the send-dependent permissions are gone; a timed-out member keeps only
 * VIEW_CHANNEL and READ_MESSAGE_HISTORY.
 */
export function applyImplicitPermissions(permissions: bigint, member: MemberView, nowMs: number = Date.now()): bigint {
  if (permissions === ALL_PERMISSIONS) return permissions;
  if ((permissions & PermissionFlags.VIEW_CHANNEL) === 0n) return NO_PERMISSIONS;
  let result = permissions;
  if ((result & PermissionFlags.SEND_MESSAGES) === 0n) result &= ~SEND_DEPENDENT;
  if (member.communicationDisabledUntil !== undefined && member.communicationDisabledUntil > nowMs) {
    result &= PermissionFlags.VIEW_CHANNEL | PermissionFlags.READ_MESSAGE_HISTORY;
  }
  return result;
}

/** A member's effective permissions in a channel: base, overwrites, then the implicit rules. */
export function computeChannelPermissions(
  guild: GuildView,
  member: MemberView,
  channel: ChannelView,
  nowMs: number = Date.now(),
): bigint {
  const base = computeBasePermissions(guild, member);
  return applyImplicitPermissions(computeOverwrites(base, guild, member, channel), member, nowMs);
}
