// Dispatch: a product event of any name to a guild, a channel (guild channel: VIEW_CHANNEL
// decides; DM: its recipients) or a list of users.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, NotFoundError } from '@switchboard/runtime';
import { guildScope, userScope } from '../events';
import { channelEvents, channelWrite } from './message-channel';
import { getGuild } from './store';
import * as v from './validate';
import { lockedWrite, publishOnly } from './write-path';
import type { GuildApiDeps } from './write-path';

const MAX_DISPATCH_USERS = 1000;

export function dispatchHandlers(deps: GuildApiDeps) {
  return {
    async dispatch(request: guildV1.DispatchRequest) {
      const type = v.eventType(request.eventType);
      const payload = v.jsonObject(request.payloadJson, 'payload_json');
      const requiredIntent = request.requiredIntent;
      const audience = request.audience;
      switch (audience.case) {
        case 'guildId': {
          const guildId = v.snowflake(audience.value, 'guild_id');
          // Under the guild's lock, so it is ordered with the guild's state changes.
          const { eventId } = await lockedWrite(deps, guildId, async (tx) => {
            if (!(await getGuild(tx, guildId))) throw new NotFoundError(`unknown guild ${guildId}`);
            return { result: undefined, events: [{ scope: guildScope(guildId), type, payload, requiredIntent }] };
          });
          return { eventId };
        }
        case 'channelId': {
          const channelId = v.snowflake(audience.value, 'channel_id');
          const { eventId } = await channelWrite(deps, channelId, async (_tx, target) => ({
            result: undefined,
            events: channelEvents(target, type, payload).map((event) => ({ ...event, requiredIntent })),
          }));
          return { eventId };
        }
        case 'users': {
          const userIds = v.distinctSnowflakes(audience.value.ids, 'users.ids');
          if (userIds.length === 0 || userIds.length > MAX_DISPATCH_USERS) {
            throw new InvalidArgumentError('users.ids', `must hold 1–${MAX_DISPATCH_USERS} users`);
          }
          // No state is involved: nothing to lock or commit, only to publish.
          return { eventId: await publishOnly(deps, userIds.map((id) => ({ scope: userScope(id), type, payload, requiredIntent }))) };
        }
        default:
          throw new InvalidArgumentError('audience', 'one of guild_id, channel_id or users is required');
      }
    },
  };
}
