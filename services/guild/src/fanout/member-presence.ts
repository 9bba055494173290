// A member's status in the member lists. With a presence service, ReportedPresence holds what it
// reported: seeded from GetPresences when a guild's lists load, then kept by the PRESENCE_UPDATE
// batches the owner applies. Without one (a guild service run alone), InterestPresence stands in:
// online while any gateway holds a session of the user in the guild.
import type { MemberStatus } from '../member-list';
import type { InterestTable } from './interest-table';

export interface MemberPresence {
  statusOf(guildId: bigint, userId: bigint): MemberStatus;
  /** A status the presence service reported (PRESENCE_UPDATE, GetPresences). */
  record?(userId: bigint, status: MemberStatus): void;
}

/** Online while any gateway holds a session of the user in the guild (an interest), else offline. */
export class InterestPresence implements MemberPresence {
  constructor(private readonly table: Pick<InterestTable<unknown>, 'hasInterest'>) {}

  statusOf(guildId: bigint, userId: bigint): MemberStatus {
    return this.table.hasInterest(`g:${guildId}`, userId) ? 'online' : 'offline';
  }
}

const STATUSES: ReadonlySet<string> = new Set(['online', 'idle', 'dnd', 'offline']);

export function memberStatus(value: unknown): MemberStatus | undefined {
  return typeof value === 'string' && STATUSES.has(value) ? (value as MemberStatus) : undefined;
}

/**
 * The presence service's word per user (presence is per user, not per guild). Users it has not
 * reported yet fall back to `fallback` (an invisible user with a session is reported offline, so an
 * explicit 'offline' is kept, not forgotten).
 */
export class ReportedPresence implements MemberPresence {
  readonly #statuses = new Map<bigint, MemberStatus>();

  constructor(private readonly fallback: MemberPresence) {}

  statusOf(guildId: bigint, userId: bigint): MemberStatus {
    return this.#statuses.get(userId) ?? this.fallback.statusOf(guildId, userId);
  }

  record(userId: bigint, status: MemberStatus): void {
    this.#statuses.set(userId, status);
  }

  get size(): number {
    return this.#statuses.size;
  }
}
