// The guild service's product API and gateway-facing reads: every GuildService RPC except
// Describe and Fanout, which the service wires itself:
//   implement(guildV1.GuildService, { describe, fanout, ...createGuildApi(deps) })
import type { guildV1 } from '@switchboard/proto';
import type { ServiceImpl } from '@switchboard/runtime';
import { channelHandlers } from './channels';
import { dispatchHandlers } from './dispatch';
import { dmChannelHandlers } from './dm-channels';
import { guildMemberHandlers } from './guild-members';
import { guildHandlers } from './guilds';
import { interactionHandlers } from './interactions';
import { memberHandlers } from './members';
import { messageHandlers } from './messages';
import { presenceHandlers } from './presences';
import { roleHandlers } from './roles';
import { userGuildHandlers } from './user-guilds';
import { userHandlers } from './users';
import type { GuildApiDeps } from './write-path';

export type { GuildApiDeps } from './write-path';
export { advisoryLockKey } from './write-path';
export { DEFAULT_EVERYONE_PERMISSIONS } from './access';

export type GuildApi = Omit<ServiceImpl<typeof guildV1.GuildService>, 'describe' | 'fanout'>;

export function createGuildApi(deps: GuildApiDeps): GuildApi {
  return {
    ...userHandlers(deps),
    ...guildHandlers(deps),
    ...channelHandlers(deps),
    ...dmChannelHandlers(deps),
    ...roleHandlers(deps),
    ...memberHandlers(deps),
    ...messageHandlers(deps),
    ...interactionHandlers(deps),
    ...dispatchHandlers(deps),
    ...userGuildHandlers(deps),
    ...guildMemberHandlers(deps),
    ...presenceHandlers(deps),
  };
}
