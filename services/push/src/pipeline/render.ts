// PushRequest → RenderedNotification, once per request and platform-neutral: it fits both
// providers, whose payload limit is the same 4096 bytes (APNs: the whole JSON payload; FCM HTTP
// v1: notification + data).
//
// Limits (bytes of UTF-8, which is what the providers count; see truncate-utf8.ts):
// - title ≤ 256 bytes and body ≤ 1024 bytes, an ellipsis marking a cut. Longer text is not read on
//   a lock screen anyway, and these keep a notification far from the payload limit.
// - The payload, estimated as the JSON the providers build from it (estimatePayloadBytes), stays
//   ≤ payloadMaxBytes − payloadReserveBytes (4096 − 256): the reserve is for what a provider adds
//   (aps.sound, thread-id, android priority, tags). When request data pushes it over, the extra
//   data entries are dropped (largest first), then the body, then the title are cut further; the
//   ids (guild, channel, message, author) always stay, the app needs them to open the message.
// - collapseId ≤ 64 bytes (APNs apns-collapse-id): the collapse_key, or its hash when longer; the
//   request_id when there is no collapse_key (no collapsing on the device).
// Extra data keys that the providers reserve (FCM rejects `from`, `message_type`, `google.*`,
// `gcm.*`...; APNs custom keys sit next to `aps`) or that would shadow the ids are dropped: they
// would make the provider reject the whole notification.
import { createHash } from 'node:crypto';
import type { RenderedNotification } from '../providers/provider';
import type { PushRequestMessage } from './decode-request';
import { truncateUtf8, utf8Length } from './truncate-utf8';

export interface RenderLimits {
  /** Default 256. */
  titleMaxBytes?: number;
  /** Default 1024. */
  bodyMaxBytes?: number;
  /** The providers' limit. Default 4096. */
  payloadMaxBytes?: number;
  /** Part of payloadMaxBytes left for what the provider clients add. Default 256. */
  payloadReserveBytes?: number;
}

export const DEFAULT_RENDER_LIMITS: Required<RenderLimits> = {
  titleMaxBytes: 256,
  bodyMaxBytes: 1024,
  payloadMaxBytes: 4096,
  payloadReserveBytes: 256,
};

export const MAX_COLLAPSE_ID_BYTES = 64;

const ID_KEYS = ['guild_id', 'channel_id', 'message_id', 'author_id'] as const;
const RESERVED_KEYS = new Set<string>([
  ...ID_KEYS,
  'aps',
  'from',
  'message_type',
  'notification',
  'collapse_key',
  'priority',
  'time_to_live',
]);
const RESERVED_PREFIXES = ['google.', 'gcm.'];

export function renderNotification(message: PushRequestMessage, limits: RenderLimits = {}): RenderedNotification {
  const { titleMaxBytes, bodyMaxBytes, payloadMaxBytes, payloadReserveBytes } = { ...DEFAULT_RENDER_LIMITS, ...limits };
  const { request } = message;
  const notification: RenderedNotification = {
    title: truncateUtf8(request.title, titleMaxBytes),
    body: truncateUtf8(request.body, bodyMaxBytes),
    collapseId: collapseIdFor(request.collapseKey !== '' ? request.collapseKey : message.requestId),
    data: {},
  };
  if (request.badge !== 0) notification.badge = request.badge;
  const ids: Record<string, string> = {
    guild_id: request.guildId,
    channel_id: request.channelId,
    message_id: request.messageId,
    author_id: request.authorId,
  };
  for (const key of ID_KEYS) if (ids[key]) notification.data[key] = ids[key]!;
  const extras = Object.entries(request.data).filter(([key]) => isAllowedDataKey(key));
  for (const [key, value] of extras) notification.data[key] = value;
  fitPayload(notification, extras, payloadMaxBytes - payloadReserveBytes);
  return notification;
}

/** An upper estimate of the JSON payload the providers build (APNs shape; FCM's is no larger). */
export function estimatePayloadBytes(notification: RenderedNotification): number {
  const { title, body, badge, collapseId, data } = notification;
  return utf8Length(JSON.stringify({ aps: { alert: { title, body }, badge }, collapseId, data }));
}

export function collapseIdFor(key: string): string {
  if (utf8Length(key) <= MAX_COLLAPSE_ID_BYTES) return key;
  return `h:${createHash('sha256').update(key).digest('base64url')}`; // 45 bytes
}

function isAllowedDataKey(key: string): boolean {
  return key !== '' && !RESERVED_KEYS.has(key) && !RESERVED_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * An upper bound of estimatePayloadBytes without serialising: JSON writes a UTF-16 unit of a
 * string in at most 6 bytes (a \uXXXX escape), a number in at most 24, and around every data
 * entry adds 6 (quotes, colon, comma).
 */
function payloadBytesBound(notification: RenderedNotification): number {
  const { title, body, collapseId, data } = notification;
  let units = title.length + body.length + collapseId.length;
  let entries = 0;
  for (const key in data) {
    units += key.length + data[key]!.length;
    entries += 1;
  }
  return PAYLOAD_SKELETON_BYTES + 6 * units + 6 * entries;
}

/** The estimate's JSON around its strings: every string empty, the longest number as the badge. */
const PAYLOAD_SKELETON_BYTES = JSON.stringify({
  aps: { alert: { title: '', body: '' }, badge: -Number.MAX_VALUE },
  collapseId: '',
  data: {},
}).length;

function fitPayload(notification: RenderedNotification, extras: [string, string][], budget: number): void {
  // Nearly every notification is far below the budget: skip serialising it to find that out.
  if (payloadBytesBound(notification) <= budget) return;
  let size = estimatePayloadBytes(notification);
  if (size <= budget) return;
  const largestFirst = [...extras].sort((a, b) => utf8Length(b[0]) + utf8Length(b[1]) - utf8Length(a[0]) - utf8Length(a[1]));
  for (const [key] of largestFirst) {
    delete notification.data[key];
    size = estimatePayloadBytes(notification);
    if (size <= budget) return;
  }
  // Only the ids are left: cut the text, body first, to what its JSON form may still take.
  for (const field of ['body', 'title'] as const) {
    const allowed = jsonLength(notification[field]) - (size - budget);
    notification[field] = truncateToJsonBytes(notification[field], Math.max(0, allowed));
    size = estimatePayloadBytes(notification);
    if (size <= budget) return;
  }
}

/** UTF-8 bytes of `text` as a JSON string body (escapes included, quotes not). */
function jsonLength(text: string): number {
  return utf8Length(JSON.stringify(text)) - 2;
}

/**
 * The longest truncateUtf8 cut of `text` whose JSON form fits `maxJsonBytes` (escapes make JSON
 * longer than the raw text: quotes, backslashes, control characters). Binary search on the raw cut.
 */
function truncateToJsonBytes(text: string, maxJsonBytes: number): string {
  if (jsonLength(text) <= maxJsonBytes) return text;
  let low = 0; // a raw limit known to fit ('' always does)
  let high = Math.min(utf8Length(text), maxJsonBytes); // JSON is never shorter than the raw text
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonLength(truncateUtf8(text, mid)) <= maxJsonBytes) low = mid;
    else high = mid - 1;
  }
  return truncateUtf8(text, low);
}
