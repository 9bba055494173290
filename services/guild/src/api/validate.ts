// Request validation for the product API: every failure is an InvalidArgumentError naming the
// proto field (a path such as `permission_overwrites[1].allow`), so callers can point at it.
import { ALL_PERMISSIONS, InvalidArgumentError, isSnowflake, parsePermissions } from '@switchboard/runtime';
import type { guildV1 } from '@switchboard/proto';

export const MAX_NAME_LENGTH = 100;
export const MAX_TOPIC_LENGTH = 1024;
export const MAX_NICK_LENGTH = 32;
export const MAX_CONTENT_LENGTH = 4000;
export const MAX_GROUP_DM_RECIPIENTS = 10;
export const MAX_REQUESTED_USER_IDS = 100;

/** Channel types (Discord's numbering) the API creates. */
export const ChannelType = { GUILD_TEXT: 0, DM: 1, GROUP_DM: 3, GUILD_CATEGORY: 4 } as const;
export const GUILD_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.GUILD_TEXT, ChannelType.GUILD_CATEGORY]);

export function snowflake(value: string, field: string): bigint {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  // parseSnowflake also accepts 0; no Discord object has id 0, so it is rejected like garbage.
  if (!isSnowflake(value) || BigInt(value) === 0n) throw new InvalidArgumentError(field, `must be a snowflake (decimal string), got "${value}"`);
  return BigInt(value);
}

/** An empty string means "not given". */
export function optionalSnowflake(value: string, field: string): bigint | undefined {
  return value === '' ? undefined : snowflake(value, field);
}

export function snowflakes(values: readonly string[], field: string): bigint[] {
  return values.map((value, i) => snowflake(value, `${field}[${i}]`));
}

/** Ids that must not repeat (recipients, requested users). */
export function distinctSnowflakes(values: readonly string[], field: string): bigint[] {
  const ids = snowflakes(values, field);
  const seen = new Set<bigint>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw new InvalidArgumentError(`${field}[${i}]`, `repeats ${id}`);
    seen.add(id);
  });
  return ids;
}

export function name(value: string, field = 'name', max = MAX_NAME_LENGTH): string {
  const length = [...value].length;
  if (length < 1 || length > max) throw new InvalidArgumentError(field, `must be 1–${max} characters, got ${length}`);
  return value;
}

export function maxLength(value: string, field: string, max: number): string {
  const length = [...value].length;
  if (length > max) throw new InvalidArgumentError(field, `must be at most ${max} characters, got ${length}`);
  return value;
}

/** A decimal permission bitset using only bits this version knows; '' gives `fallback`. */
export function permissions(value: string, field = 'permissions', fallback?: bigint): bigint {
  if (value === '' && fallback !== undefined) return fallback;
  let bits: bigint;
  try {
    bits = parsePermissions(value);
  } catch {
    throw new InvalidArgumentError(field, `must be a decimal permission bitset, got "${value}"`);
  }
  if ((bits & ~ALL_PERMISSIONS) !== 0n) throw new InvalidArgumentError(field, `has unknown permission bits ${bits & ~ALL_PERMISSIONS}`);
  return bits;
}

export interface OverwriteInput {
  targetId: bigint;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export function overwrites(values: readonly guildV1.PermissionOverwrite[], field = 'permission_overwrites'): OverwriteInput[] {
  const seen = new Set<bigint>();
  return values.map((value, i) => {
    const at = `${field}[${i}]`;
    const targetId = snowflake(value.id, `${at}.id`);
    if (seen.has(targetId)) throw new InvalidArgumentError(`${at}.id`, `repeats ${targetId}`);
    seen.add(targetId);
    if (value.type !== 0 && value.type !== 1) throw new InvalidArgumentError(`${at}.type`, 'must be 0 (role) or 1 (member)');
    return { targetId, type: value.type, allow: permissions(value.allow, `${at}.allow`, 0n), deny: permissions(value.deny, `${at}.deny`, 0n) };
  });
}

/** A JSON object ('' is the empty object): extra message fields, dispatch payloads. */
export function jsonObject(value: string, field: string): Record<string, unknown> {
  if (value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(field, 'must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(field, 'must be a JSON object');
  return parsed as Record<string, unknown>;
}

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export function eventType(value: string, field = 'event_type'): string {
  if (!UPPER_SNAKE.test(value) || value.length > 64) throw new InvalidArgumentError(field, `must be UPPER_SNAKE_CASE (≤ 64), got "${value}"`);
  return value;
}

export function content(value: string, field = 'content'): string {
  return maxLength(value, field, MAX_CONTENT_LENGTH);
}

export interface Emoji {
  id: string | null;
  name: string;
}

/** A unicode emoji, or `name:id` for a custom one (Discord's route form). */
export function emoji(value: string, field = 'emoji'): Emoji {
  if (value === '' || [...value].length > 100) throw new InvalidArgumentError(field, 'must be a unicode emoji or name:id');
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { id: null, name: value };
  const id = snowflake(value.slice(colon + 1), field);
  return { id: id.toString(), name: name(value.slice(0, colon), field, 32) };
}
