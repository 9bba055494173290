// Passive sessions in large guilds: in a guild with more members than the threshold, message
// traffic (messages, reactions, typing) goes only to users with an active session (one looking at
// the guild, op 14) and to the users the event names (author, mentioned: content_user_ids), whose
// every session gets it. State changes (guild, channels, roles, members) still go to everyone, so
// a passive session's cache stays right. The FanoutEvent says so with active_only and
// mentioned_user_ids; the gateway picks the sessions.
import type { DecodedEvent } from './decoded-event';
import { isGuildScope } from './decoded-event';
import type { ScopeState } from './scope-state';

/** MESSAGE_CREATE/UPDATE/DELETE(_BULK), MESSAGE_REACTION_*, TYPING_START. */
export function isMessageClass(type: string): boolean {
  return type.startsWith('MESSAGE_') || type === 'TYPING_START';
}

export interface PassiveAudience {
  /** The visible users who get it on a stream: its active users and the mentioned ones. */
  narrow(visible: readonly bigint[], active: ReadonlySet<bigint>): bigint[];
  /** mentioned_user_ids: the mentioned users among those the stream gets it for. */
  mentionedAmong(visible: readonly bigint[]): string[];
}

/** The narrowing for this event, or undefined when everyone gets it (small guild, state change). */
export function passiveAudience(event: DecodedEvent, state: ScopeState | undefined, threshold: number | undefined): PassiveAudience | undefined {
  if (threshold === undefined || !state || !isGuildScope(event) || !isMessageClass(event.event.type)) return undefined;
  if (state.memberCount() <= threshold) return undefined;
  // Ids the log carries unchecked: a malformed one names nobody rather than failing the record.
  const mentioned = new Set(event.event.contentUserIds.filter((id) => /^\d{1,20}$/.test(id)).map((id) => BigInt(id)));
  return {
    narrow: (visible, active) => visible.filter((user) => active.has(user) || mentioned.has(user)),
    mentionedAmong: (visible) => visible.filter((user) => mentioned.has(user)).map(String),
  };
}
