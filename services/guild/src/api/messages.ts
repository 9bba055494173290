// Message RPCs. Messages are not stored here (the product's message store owns them): each write
// is checked against the channel and becomes a MESSAGE_* dispatch.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError } from '@switchboard/runtime';
import { channelPermissionsOf, Need } from './access';
import { channelEvents, channelWrite, guildIdField, requireParticipant } from './message-channel';
import type { MessageChannel } from './message-channel';
import { memberPayload, userPayload } from './payloads';
import type { Json } from './payloads';
import type { MemberRow, UserRow } from './rows';
import * as store from './store';
import * as v from './validate';
import type { GuildApiDeps } from './write-path';

/** Fields of a message a caller's extra_json cannot replace (identity and routing); `type`,
 * embeds, attachments, message_reference... it may set. */
const PROTECTED_FIELDS = [
  'id',
  'channel_id',
  'guild_id',
  'author',
  'member',
  'content',
  'timestamp',
  'edited_timestamp',
  'mentions',
  'mention_everyone',
  'nonce',
];

function extraFields(extra: Json, field: string): Json {
  for (const key of PROTECTED_FIELDS) if (key in extra) throw new InvalidArgumentError(field, `cannot set "${key}"`);
  return extra;
}

interface NewMessage {
  id: bigint;
  authorId: bigint;
  content: string;
  mentionIds: bigint[];
  mentionEveryone: boolean;
  nonce: string;
  extra: Json;
}

function messageCreatePayload(target: MessageChannel, m: NewMessage, author: UserRow, member: MemberRow | undefined, mentions: UserRow[]): Json {
  return {
    type: 0,
    tts: false,
    pinned: false,
    attachments: [],
    embeds: [],
    mention_roles: [],
    components: [],
    flags: 0,
    ...m.extra,
    id: m.id.toString(),
    channel_id: target.channel.id.toString(),
    ...guildIdField(target),
    author: userPayload(author),
    ...(member ? { member: memberPayload(member, { withUser: false }) } : {}),
    content: m.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    mention_everyone: m.mentionEveryone,
    mentions: mentions.map(userPayload),
    ...(m.nonce !== '' ? { nonce: m.nonce } : {}),
  };
}

function messageInput(request: guildV1.CreateMessageRequest, id: bigint): NewMessage {
  const message: NewMessage = {
    id,
    authorId: v.snowflake(request.authorId, 'author_id'),
    content: v.content(request.content),
    mentionIds: [...new Set(v.snowflakes(request.mentionUserIds, 'mention_user_ids'))],
    mentionEveryone: request.mentionEveryone,
    nonce: v.maxLength(request.nonce, 'nonce', 25),
    extra: extraFields(v.jsonObject(request.extraJson, 'extra_json'), 'extra_json'),
  };
  if (message.content === '' && Object.keys(message.extra).length === 0) throw new InvalidArgumentError('content', 'is required without extra_json');
  return message;
}

export function messageHandlers(deps: GuildApiDeps) {
  return {
    async createMessage(request: guildV1.CreateMessageRequest) {
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const m = messageInput(request, deps.ids.next());
      const { result, eventId } = await channelWrite(deps, channelId, async (tx, target) => {
        const member = await requireParticipant(tx, target, m.authorId, Need.SEND);
        const [author] = await store.getUsers(tx, [m.authorId]);
        const authorRow = author ?? { id: m.authorId, username: member?.username ?? '', global_name: null, avatar: null, bot: false };
        // Mentions name existing users only; @everyone needs MENTION_EVERYONE (else it is inert, as in Discord).
        const mentions = await store.getUsers(tx, m.mentionIds);
        if (m.mentionEveryone && target.kind === 'guild' && member) {
          m.mentionEveryone = ((await channelPermissionsOf(tx, target.access, member, channelId)) & Need.MENTION_EVERYONE) !== 0n;
        }
        const payload = messageCreatePayload(target, m, authorRow, member, mentions);
        const mentioned = mentions.map((u) => u.id);
        const events = channelEvents(target, 'MESSAGE_CREATE', payload, {
          contentUserIds: [m.authorId, ...mentioned.filter((id) => id !== m.authorId)],
          pushUserIds: mentioned.filter((id) => id !== m.authorId),
          pushAllRecipientsExcept: m.authorId,
        });
        const guildId = target.kind === 'guild' ? target.guildId.toString() : '';
        return { result: { guildId, mentioned }, events };
      });
      const message = {
        id: m.id.toString(),
        channelId: channelId.toString(),
        guildId: result.guildId,
        authorId: m.authorId.toString(),
        content: m.content,
        mentionUserIds: result.mentioned.map(String),
        mentionEveryone: m.mentionEveryone,
        extraJson: request.extraJson,
      };
      return { message, eventId };
    },

    async updateMessage(request: guildV1.UpdateMessageRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const messageId = v.snowflake(request.messageId, 'message_id');
      const content = v.content(request.content);
      const extra = extraFields(v.jsonObject(request.extraJson, 'extra_json'), 'extra_json');
      if (content === '' && Object.keys(extra).length === 0) throw new InvalidArgumentError('content', 'is required without extra_json');
      const { result, eventId } = await channelWrite(deps, channelId, async (tx, target) => {
        // Only "can the actor see the channel" is checked here: whether the actor wrote the
        // message belongs to the product's message store, which calls this after its own check.
        if (actorId !== undefined) await requireParticipant(tx, target, actorId, Need.VIEW);
        const payload: Json = {
          ...extra,
          id: messageId.toString(),
          channel_id: channelId.toString(),
          ...guildIdField(target),
          ...(content !== '' ? { content } : {}),
          edited_timestamp: new Date().toISOString(),
        };
        const guildId = target.kind === 'guild' ? target.guildId.toString() : '';
        return { result: guildId, events: channelEvents(target, 'MESSAGE_UPDATE', payload, { contentUserIds: [] }) };
      });
      // The author is the message store's knowledge, not this service's: left empty.
      const message = { id: messageId.toString(), channelId: channelId.toString(), guildId: result, content, extraJson: request.extraJson };
      return { message, eventId };
    },

    async deleteMessage(request: guildV1.DeleteMessageRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const channelId = v.snowflake(request.channelId, 'channel_id');
      const messageId = v.snowflake(request.messageId, 'message_id');
      const { eventId } = await channelWrite(deps, channelId, async (tx, target) => {
        // As for updates: authorship (or MANAGE_MESSAGES) is the product's message store's call.
        if (actorId !== undefined) await requireParticipant(tx, target, actorId, Need.VIEW);
        const payload = { id: messageId.toString(), channel_id: channelId.toString(), ...guildIdField(target) };
        return { result: undefined, events: channelEvents(target, 'MESSAGE_DELETE', payload) };
      });
      return { eventId };
    },
  };
}
