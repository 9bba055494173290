// Push notifications for MESSAGE_CREATE: each user named in push_user_ids who holds no session
// in the event's scope on any gateway (so no interest in the table) and may see the message gets
// a PushRequest, keyed by user id. Produced before the record's handler resolves: a crash before
// that redelivers the record, and the request id (event id ':' user id) dedupes downstream.
import { create, toBinary } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import type { EventLog } from '@switchboard/runtime';
import { PUSH_REQUESTS_TOPIC } from '../events';
import type { DecodedEvent } from './decoded-event';
import { isGuildScope } from './decoded-event';
import type { ScopeState } from './scope-state';

export const PUSH_BODY_MAX_CHARS = 200;

/** Who may be notified: a user with no interest in the scope (the table's question). */
export interface InterestLookup {
  hasInterest(scopeKey: string, userId: bigint): boolean;
}

export class PushTrigger {
  constructor(
    private readonly eventLog: Pick<EventLog, 'produce'>,
    private readonly interests: InterestLookup,
    private readonly topic: string = PUSH_REQUESTS_TOPIC,
  ) {}

  /** Produces the event's push requests (if any) and resolves with how many once they are durable. */
  async trigger(event: DecodedEvent, state: ScopeState | undefined): Promise<number> {
    const requests = this.requestsFor(event, state);
    if (requests.length === 0) return 0;
    await this.eventLog.produce(
      this.topic,
      requests.map((request) => ({ key: request.userId, value: toBinary(pushV1.PushRequestSchema, request) })),
    );
    return requests.length;
  }

  requestsFor(event: DecodedEvent, state: ScopeState | undefined): pushV1.PushRequest[] {
    if (event.event.type !== 'MESSAGE_CREATE' || event.pushUserIds.length === 0) return [];
    const targets = event.pushUserIds.filter((user) => this.#shouldPush(event, state, user));
    if (targets.length === 0) return [];
    const message = messageFields(event);
    return [...new Set(targets)].map((user) =>
      create(pushV1.PushRequestSchema, {
        requestId: `${event.event.eventId}:${user}`,
        userId: user.toString(),
        collapseKey: message.channelId,
        title: message.title,
        body: message.body,
        guildId: message.guildId,
        channelId: message.channelId,
        messageId: message.messageId,
        authorId: message.authorId,
      }),
    );
  }

  #shouldPush(event: DecodedEvent, state: ScopeState | undefined, user: bigint): boolean {
    if (this.interests.hasInterest(event.scopeKey, user)) return false;
    if (!isGuildScope(event)) return true;
    // Without the guild's state (or a channel) we cannot tell whether the user may read it: no push.
    const channel = event.channelId ?? optionalSnowflake(event.payload.channel_id);
    return state !== undefined && channel !== undefined && state.canView(user, channel);
  }
}

interface MessageFields {
  title: string;
  body: string;
  guildId: string;
  channelId: string;
  messageId: string;
  authorId: string;
}

/** The notification's text and ids, from the MESSAGE_CREATE payload (Discord's message object). */
export function messageFields(event: DecodedEvent): MessageFields {
  const d = event.payload;
  const author = (typeof d.author === 'object' && d.author !== null ? d.author : {}) as Record<string, unknown>;
  const guildId = stringField(d.guild_id) || (isGuildScope(event) ? event.scopeId.toString() : '');
  return {
    title: stringField(author.global_name) || stringField(author.username),
    body: pushBody(d),
    guildId,
    channelId: stringField(d.channel_id) || (event.channelId?.toString() ?? ''),
    messageId: stringField(d.id),
    authorId: stringField(author.id),
  };
}

export function pushBody(d: Record<string, unknown>): string {
  const content = stringField(d.content);
  if (content !== '') return truncate(content, PUSH_BODY_MAX_CHARS);
  if (Array.isArray(d.attachments) && d.attachments.length > 0) return 'sent an attachment';
  if (Array.isArray(d.embeds) && d.embeds.length > 0) return 'sent an embed';
  if (Array.isArray(d.sticker_items) && d.sticker_items.length > 0) return 'sent a sticker';
  return 'sent a message';
}

/** At most `max` characters (code points, so no emoji is cut in half), with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optionalSnowflake(value: unknown): bigint | undefined {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : undefined;
}
