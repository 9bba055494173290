// Permission checks of the product API with Discord's algorithm (runtime permissions module),
// fed by targeted queries: the actor's member row, the guild's roles (a few hundred at most) and
// one channel's overwrites — never the member list.
import {
  ALL_PERMISSIONS,
  computeBasePermissions,
  computeChannelPermissions,
  NotFoundError,
  PermissionDeniedError,
  PermissionFlags,
  permissionNames,
} from '@switchboard/runtime';
import type { ChannelView, GuildView, MemberView, OverwriteView, Queryable } from '@switchboard/runtime';
import { getMember } from './member-store';
import type { GuildRow, MemberRow, OverwriteRow, RoleRow } from './rows';
import { getGuild, getOverwrites, getRoles } from './store';

/** What a check needs of a guild: the row, its roles and the permission view over them. */
export interface GuildAccess {
  guild: GuildRow;
  roles: RoleRow[];
  view: GuildView;
}

export async function loadGuildAccess(q: Queryable, guildId: bigint): Promise<GuildAccess> {
  const guild = await getGuild(q, guildId);
  if (!guild) throw new NotFoundError(`unknown guild ${guildId}`);
  const roles = await getRoles(q, guildId);
  return { guild, roles, view: guildView(guild, roles) };
}

export function guildView(guild: GuildRow, roles: readonly RoleRow[]): GuildView {
  return { id: guild.id, ownerId: guild.owner_id, roles: new Map(roles.map((r) => [r.id, { id: r.id, permissions: BigInt(r.permissions) }])) };
}

export function memberView(member: MemberRow): MemberView {
  const view: MemberView = { userId: member.user_id, roleIds: member.role_ids };
  if (member.communication_disabled_until) view.communicationDisabledUntil = member.communication_disabled_until.getTime();
  return view;
}

export function channelView(overwrites: readonly OverwriteRow[]): ChannelView {
  const map = new Map<bigint, OverwriteView>();
  for (const o of overwrites) map.set(o.target_id, { id: o.target_id, type: o.type === 1 ? 1 : 0, allow: BigInt(o.allow), deny: BigInt(o.deny) });
  return { overwrites: map };
}

/** The actor's member row; a non-member has no permission in the guild. */
export async function actorMember(q: Queryable, access: GuildAccess, actorId: bigint): Promise<MemberRow> {
  const member = await getMember(q, access.guild.id, actorId);
  if (!member) throw new PermissionDeniedError(`user ${actorId} is not a member of guild ${access.guild.id}`);
  return member;
}

function missing(have: bigint, need: bigint, where: string, who: bigint): void {
  if ((have & need) !== need) {
    throw new PermissionDeniedError(`user ${who} lacks ${permissionNames(need & ~have).join(', ')} in ${where}`);
  }
}

/**
 * Checks guild-level permissions of `actorId` (undefined = a trusted service: allowed) and returns
 * the actor's member row when there is an actor.
 */
export async function requireGuildPermission(
  q: Queryable,
  access: GuildAccess,
  actorId: bigint | undefined,
  need: bigint,
): Promise<MemberRow | undefined> {
  if (actorId === undefined) return undefined;
  const member = await actorMember(q, access, actorId);
  missing(computeBasePermissions(access.view, memberView(member)), need, `guild ${access.guild.id}`, actorId);
  return member;
}

export async function channelPermissionsOf(q: Queryable, access: GuildAccess, member: MemberRow, channelId: bigint): Promise<bigint> {
  return computeChannelPermissions(access.view, memberView(member), channelView(await getOverwrites(q, [channelId])));
}

/** Checks channel permissions of a member (the author of a message, a typing or reacting user). */
export async function requireChannelPermission(
  q: Queryable,
  access: GuildAccess,
  userId: bigint,
  channelId: bigint,
  need: bigint,
): Promise<MemberRow> {
  const member = await actorMember(q, access, userId);
  missing(await channelPermissionsOf(q, access, member, channelId), need, `channel ${channelId}`, userId);
  return member;
}

