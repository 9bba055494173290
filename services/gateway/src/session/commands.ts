// Validation of the client commands that carry state: IDENTIFY and RESUME. Each failure names the
// close code it maps to, so the session only looks the code up (protocol/close-codes.ts).
import { CloseCodes, platformOf, validIntents } from '../protocol';
import type { CloseCodeInfo, Platform } from '../protocol';
import type { PresencePayload } from './ports';

export interface IdentifyCommand {
  token: string;
  intents: number;
  shard: [number, number];
  /** Whether `shard` was given (READY echoes it only then). */
  sharded: boolean;
  largeThreshold: number;
  compress: boolean;
  presence: PresencePayload | undefined;
  /** The client_status key its `properties` name (desktop, mobile or web). */
  platform: Platform;
}

export interface ResumeCommand {
  token: string;
  sessionId: string;
  seq: number;
}

/** Ceiling on shard counts; Discord's largest bots run tens of thousands of shards. */
const MAX_SHARDS = 1 << 16;

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly close: CloseCodeInfo, message: string) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @throws CommandError with 4002 (malformed), 4013 (intents) or 4010 (shard). */
export function parseIdentify(d: unknown): IdentifyCommand {
  const decode = (what: string) => new CommandError(CloseCodes.DECODE_ERROR, `IDENTIFY ${what}`);
  if (!isObject(d)) throw decode('payload must be an object');
  if (typeof d.token !== 'string' || d.token.length === 0 || d.token.length > 256) throw decode('token must be a string');
  if (!isObject(d.properties)) throw decode('properties must be an object');
  if (!validIntents(d.intents)) throw new CommandError(CloseCodes.INVALID_INTENTS, 'IDENTIFY intents are invalid');
  const sharded = d.shard !== undefined && d.shard !== null;
  const shard = sharded ? parseShard(d.shard) : ([0, 1] as [number, number]);
  const largeThreshold = d.large_threshold ?? 50;
  if (typeof largeThreshold !== 'number' || !Number.isInteger(largeThreshold) || largeThreshold < 50 || largeThreshold > 250) {
    throw decode('large_threshold must be an integer between 50 and 250');
  }
  if (d.compress !== undefined && typeof d.compress !== 'boolean') throw decode('compress must be a boolean');
  if (d.presence !== undefined && d.presence !== null && !isObject(d.presence)) throw decode('presence must be an object');
  return {
    token: d.token,
    intents: d.intents,
    shard,
    sharded,
    largeThreshold,
    compress: d.compress === true,
    presence: (d.presence ?? undefined) as PresencePayload | undefined,
    platform: platformOf(d.properties),
  };
}

function parseShard(value: unknown): [number, number] {
  const invalid = new CommandError(CloseCodes.INVALID_SHARD, 'IDENTIFY shard must be [id, count] with 0 <= id < count');
  if (!Array.isArray(value) || value.length !== 2) throw invalid;
  const [id, count] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) throw invalid;
  if ((count as number) < 1 || (count as number) > MAX_SHARDS || (id as number) < 0 || (id as number) >= (count as number)) throw invalid;
  return [id as number, count as number];
}

/** @throws CommandError 4002 when a field is missing or of the wrong type. */
export function parseResume(d: unknown): ResumeCommand {
  const decode = new CommandError(CloseCodes.DECODE_ERROR, 'RESUME needs token, session_id and seq');
  if (!isObject(d) || typeof d.token !== 'string' || typeof d.session_id !== 'string') throw decode;
  // discord.js sends seq: null when it never got a dispatch; treat it as 0.
  const seq = d.seq ?? 0;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw decode;
  return { token: d.token, sessionId: d.session_id, seq };
}

export function parsePresence(d: unknown): PresencePayload {
  if (!isObject(d) || typeof d.status !== 'string' || !Array.isArray(d.activities ?? [])) {
    throw new CommandError(CloseCodes.DECODE_ERROR, 'PRESENCE_UPDATE needs status and activities');
  }
  return { since: typeof d.since === 'number' ? d.since : null, activities: (d.activities ?? []) as unknown[], status: d.status, afk: d.afk === true };
}

