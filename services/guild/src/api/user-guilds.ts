// GetUserGuilds (gateway-facing, for READY and its GUILD_CREATEs): the user's guilds on a shard
// as GUILD_CREATE payloads, and the user's private channels on shard 0.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError } from '@switchboard/runtime';
import type { HandlerContext } from '@switchboard/runtime';
import { buildGuildCreates } from './guild-create';
import { userGuildIds } from './member-store';
import { privateChannelIds } from './store';
import * as v from './validate';
import type { GuildApiDeps } from './write-path';

export function userGuildHandlers(deps: GuildApiDeps) {
  return {
    async getUserGuilds(request: guildV1.GetUserGuildsRequest, context?: HandlerContext) {
      const userId = v.snowflake(request.userId, 'user_id');
      const shardCount = Math.max(1, request.shardCount);
      if (request.shardId >= shardCount) throw new InvalidArgumentError('shard_id', `must be below shard_count ${shardCount}`);
      const q = deps.database;
      const guildIds = await userGuildIds(q, userId, request.shardId, shardCount);
      // A guild deleted or left between the two reads is simply not in the answer.
      const presences = { reader: deps.presences, logger: deps.logger, signal: context?.signal };
      const payloads = await buildGuildCreates(q, guildIds, userId, request.largeThreshold, presences);
      const guilds = [...payloads].map(([guildId, payload]) => ({ guildId: guildId.toString(), payloadJson: JSON.stringify(payload) }));
      // Discord sends private channels on shard 0 only.
      const privateIds = request.shardId === 0 ? await privateChannelIds(q, userId) : [];
      return { guilds, privateChannelIds: privateIds.map(String) };
    },
  };
}
