// One guild in memory, as the instance that owns it holds it: roles, channels with their
// overwrites, members with their roles. It answers the fan-out's one question, "may this user see
// this channel?", with Discord's permission algorithm, memoised per (channel, user) until a change
// that could alter the answer. State changes arrive as the guild's own dispatches (Discord payload
// shapes), applied in log order before the event that carries them is fanned out, so a role or
// overwrite change takes effect for that very event and every later one.
import { computeChannelPermissions, OverwriteType, PermissionFlags } from '@switchboard/runtime';
import type { ChannelView, GuildView, MemberView, OverwriteView, RoleView } from '@switchboard/runtime';
import { channelFromPayload, memberFromPayload, roleFromPayload, snowflakeField } from './payload-fields';

export interface ChannelState extends ChannelView {
  id: bigint;
  type: number;
  overwrites: Map<bigint, OverwriteView>;
}

export interface MemberState extends MemberView {
  userId: bigint;
  roleIds: bigint[];
}

export interface GuildStateInit {
  id: bigint;
  ownerId: bigint;
  roles: Iterable<RoleView>;
  channels: Iterable<ChannelState>;
  members: Iterable<MemberState>;
}

export class GuildState implements GuildView {
  readonly id: bigint;
  ownerId: bigint;
  deleted = false;
  readonly roles = new Map<bigint, RoleView>();
  readonly channels = new Map<bigint, ChannelState>();
  readonly members = new Map<bigint, MemberState>();
  /** canView answers per channel, per user; dropped wholesale or per user/channel on changes. */
  #viewMemo = new Map<bigint, Map<bigint, boolean>>();

  constructor(init: GuildStateInit) {
    this.id = init.id;
    this.ownerId = init.ownerId;
    for (const role of init.roles) this.roles.set(role.id, role);
    for (const channel of init.channels) this.channels.set(channel.id, channel);
    for (const member of init.members) this.members.set(member.userId, member);
  }

  get guildId(): bigint {
    return this.id;
  }

  isMember(userId: bigint): boolean {
    return !this.deleted && this.members.has(userId);
  }

  /** How many members the guild has now (0 once deleted). */
  memberCount(): number {
    return this.deleted ? 0 : this.members.size;
  }

  /** The channel's permission overwrites; undefined when the channel is unknown. */
  channelOverwrites(channelId: bigint): Iterable<OverwriteView> | undefined {
    return this.channels.get(channelId)?.overwrites.values();
  }

  /** Effective permissions of a member in a channel of this guild (0 when either is unknown). */
  permissionsIn(userId: bigint, channelId: bigint): bigint {
    const member = this.members.get(userId);
    const channel = this.channels.get(channelId);
    if (this.deleted || !member || !channel) return 0n;
    return computeChannelPermissions(this, member, channel);
  }

  /** Whether the user is a member who may view the channel (VIEW_CHANNEL after overwrites). */
  canView(userId: bigint, channelId: bigint): boolean {
    let byUser = this.#viewMemo.get(channelId);
    const known = byUser?.get(userId);
    if (known !== undefined) return known;
    const allowed = (this.permissionsIn(userId, channelId) & PermissionFlags.VIEW_CHANNEL) !== 0n;
    if (!byUser) this.#viewMemo.set(channelId, (byUser = new Map()));
    byUser.set(userId, allowed);
    return allowed;
  }

  /** Applies a state-changing dispatch of this guild; other dispatch types are ignored. Idempotent. */
  apply(type: string, payload: Record<string, unknown>): void {
    switch (type) {
      case 'GUILD_UPDATE':
        return this.#setOwner(snowflakeField(payload, 'owner_id'));
      case 'GUILD_DELETE':
        this.deleted = true;
        return this.#forgetAll();
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
        return this.#upsertChannel(channelFromPayload(payload));
      case 'CHANNEL_DELETE':
        this.channels.delete(snowflakeField(payload, 'id'));
        return void this.#viewMemo.delete(snowflakeField(payload, 'id'));
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE':
        this.roles.set(...roleEntry(roleFromPayload(payload.role)));
        return this.#forgetAll();
      case 'GUILD_ROLE_DELETE':
        return this.#deleteRole(snowflakeField(payload, 'role_id'));
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_UPDATE':
        return this.#upsertMember(memberFromPayload(payload));
      case 'GUILD_MEMBER_REMOVE':
        return this.#removeMember(snowflakeField(payload.user as Record<string, unknown>, 'id'));
      default:
        return;
    }
  }

  #setOwner(ownerId: bigint): void {
    if (ownerId === this.ownerId) return;
    this.ownerId = ownerId;
    this.#forgetAll();
  }

  #upsertChannel(channel: ChannelState): void {
    this.channels.set(channel.id, channel);
    this.#viewMemo.delete(channel.id);
  }

  #deleteRole(roleId: bigint): void {
    this.roles.delete(roleId);
    for (const member of this.members.values()) {
      if (member.roleIds.includes(roleId)) member.roleIds = member.roleIds.filter((id) => id !== roleId);
    }
    for (const channel of this.channels.values()) channel.overwrites.delete(roleId);
    this.#forgetAll();
  }

  #upsertMember(member: MemberState): void {
    this.members.set(member.userId, member);
    this.#forgetUser(member.userId);
  }

  #removeMember(userId: bigint): void {
    this.members.delete(userId);
    this.#forgetUser(userId);
  }

  #forgetUser(userId: bigint): void {
    for (const byUser of this.#viewMemo.values()) byUser.delete(userId);
  }

  #forgetAll(): void {
    this.#viewMemo = new Map();
  }
}

function roleEntry(role: RoleView): [bigint, RoleView] {
  return [role.id, role];
}

/** Loads a guild's state from PostgreSQL; undefined when the guild does not exist (or was deleted). */
export interface GuildStateLoader {
  load(guildId: bigint): Promise<GuildState | undefined>;
}

export { OverwriteType };
