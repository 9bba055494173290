// The GUILD_CREATE payload a user gets for a guild (READY's lazy guilds, joining, creating): the
// guild object with the channels that user can view, the roles, and the members — all of them in
// a small guild, only the user's own member in a large one (Discord omits offline members),
// and the presences of those members who are not offline, from the presence service. Built for
// many guilds at once with one query per kind of row and one presence read for all their members,
// so a READY of a user in 100 guilds costs a handful of queries and calls, not hundreds.
import { computeChannelPermissions, PermissionFlags } from '@switchboard/runtime';
import type { Logger, Queryable } from '@switchboard/runtime';
import { NO_PRESENCES, presencesOrNone } from '../presence-reader';
import type { PresencePayload, PresenceReader } from '../presence-reader';
import { channelView, guildView, memberView } from './access';
import { getAllMembersOf, getMemberships } from './member-store';
import { channelPayload, guildPayload, memberPayload } from './payloads';
import type { Json } from './payloads';
import type { ChannelWithExtras, GuildRow, MemberRow, RoleRow } from './rows';
import { getGuilds, getRolesOf, guildChannelsWithExtras } from './store';

export const DEFAULT_LARGE_THRESHOLD = 50;
export const MIN_LARGE_THRESHOLD = 50;
export const MAX_LARGE_THRESHOLD = 250;

export function clampLargeThreshold(value: number): number {
  if (value === 0) return DEFAULT_LARGE_THRESHOLD;
  return Math.min(MAX_LARGE_THRESHOLD, Math.max(MIN_LARGE_THRESHOLD, value));
}

function groupBy<T>(rows: readonly T[], key: (row: T) => bigint | null): Map<bigint, T[]> {
  const groups = new Map<bigint, T[]>();
  for (const row of rows) {
    const id = key(row);
    if (id === null) continue;
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
}

interface GuildRows {
  guild: GuildRow;
  self: MemberRow;
  roles: RoleRow[];
  channels: ChannelWithExtras[];
  members: MemberRow[];
  large: boolean;
}

/** The members a GUILD_CREATE lists: all of a small guild's, only the user's own in a large one. */
function listedMembers({ self, members, large }: GuildRows): MemberRow[] {
  return large ? [self] : members;
}

function payloadOf(rows: GuildRows, presences: ReadonlyMap<bigint, PresencePayload>): Json {
  const { guild, self, roles, channels } = rows;
  const listed = listedMembers(rows);
  const view = guildView(guild, roles);
  const viewer = memberView(self);
  const visible = channels.filter((c) => (computeChannelPermissions(view, viewer, channelView(c.overwrites)) & PermissionFlags.VIEW_CHANNEL) !== 0n);
  return {
    ...guildPayload(guild, roles),
    joined_at: self.joined_at.toISOString(),
    large: rows.large,
    unavailable: false,
    member_count: guild.member_count,
    channels: visible.map((c) => channelPayload(c)),
    members: listed.map((m) => memberPayload(m)),
    presences: listed.flatMap((m) => presences.get(m.user_id) ?? []),
    voice_states: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface GuildCreatePresences {
  /** Default NO_PRESENCES: empty presence lists. Write paths pass a snapshot read before their lock (presences-before-lock.ts). */
  reader?: PresenceReader | undefined;
  logger?: Logger | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * GUILD_CREATE payloads by guild id, for the guilds that exist and have the user as a member.
 * When the presence service fails, the payloads go out with empty presences (and a warning).
 */
export async function buildGuildCreates(
  q: Queryable,
  guildIds: readonly bigint[],
  userId: bigint,
  largeThreshold: number,
  presences: GuildCreatePresences = {},
): Promise<Map<bigint, Json>> {
  const threshold = clampLargeThreshold(largeThreshold);
  const selves = new Map((await getMemberships(q, guildIds, userId)).map((m) => [m.guild_id, m]));
  const guilds = (await getGuilds(q, [...selves.keys()])).filter((g) => selves.has(g.id));
  const ids = guilds.map((g) => g.id);
  if (ids.length === 0) return new Map();
  const roles = groupBy(await getRolesOf(q, ids), (r) => r.guild_id);
  const channels = groupBy(await guildChannelsWithExtras(q, ...ids), (c) => c.guild_id);
  const small = guilds.filter((g) => g.member_count <= threshold).map((g) => g.id);
  const members = groupBy(await getAllMembersOf(q, small), (m) => m.guild_id);
  const rows = guilds.map((guild) => ({
    guild,
    self: selves.get(guild.id)!,
    roles: roles.get(guild.id) ?? [],
    channels: channels.get(guild.id) ?? [],
    members: members.get(guild.id) ?? [],
    large: guild.member_count > threshold,
  }));
  // One read for every listed member of every guild (a user in several guilds once).
  const userIds = new Set(rows.flatMap((r) => listedMembers(r).map((m) => m.user_id)));
  const read = await presencesOrNone(presences.reader ?? NO_PRESENCES, [...userIds], { ...presences, what: 'GUILD_CREATE' });
  return new Map(rows.map((r) => [r.guild.id, payloadOf(r, read)]));
}

/** One guild's GUILD_CREATE for the user; undefined when the guild is gone or the user is not in it. */
export async function buildGuildCreate(
  q: Queryable, guildId: bigint, userId: bigint, largeThreshold: number, presences: GuildCreatePresences = {},
): Promise<Json | undefined> {
  return (await buildGuildCreates(q, [guildId], userId, largeThreshold, presences)).get(guildId);
}
