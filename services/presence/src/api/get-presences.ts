// GetPresences: the aggregated presence of up to 10,000 users, from PostgreSQL (any instance
// answers; owners write the session rows before committing each event). One query for the whole
// batch; the aggregation is the owners' own (aggregatePresence), so reads and changes agree.
import { create } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { InvalidArgumentError, isSnowflake } from '@switchboard/runtime';
import { aggregatePresence } from '../aggregate';
import type { Presence } from '../aggregate';
import type { SessionStore } from '../store';

export const MAX_PRESENCE_BATCH = 10_000;

export function parseUserIds(userIds: readonly string[]): bigint[] {
  if (userIds.length > MAX_PRESENCE_BATCH) {
    throw new InvalidArgumentError('user_ids', `at most ${MAX_PRESENCE_BATCH} ids per call, got ${userIds.length}`);
  }
  return userIds.map((value, i) => {
    if (!isSnowflake(value) || BigInt(value) === 0n) throw new InvalidArgumentError(`user_ids[${i}]`, `must be a snowflake (decimal string), got "${value}"`);
    return BigInt(value);
  });
}

export function toUserPresence(userId: bigint, p: Presence): presenceV1.UserPresence {
  return create(presenceV1.UserPresenceSchema, {
    userId: userId.toString(),
    status: p.status,
    activitiesJson: JSON.stringify(p.activities),
    clientStatus: { desktop: p.clientStatus.desktop ?? '', mobile: p.clientStatus.mobile ?? '', web: p.clientStatus.web ?? '' },
    since: BigInt(p.since),
    afk: p.afk,
  });
}

export function createGetPresences(store: SessionStore) {
  return async (request: presenceV1.GetPresencesRequest): Promise<presenceV1.GetPresencesResponse> => {
    const ids = parseUserIds(request.userIds);
    const distinct = [...new Set(ids)];
    const sessions = distinct.length > 0 ? await store.sessionsOfMany(distinct) : new Map();
    const presences = ids.map((id) => toUserPresence(id, aggregatePresence(sessions.get(id) ?? [])));
    return create(presenceV1.GetPresencesResponseSchema, { presences });
  };
}
