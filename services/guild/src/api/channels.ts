// Guild channel RPCs (text and category): CreateChannel, UpdateChannel, DeleteChannel. Each
// event carries `channelId`, so the owner decides visibility by VIEW_CHANNEL.
import type { guildV1 } from '@switchboard/proto';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@switchboard/runtime';
import type { Queryable } from '@switchboard/runtime';
import type { GuildEventInit } from '../events';
import { guildScope } from '../events';
import { loadGuildAccess, Need, requireGuildPermission } from './access';
import { channelPayload } from './payloads';
import { toChannel } from './proto-objects';
import type { ChannelRow } from './rows';
import * as store from './store';
import * as v from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps } from './write-path';

/** A guild channel by id, or NOT_FOUND / FAILED_PRECONDITION for a DM. */
export async function guildChannel(q: Queryable, channelId: bigint): Promise<ChannelRow & { guild_id: bigint }> {
  const channel = await store.getChannel(q, channelId);
  if (!channel) throw new NotFoundError(`unknown channel ${channelId}`);
  if (channel.guild_id === null) throw new FailedPreconditionError(`channel ${channelId} is not a guild channel`);
  return channel as ChannelRow & { guild_id: bigint };
}

/** A parent must be a category of the same guild; categories themselves have no parent. */
async function checkParent(q: Queryable, guildId: bigint, type: number, parentId: bigint | null): Promise<void> {
  if (parentId === null) return;
  if (type === v.ChannelType.GUILD_CATEGORY) throw new InvalidArgumentError('parent_id', 'a category cannot have a parent');
  const parent = await store.getChannel(q, parentId);
  if (!parent || parent.guild_id !== guildId) throw new NotFoundError(`unknown channel ${parentId} (parent_id) in guild ${guildId}`);
  if (parent.type !== v.ChannelType.GUILD_CATEGORY) throw new InvalidArgumentError('parent_id', `channel ${parentId} is not a category`);
}

async function channelEvent(q: Queryable, type: string, channel: ChannelRow & { guild_id: bigint }): Promise<GuildEventInit> {
  const payload = channelPayload(await store.withExtras(q, channel));
  return { scope: guildScope(channel.guild_id), type, payload, channelId: channel.id };
}

function topic(value: string): string | null {
  return value === '' ? null : v.maxLength(value, 'topic', v.MAX_TOPIC_LENGTH);
}

export function channelHandlers(deps: GuildApiDeps) {
  return {
    async createChannel(request: guildV1.CreateChannelRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      if (!v.GUILD_CHANNEL_TYPES.has(request.type)) throw new InvalidArgumentError('type', 'must be 0 (text) or 4 (category)');
      const channel: ChannelRow & { guild_id: bigint } = {
        id: deps.ids.next(),
        guild_id: guildId,
        type: request.type,
        name: v.name(request.name),
        topic: topic(request.topic),
        parent_id: v.optionalSnowflake(request.parentId, 'parent_id') ?? null,
        position: request.position,
        nsfw: request.nsfw,
      };
      const overwrites = v.overwrites(request.permissionOverwrites);
      const { result, eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        await requireGuildPermission(tx, access, actorId, Need.MANAGE_CHANNELS);
        await checkParent(tx, guildId, channel.type, channel.parent_id);
        await store.saveChannel(tx, channel);
        await store.saveOverwrites(tx, channel.id, overwrites, true);
        return { result: await store.withExtras(tx, channel), events: [await channelEvent(tx, 'CHANNEL_CREATE', channel)] };
      });
      return { channel: toChannel(result), eventId };
    },

    async updateChannel(request: guildV1.UpdateChannelRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const name = request.name === undefined ? undefined : v.name(request.name);
      const parentId = request.parentId === undefined ? undefined : (v.optionalSnowflake(request.parentId, 'parent_id') ?? null);
      const overwrites = v.overwrites(request.permissionOverwrites);
      // The guild is known only from the channel: read it, lock the guild, then read it again.
      const found = await guildChannel(deps.database, channelId);
      const { result, eventId } = await lockedWrite(deps, found.guild_id, async (tx) => {
        const channel = await guildChannel(tx, channelId);
        const access = await loadGuildAccess(tx, channel.guild_id);
        await requireGuildPermission(tx, access, actorId, Need.MANAGE_CHANNELS);
        const updated = { ...channel };
        if (name !== undefined) updated.name = name;
        if (request.topic !== undefined) updated.topic = topic(request.topic);
        if (parentId !== undefined) updated.parent_id = parentId;
        if (request.position !== undefined) updated.position = request.position;
        if (request.nsfw !== undefined) updated.nsfw = request.nsfw;
        await checkParent(tx, channel.guild_id, channel.type, updated.parent_id);
        await store.saveChannel(tx, updated);
        // Without replace_overwrites the given overwrites are upserted, the others kept.
        await store.saveOverwrites(tx, channelId, overwrites, request.replaceOverwrites);
        return { result: await store.withExtras(tx, updated), events: [await channelEvent(tx, 'CHANNEL_UPDATE', updated)] };
      });
      return { channel: toChannel(result), eventId };
    },

    async deleteChannel(request: guildV1.DeleteChannelRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const found = await guildChannel(deps.database, channelId);
      const { eventId } = await lockedWrite(deps, found.guild_id, async (tx) => {
        const channel = await guildChannel(tx, channelId);
        const access = await loadGuildAccess(tx, channel.guild_id);
        await requireGuildPermission(tx, access, actorId, Need.MANAGE_CHANNELS);
        // The payload is taken before the row (and its overwrites) go.
        const deleted = await channelEvent(tx, 'CHANNEL_DELETE', channel);
        const children = await store.orphanChildren(tx, channelId);
        await store.deleteChannel(tx, channelId);
        const moved: GuildEventInit[] = [];
        for (const child of children) moved.push(await channelEvent(tx, 'CHANNEL_UPDATE', child as ChannelRow & { guild_id: bigint }));
        return { result: undefined, events: [deleted, ...moved] };
      });
      return { eventId };
    },
  };
}
