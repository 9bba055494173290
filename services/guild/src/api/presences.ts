// PublishPresences: the presence service's coalesced changes (one entry per user per window)
// become one PRESENCE_UPDATE batch per guild those users are in, produced in one call to the log.
// No guild state changes and no lock is taken: presence is not stored here, and the batches of one
// presence owner are produced in its order (it flushes one window at a time), which the guild key
// keeps per guild. Sessions need GUILD_PRESENCES to receive them.
import type { guildV1, presenceV1 } from '@switchboard/proto';
import { InvalidArgumentError } from '@switchboard/runtime';
import type { Queryable } from '@switchboard/runtime';
import { guildScope } from '../events';
import type { GuildEventInit } from '../events';
import { presenceShape } from '../presence-reader';
import type { PresencePayload } from '../presence-reader';
import * as v from './validate';
import { publishOnly } from './write-path';
import type { GuildApiDeps } from './write-path';

export const MAX_PUBLISHED_PRESENCES = 10_000;
/** Users per event: keeps a record far below Kafka's default 1 MB message limit. */
export const PRESENCES_PER_EVENT = 500;
const GUILD_PRESENCES_INTENT = 1 << 8;
const VISIBLE_STATUSES: ReadonlySet<string> = new Set(['online', 'idle', 'dnd', 'offline']);
const PLATFORM_STATUSES: ReadonlySet<string> = new Set(['', 'online', 'idle', 'dnd']);

/**
 * Discord's PRESENCE_UPDATE shape (without the guild id) of a presence, after checking every field
 * (INVALID_ARGUMENT naming it): the same shape the presence reads use.
 */
export function presencePayload(p: presenceV1.UserPresence, field: string): PresencePayload {
  if (!VISIBLE_STATUSES.has(p.status)) {
    throw new InvalidArgumentError(`${field}.status`, `must be one of online, idle, dnd, offline (others see invisible as offline), got "${p.status}"`);
  }
  for (const platform of ['desktop', 'mobile', 'web'] as const) {
    const status = p.clientStatus?.[platform] ?? '';
    if (!PLATFORM_STATUSES.has(status)) throw new InvalidArgumentError(`${field}.client_status.${platform}`, `must be online, idle, dnd or empty, got "${status}"`);
  }
  v.snowflake(p.userId, `${field}.user_id`);
  return presenceShape(p, activities(p.activitiesJson, `${field}.activities_json`));
}

function activities(json: string, field: string): unknown[] {
  if (json === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new InvalidArgumentError(field, 'must be a JSON array');
  }
  if (!Array.isArray(parsed)) throw new InvalidArgumentError(field, 'must be a JSON array');
  return parsed;
}

/** The guilds of each user, as guild → members among `userIds`. */
async function guildsOf(q: Queryable, userIds: readonly bigint[]): Promise<Map<bigint, bigint[]>> {
  const { rows } = await q.query<{ guild_id: string; user_id: string }>(
    'SELECT guild_id::text, user_id::text FROM members WHERE user_id = ANY($1::bigint[]) ORDER BY guild_id',
    [userIds.map(String)],
  );
  const guilds = new Map<bigint, bigint[]>();
  for (const row of rows) {
    const guildId = BigInt(row.guild_id);
    const members = guilds.get(guildId) ?? [];
    members.push(BigInt(row.user_id));
    guilds.set(guildId, members);
  }
  return guilds;
}

export function presenceHandlers(deps: GuildApiDeps) {
  return {
    async publishPresences(request: guildV1.PublishPresencesRequest) {
      if (request.presences.length > MAX_PUBLISHED_PRESENCES) {
        throw new InvalidArgumentError('presences', `at most ${MAX_PUBLISHED_PRESENCES} per call, got ${request.presences.length}`);
      }
      const byUser = new Map<bigint, PresencePayload>();
      request.presences.forEach((p, i) => {
        const payload = presencePayload(p, `presences[${i}]`);
        const userId = BigInt(payload.user.id);
        if (byUser.has(userId)) throw new InvalidArgumentError(`presences[${i}].user_id`, `user ${userId} appears twice`);
        byUser.set(userId, payload);
      });
      if (byUser.size === 0) return { guildBatches: 0 };
      const guilds = await guildsOf(deps.database, [...byUser.keys()]);
      const events: GuildEventInit[] = [];
      for (const [guildId, members] of guilds) {
        for (let start = 0; start < members.length; start += PRESENCES_PER_EVENT) {
          events.push({
            scope: guildScope(guildId),
            type: 'PRESENCE_UPDATE',
            payload: {},
            batchPayloads: members.slice(start, start + PRESENCES_PER_EVENT).map((userId) => ({ ...byUser.get(userId)!, guild_id: guildId.toString() })),
            requiredIntent: GUILD_PRESENCES_INTENT,
          });
        }
      }
      await publishOnly(deps, events);
      return { guildBatches: events.length };
    },
  };
}
