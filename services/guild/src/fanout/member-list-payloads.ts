// Reading the member list's fields out of the guild's own member and role dispatches (Discord
// payload shapes; the state already validated the ids when it applied the same event).
import type { ListRole } from '../member-list';
import { snowflakeField } from '../state/payload-fields';
import type { MemberProfile } from './member-list-loader';

type Fields = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** GUILD_MEMBER_ADD / GUILD_MEMBER_UPDATE `d` → the member's list fields. */
export function profileFromMember(payload: Fields): MemberProfile {
  const user = (payload.user ?? {}) as Fields;
  const userId = snowflakeField(user, 'id');
  const roles = ((payload.roles as unknown[] | undefined) ?? []).map((id) => snowflakeField({ role: id }, 'role'));
  const joinedAt = text(payload.joined_at);
  return {
    userId,
    username: text(user.username) ?? userId.toString(),
    globalName: text(user.global_name),
    nick: text(payload.nick),
    roles,
    ...(joinedAt === null ? {} : { extra: { joined_at: joinedAt } }),
  };
}

/** GUILD_MEMBER_REMOVE `d` → the user id. */
export function removedMember(payload: Fields): bigint {
  return snowflakeField((payload.user ?? {}) as Fields, 'id');
}

/** GUILD_ROLE_CREATE / GUILD_ROLE_UPDATE `d` → the role's grouping fields. */
export function roleFromEvent(payload: Fields): ListRole {
  const role = (payload.role ?? {}) as Fields;
  return { id: snowflakeField(role, 'id'), position: Number(role.position ?? 0), hoist: role.hoist === true };
}

/** GUILD_ROLE_DELETE `d` → the role id. */
export function deletedRole(payload: Fields): bigint {
  return snowflakeField(payload, 'role_id');
}
