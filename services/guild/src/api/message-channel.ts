// Where a message-like write (message, typing, reaction) happens: a guild text channel (one
// guild-scoped event, visibility by VIEW_CHANNEL) or a DM / group DM (one event per recipient in
// the recipient's user scope). Also who may act there.
import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from '@switchboard/runtime';
import type { Queryable, Transaction } from '@switchboard/runtime';
import type { GuildEventInit } from '../events';
import { guildScope, userScope } from '../events';
import type { GuildAccess } from './access';
import { loadGuildAccess, requireChannelPermission } from './access';
import type { Json } from './payloads';
import type { ChannelRow, MemberRow } from './rows';
import * as store from './store';
import { ChannelType } from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps, WriteOutcome, Written } from './write-path';

export type MessageChannel =
  | { kind: 'guild'; channel: ChannelRow; guildId: bigint; access: GuildAccess }
  | { kind: 'private'; channel: ChannelRow; recipientIds: bigint[] };

async function channelOrNotFound(q: Queryable, channelId: bigint): Promise<ChannelRow> {
  const channel = await store.getChannel(q, channelId);
  if (!channel) throw new NotFoundError(`unknown channel ${channelId}`);
  return channel;
}

async function resolve(tx: Transaction, channelId: bigint): Promise<MessageChannel> {
  const channel = await channelOrNotFound(tx, channelId);
  if (channel.guild_id === null) return { kind: 'private', channel, recipientIds: await store.getRecipientIds(tx, channelId) };
  if (channel.type !== ChannelType.GUILD_TEXT) throw new FailedPreconditionError(`channel ${channelId} is not a text channel`);
  return { kind: 'guild', channel, guildId: channel.guild_id, access: await loadGuildAccess(tx, channel.guild_id) };
}

/** A locked write in a channel: the guild's lock for a guild channel, the channel's for a DM. */
export async function channelWrite<R>(
  deps: GuildApiDeps,
  channelId: bigint,
  fn: (tx: Transaction, target: MessageChannel) => Promise<WriteOutcome<R>>,
): Promise<Written<R>> {
  const found = await channelOrNotFound(deps.database, channelId);
  return lockedWrite(deps, found.guild_id ?? channelId, async (tx) => fn(tx, await resolve(tx, channelId)));
}

/**
 * Checks that `userId` may act in the channel: a member with `need` there (guild), a recipient
 * (DM). Returns the member row in a guild.
 */
export async function requireParticipant(tx: Transaction, target: MessageChannel, userId: bigint, need: bigint): Promise<MemberRow | undefined> {
  if (target.kind === 'guild') return requireChannelPermission(tx, target.access, userId, target.channel.id, need);
  if (!target.recipientIds.includes(userId)) throw new PermissionDeniedError(`user ${userId} is not a recipient of channel ${target.channel.id}`);
  return undefined;
}

export interface AudienceOptions {
  contentUserIds?: readonly bigint[];
  /** Guild: who to push; DM: the author, whom every other recipient is pushed for. */
  pushUserIds?: readonly bigint[];
  pushAllRecipientsExcept?: bigint;
}

/** The events of one dispatch in the channel: one guild event, or one per DM recipient. */
export function channelEvents(target: MessageChannel, type: string, payload: Json, options: AudienceOptions = {}): GuildEventInit[] {
  if (target.kind === 'guild') {
    return [
      {
        scope: guildScope(target.guildId),
        type,
        payload,
        channelId: target.channel.id,
        ...(options.contentUserIds ? { contentUserIds: options.contentUserIds } : {}),
        ...(options.pushUserIds ? { pushUserIds: options.pushUserIds } : {}),
      },
    ];
  }
  const except = options.pushAllRecipientsExcept;
  return target.recipientIds.map((recipient) => ({
    scope: userScope(recipient),
    type,
    payload,
    // No channelId: a user scope has no channel permissions to apply. DMs carry content without the MESSAGE_CONTENT intent (Discord's rule for DMs).
    contentUserIds: options.contentUserIds ? [recipient] : [],
    pushUserIds: except !== undefined && recipient !== except ? [recipient] : [],
  }));
}

/** The guild_id field of a payload in this channel (absent in DMs). */
export function guildIdField(target: MessageChannel): Json {
  return target.kind === 'guild' ? { guild_id: target.guildId.toString() } : {};
}
