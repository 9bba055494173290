// Who of one gateway stream's interested users may see an event, and how to say it in the fewest ids.
import type { guildV1 } from '@switchboard/proto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { DecodedEvent } from './decoded-event';
import { isGuildScope } from './decoded-event';
import type { ScopeState } from './scope-state';

type FanoutEventInit = MessageInitShape<typeof guildV1.FanoutEventSchema>;
export type VisibilityInit = NonNullable<FanoutEventInit['visibility']>;

/**
 * The interested users who may see the event. Guild scope: members who can view the channel (a
 * channel event) or members (a guild-wide event), per the state AFTER applying the event; nobody
 * when the guild's state is unknown. User scope: the scope's user. `only_user_ids` narrows both.
 */
export function visibleUsers(event: DecodedEvent, state: ScopeState | undefined, interested: ReadonlySet<bigint>): bigint[] {
  const visible: bigint[] = [];
  const only = event.onlyUserIds;
  for (const user of interested) {
    if (only && !only.has(user)) continue;
    if (mayView(event, state, user)) visible.push(user);
  }
  return visible;
}

function mayView(event: DecodedEvent, state: ScopeState | undefined, user: bigint): boolean {
  if (!isGuildScope(event)) return user === event.scopeId;
  if (!state) return false;
  return event.channelId === undefined ? state.isMember(user) : state.canView(user, event.channelId);
}

/**
 * all_users when every interested user sees it, else only_users or except_users, whichever lists
 * fewer ids (the gateway resolves either against its own sessions). Undefined when nobody sees it.
 */
export function encodeVisibility(visible: readonly bigint[], interested: ReadonlySet<bigint>): VisibilityInit | undefined {
  if (visible.length === 0) return undefined;
  if (visible.length >= interested.size) return { case: 'allUsers', value: true };
  const hidden = interested.size - visible.length;
  if (visible.length <= hidden) return { case: 'onlyUsers', value: { ids: visible.map(String) } };
  const seen = new Set(visible);
  const except: string[] = [];
  for (const user of interested) if (!seen.has(user)) except.push(user.toString());
  return { case: 'exceptUsers', value: { ids: except } };
}
