// Decoding a `switchboard.push.requests` record (binary pushV1.PushRequest, keyed by user id).
// A record that breaks the contract — undecodable bytes, no request id, a user id that is not a
// snowflake, an id field that is set but not a snowflake — is a PoisonRecordError: retrying cannot
// fix it, so the log dead-letters it at once (with this message as the reason) and moves on.
import { fromBinary } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import { isSnowflake, PoisonRecordError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';

/** Request ids are `<event id>:<user id>`; anything much longer is not one of ours. */
export const MAX_REQUEST_ID_LENGTH = 128;

export interface PushRequestMessage {
  /** The decoded message (strings as on the wire). */
  request: pushV1.PushRequest;
  requestId: string;
  userId: bigint;
}

const OPTIONAL_IDS = ['guildId', 'channelId', 'messageId', 'authorId'] as const;
const FIELD_NAMES: Record<(typeof OPTIONAL_IDS)[number], string> = {
  guildId: 'guild_id',
  channelId: 'channel_id',
  messageId: 'message_id',
  authorId: 'author_id',
};

export function decodePushRequest(record: Pick<ConsumedRecord, 'value'>): PushRequestMessage {
  let request: pushV1.PushRequest;
  try {
    request = fromBinary(pushV1.PushRequestSchema, record.value);
  } catch (err) {
    throw new PoisonRecordError('undecodable PushRequest', { cause: err });
  }
  if (request.requestId === '') throw new PoisonRecordError('request_id is empty');
  if (request.requestId.length > MAX_REQUEST_ID_LENGTH) {
    throw new PoisonRecordError(`request_id is longer than ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  if (!isSnowflake(request.userId) || BigInt(request.userId) === 0n) {
    throw new PoisonRecordError(`user_id "${clip(request.userId)}" is not a snowflake`);
  }
  for (const field of OPTIONAL_IDS) {
    const value = request[field];
    if (value !== '' && !isSnowflake(value)) {
      throw new PoisonRecordError(`${FIELD_NAMES[field]} "${clip(value)}" is not a snowflake`);
    }
  }
  return { request, requestId: request.requestId, userId: BigInt(request.userId) };
}

/** Keeps a hostile value from bloating the dead-letter reason header. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
