// A member's status in the member lists. With a presence service, ReportedPresence holds what it
// reported: seeded from GetPresences when a guild's lists load, then kept current by the
// PRESENCE_UPDATE batches the owner applies. Without one (a guild service run alone), InterestPresence stands in:
// online while any gateway holds a session of the user in the guild.
import type { MemberStatus } from '../member-list';
import type { InterestTable } from './interest-table';

export interface MemberPresence {
  statusOf(guildId: bigint, userId: bigint): MemberStatus;
  /** A status the presence service reported (PRESENCE_UPDATE). */
  record?(userId: bigint, status: MemberStatus): void;
  /** A guild's lists are loading: read its members' statuses (GetPresences). */
  seed?(guildId: bigint, memberIds: readonly bigint[]): Promise<void>;
  forgetGuild?(guildId: bigint): void;
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

/** The statuses of the users among `userIds` who are not offline (the presence service's GetPresences). */
export type StatusRead = (userIds: readonly bigint[]) => Promise<Map<bigint, MemberStatus>>;

/**
 * The presence service's word per user (presence is per user, not per guild). A guild whose lists
 * were seeded from GetPresences reads users it has not heard of as offline; other guilds fall back
 * to `fallback` (a guild service without a presence service). An explicit 'offline' is kept: an
 * invisible user has a session and must still read offline.
 */
export class ReportedPresence implements MemberPresence {
  readonly #statuses = new Map<bigint, { status: MemberStatus; seq: number }>();
  readonly #seeded = new Set<bigint>();
  #seq = 0;

  constructor(private readonly fallback: MemberPresence, private readonly read?: StatusRead) {}

  statusOf(guildId: bigint, userId: bigint): MemberStatus {
    const reported = this.#statuses.get(userId);
    if (reported) return reported.status;
    return this.#seeded.has(guildId) ? 'offline' : this.fallback.statusOf(guildId, userId);
  }

  record(userId: bigint, status: MemberStatus): void {
    this.#seq += 1;
    this.#statuses.set(userId, { status, seq: this.#seq });
  }

  /**
   * Reads the members' statuses (a guild's lists are loading). A status recorded while the read was
   * in flight is newer than the read and is kept. Rejects when the read does; the guild then keeps
   * the fallback.
   */
  async seed(guildId: bigint, memberIds: readonly bigint[]): Promise<void> {
    if (!this.read) return;
    const mark = this.#seq;
    const online = await this.read(memberIds);
    for (const userId of memberIds) {
      const known = this.#statuses.get(userId);
      if (known && known.seq > mark) continue;
      const status = online.get(userId);
      if (status) this.#statuses.set(userId, { status, seq: known?.seq ?? 0 });
      else if (known) this.#statuses.set(userId, { status: 'offline', seq: known.seq });
    }
    this.#seeded.add(guildId);
  }

  /** The guild is no longer this instance's: its next owner seeds it again. */
  forgetGuild(guildId: bigint): void {
    this.#seeded.delete(guildId);
  }

  get size(): number {
    return this.#statuses.size;
  }
}