/** Owners and administrators stand above the role hierarchy. */
export function isPrivileged(access: GuildAccess, member: MemberRow): boolean {
  return computeBasePermissions(access.view, memberView(member)) === ALL_PERMISSIONS;
}

/** The position of the member's highest role (0 = only @everyone). */
export function highestPosition(access: GuildAccess, member: MemberRow): number {
  const positions = access.roles.filter((r) => member.role_ids.includes(r.id)).map((r) => r.position);
  return Math.max(0, ...positions);
}

/** Role management: a role at or above the actor's highest role is out of reach (Discord's rule). */
export function requireRoleBelowActor(access: GuildAccess, actor: MemberRow | undefined, rolePosition: number, what: string): void {
  if (!actor || isPrivileged(access, actor)) return;
  if (rolePosition >= highestPosition(access, actor)) {
    throw new PermissionDeniedError(`${what} is not below the highest role of user ${actor.user_id}`);
  }
}

/** Moderating another member (kick, nick, roles): the actor must outrank the target. */
export function requireOutranks(access: GuildAccess, actor: MemberRow | undefined, target: MemberRow): void {
  if (!actor || actor.user_id === target.user_id || isPrivileged(access, actor)) return;
  if (target.user_id === access.guild.owner_id || highestPosition(access, target) >= highestPosition(access, actor)) {
    throw new PermissionDeniedError(`user ${actor.user_id} does not outrank user ${target.user_id}`);
  }
}

/** An actor may only grant permissions it has itself (unless owner/admin). */
export function requireGrantable(access: GuildAccess, actor: MemberRow | undefined, bits: bigint): void {
  if (!actor) return;
  const have = computeBasePermissions(access.view, memberView(actor));
  missing(have, bits, `guild ${access.guild.id} (cannot grant what it lacks)`, actor.user_id);
}

export const Need = {
  MANAGE_GUILD: PermissionFlags.MANAGE_GUILD,
  MANAGE_CHANNELS: PermissionFlags.MANAGE_CHANNELS,
  MANAGE_ROLES: PermissionFlags.MANAGE_ROLES,
  MANAGE_NICKNAMES: PermissionFlags.MANAGE_NICKNAMES,
  CHANGE_NICKNAME: PermissionFlags.CHANGE_NICKNAME,
  KICK_MEMBERS: PermissionFlags.KICK_MEMBERS,
  VIEW: PermissionFlags.VIEW_CHANNEL,
  SEND: PermissionFlags.VIEW_CHANNEL | PermissionFlags.SEND_MESSAGES,
  REACT: PermissionFlags.VIEW_CHANNEL | PermissionFlags.READ_MESSAGE_HISTORY | PermissionFlags.ADD_REACTIONS,
  MENTION_EVERYONE: PermissionFlags.MENTION_EVERYONE,
} as const;

/** Discord's default permissions of @everyone in a new guild. */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint = [
  'VIEW_CHANNEL',
  'SEND_MESSAGES',
  'READ_MESSAGE_HISTORY',
  'ADD_REACTIONS',
  'EMBED_LINKS',
  'ATTACH_FILES',
  'MENTION_EVERYONE',
  'USE_EXTERNAL_EMOJIS',
  'USE_EXTERNAL_STICKERS',
  'CHANGE_NICKNAME',
  'CREATE_INSTANT_INVITE',
  'CONNECT',
  'SPEAK',
  'USE_VAD',
  'STREAM',
  'USE_APPLICATION_COMMANDS',
  'REQUEST_TO_SPEAK',
  'CREATE_PUBLIC_THREADS',
  'CREATE_PRIVATE_THREADS',
  'SEND_MESSAGES_IN_THREADS',
  'USE_EMBEDDED_ACTIVITIES',
  'SEND_VOICE_MESSAGES',
  'SEND_POLLS',
  'USE_EXTERNAL_APPS',
].reduce((bits, name) => bits | PermissionFlags[name as keyof typeof PermissionFlags], 0n);