export function parseMemberRequest(d: unknown): Record<string, unknown> {
  if (!isObject(d) || typeof d.guild_id !== 'string') throw new CommandError(CloseCodes.DECODE_ERROR, 'REQUEST_GUILD_MEMBERS needs guild_id');
  if (typeof d.nonce === 'string' && Buffer.byteLength(d.nonce) > 32) throw new CommandError(CloseCodes.DECODE_ERROR, 'nonce over 32 bytes');
  return d;
}

/** One member-list range as op 14 sends it: list indexes `first..last`, inclusive. */
export type ListRange = readonly [first: number, last: number];

/** op 14: the guild a client looks at, and the member-list ranges it shows per channel. */
export interface GuildSubscriptionsCommand {
  guildId: string;
  /** Channel id → ranges; an empty list unsubscribes that channel's list. */
  channels: Map<string, ListRange[]>;
}

/** Ranges per channel and items per range: the guild service's member-list limits (Discord's). */
export const MAX_LIST_RANGES = 5;
export const MAX_LIST_RANGE_ITEMS = 100;
/** Channels one op 14 may name (a client shows one list; a few leave room for sidebars). */
export const MAX_LIST_CHANNELS_PER_COMMAND = 10;

const SNOWFLAKE = /^\d{1,20}$/;

function isSnowflakeString(value: unknown): value is string {
  return typeof value === 'string' && SNOWFLAKE.test(value) && BigInt(value) < 1n << 64n;
}

/**
 * op 14 GUILD_SUBSCRIPTIONS (Discord's lazy guild request). `typing`, `activities`, `threads`
 * and `members` are checked for type and otherwise ignored; unknown fields pass (clients add some).
 * @throws CommandError 4002 when the shape is wrong or a range breaks the member-list limits.
 */
export function parseGuildSubscriptions(d: unknown): GuildSubscriptionsCommand {
  const decode = (what: string) => new CommandError(CloseCodes.DECODE_ERROR, `GUILD_SUBSCRIPTIONS ${what}`);
  if (!isObject(d) || !isSnowflakeString(d.guild_id)) throw decode('needs guild_id');
  for (const flag of ['typing', 'activities', 'threads'] as const) {
    if (d[flag] !== undefined && d[flag] !== null && typeof d[flag] !== 'boolean') throw decode(`${flag} must be a boolean`);
  }
  if (d.members !== undefined && d.members !== null && (!Array.isArray(d.members) || !d.members.every(isSnowflakeString))) {
    throw decode('members must be a list of user ids');
  }
  const channels = new Map<string, ListRange[]>();
  if (d.channels !== undefined && d.channels !== null) {
    if (!isObject(d.channels)) throw decode('channels must be an object');
    const entries = Object.entries(d.channels);
    if (entries.length > MAX_LIST_CHANNELS_PER_COMMAND) throw decode(`channels names more than ${MAX_LIST_CHANNELS_PER_COMMAND} channels`);
    for (const [channelId, ranges] of entries) {
      if (!isSnowflakeString(channelId)) throw decode('channels keys must be channel ids');
      channels.set(channelId, parseRanges(ranges, decode));
    }
  }
  return { guildId: d.guild_id, channels };
}

function parseRanges(value: unknown, decode: (what: string) => CommandError): ListRange[] {
  // `{}` as well as `[]` unsubscribes (clients send either).
  if (isObject(value) && Object.keys(value).length === 0) return [];
  if (!Array.isArray(value)) throw decode('channel ranges must be a list');
  if (value.length > MAX_LIST_RANGES) throw decode(`at most ${MAX_LIST_RANGES} ranges per channel`);
  return value.map((range: unknown): ListRange => {
    if (!Array.isArray(range) || range.length !== 2) throw decode('a range must be [first, last]');
    const [first, last] = range as unknown[];
    if (!Number.isInteger(first) || !Number.isInteger(last) || (first as number) < 0 || (last as number) < (first as number)) {
      throw decode('a range must be [first, last] with 0 <= first <= last');
    }
    if ((last as number) - (first as number) + 1 > MAX_LIST_RANGE_ITEMS || (last as number) > 0xffff_ffff) {
      throw decode(`a range holds at most ${MAX_LIST_RANGE_ITEMS} items`);
    }
    return [first as number, last as number];
  });
}
