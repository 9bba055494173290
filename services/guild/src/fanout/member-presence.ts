// A member's status in the member lists. The presence service will answer this (idle, dnd, …)
// and call MemberListHub.presenceChanged when it changes; until then InterestPresence stands in.
import type { MemberStatus } from '../member-list';
import type { InterestTable } from './interest-table';

export interface MemberPresence {
  statusOf(guildId: bigint, userId: bigint): MemberStatus;
}

/** Online while any gateway holds a session of the user in the guild (an interest), else offline. */
export class InterestPresence implements MemberPresence {
  constructor(private readonly table: Pick<InterestTable<unknown>, 'hasInterest'>) {}

  statusOf(guildId: bigint, userId: bigint): MemberStatus {
    return this.table.hasInterest(`g:${guildId}`, userId) ? 'online' : 'offline';
  }
}
