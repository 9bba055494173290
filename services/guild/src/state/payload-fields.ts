// Reading the state-bearing fields out of Discord-shaped dispatch payloads (the guild service's
// own output, so a malformed one is a bug upstream: it throws, and the record is dead-lettered).
import { parsePermissions, parseSnowflake } from '@switchboard/runtime';
import type { OverwriteView, RoleView } from '@switchboard/runtime';
import type { ChannelState, MemberState } from './guild-state';

type Fields = Record<string, unknown>;

export class MalformedPayloadError extends Error {
  override readonly name = 'MalformedPayloadError';
}

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedPayloadError(`${what} is not an object`);
  return value as Fields;
}

export function snowflakeField(payload: Fields | undefined, field: string): bigint {
  const value = payload?.[field];
  try {
    return parseSnowflake(value as string);
  } catch (err) {
    throw new MalformedPayloadError(`${field} is not a snowflake (${JSON.stringify(value)})`, { cause: err });
  }
}

function permissionsField(payload: Fields, field: string): bigint {
  try {
    return parsePermissions(payload[field] ?? '0');
  } catch (err) {
    throw new MalformedPayloadError(`${field} is not a permission bitset`, { cause: err });
  }
}

export function roleFromPayload(value: unknown): RoleView {
  const role = object(value, 'role');
  return { id: snowflakeField(role, 'id'), permissions: permissionsField(role, 'permissions') };
}

function overwriteFromPayload(value: unknown): OverwriteView {
  const overwrite = object(value, 'permission overwrite');
  const type = Number(overwrite.type);
  if (type !== 0 && type !== 1) throw new MalformedPayloadError(`overwrite type ${String(overwrite.type)}`);
  return { id: snowflakeField(overwrite, 'id'), type, allow: permissionsField(overwrite, 'allow'), deny: permissionsField(overwrite, 'deny') };
}

export function channelFromPayload(value: unknown): ChannelState {
  const channel = object(value, 'channel');
  const overwrites = new Map<bigint, OverwriteView>();
  for (const raw of (channel.permission_overwrites as unknown[] | undefined) ?? []) {
    const overwrite = overwriteFromPayload(raw);
    overwrites.set(overwrite.id, overwrite);
  }
  return { id: snowflakeField(channel, 'id'), type: Number(channel.type ?? 0), overwrites };
}

export function memberFromPayload(value: unknown): MemberState {
  const member = object(value, 'member');
  const user = object(member.user, 'member.user');
  const roleIds = ((member.roles as unknown[] | undefined) ?? []).map((id, i) => snowflakeField({ [`roles[${i}]`]: id }, `roles[${i}]`));
  const until = member.communication_disabled_until;
  return {
    userId: snowflakeField(user, 'id'),
    roleIds,
    ...(typeof until === 'string' ? { communicationDisabledUntil: Date.parse(until) } : {}),
  };
}
