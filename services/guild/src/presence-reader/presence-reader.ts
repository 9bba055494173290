// How the guild service reads presences (GUILD_CREATE `presences`, REQUEST_GUILD_MEMBERS with
// `presences: true`): a port, so the API is tested without a presence service and runs without one
// (NO_PRESENCES when PRESENCE_ADDRESS is unset).
import type { Logger } from '@switchboard/runtime';
import type { PresencePayload } from './presence-payload';

export interface PresenceReader {
  /**
   * The presences of the users who are not offline (invisible counts as offline), by user id; a
   * user missing from the map is offline. Rejects when the presence service cannot answer.
   */
  presencesOf(userIds: readonly bigint[], signal?: AbortSignal): Promise<Map<bigint, PresencePayload>>;
}

/** No presence service: everyone reads as offline, so presence lists are empty. */
export const NO_PRESENCES: PresenceReader = {
  presencesOf: async () => new Map(),
};

export interface TolerantReadOptions {
  logger?: Logger | undefined;
  signal?: AbortSignal | undefined;
  /** What the presences were for, in the warning ("GUILD_CREATE", "GUILD_MEMBERS_CHUNK"). */
  what: string;
}

/**
 * The presences, or none when the presence service fails: presences are a decoration of payloads
 * that must still go out (a login must not wait on, or fail with, a read that cannot be answered);
 * the users read as offline until their next PRESENCE_UPDATE.
 */
export async function presencesOrNone(
  reader: PresenceReader,
  userIds: readonly bigint[],
  options: TolerantReadOptions,
): Promise<Map<bigint, PresencePayload>> {
  if (userIds.length === 0) return new Map();
  try {
    return await reader.presencesOf(userIds, options.signal);
  } catch (err) {
    // A caller that went away cancelled the read itself: nothing to warn about.
    if (!options.signal?.aborted) options.logger?.warn({ err, users: userIds.length, for: options.what }, 'presences unavailable; sent without them');
    return new Map();
  }
}
