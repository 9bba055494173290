// The APNs request (headers and JSON payload) and the classification of its answers.
// Errors are {reason} (410 adds timestamp); https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns
import { apnsCollapseId } from './collapse-id';
import type { Http2Response } from './http2-pool';
import { parseJsonObject } from './outcomes';
import type { RenderedNotification, SendOutcome } from './provider';
import { parseRetryAfter } from './retry-after';

export interface ApnsPayload {
  aps: { alert: { title: string; body: string }; badge?: number };
  [key: string]: unknown;
}

export function buildApnsPayload(notification: RenderedNotification): ApnsPayload {
  const aps: ApnsPayload['aps'] = { alert: { title: notification.title, body: notification.body } };
  if (notification.badge !== undefined) aps.badge = notification.badge;
  const payload: ApnsPayload = { aps };
  // App data sits beside aps; a data key named "aps" must not replace it.
  for (const [key, value] of Object.entries(notification.data)) if (key !== 'aps') payload[key] = value;
  return payload;
}

export interface ApnsHeaderOptions {
  jwt: string;
  topic: string;
  collapseId: string;
  /** apns-expiration, UNIX seconds. */
  expiresAt: number;
}

export function apnsHeaders(options: ApnsHeaderOptions): Record<string, string> {
  return {
    authorization: `bearer ${options.jwt}`,
    'apns-topic': options.topic,
    'apns-push-type': 'alert',
    'apns-collapse-id': apnsCollapseId(options.collapseId),
    'apns-priority': '10',
    'apns-expiration': String(options.expiresAt),
    'content-type': 'application/json',
  };
}

/** Reasons that mean the token will never work for this app: drop it. */
const DEAD_TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic']);

export function apnsReason(body: string): { reason?: string; timestamp?: number } {
  const parsed = parseJsonObject(body);
  return {
    reason: typeof parsed?.reason === 'string' ? parsed.reason : undefined,
    timestamp: typeof parsed?.timestamp === 'number' ? parsed.timestamp : undefined,
  };
}

export function classifyApnsResponse(response: Http2Response, latencyMs: number, now: number = Date.now()): SendOutcome {
  const status = response.status;
  if (status === 200) return { kind: 'delivered', latencyMs };
  const { reason, timestamp } = apnsReason(response.body);
  const what = reason ?? `HTTP ${status}`;
  if (status === 410) return { kind: 'unregistered', reason: timestamp === undefined ? what : `${what} since ${timestamp}`, status };
  if (status === 400 && reason !== undefined && DEAD_TOKEN_REASONS.has(reason)) return { kind: 'unregistered', reason: what, status };
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return retryAfterMs === undefined ? { kind: 'retry', reason: what, status } : { kind: 'retry', reason: what, status, retryAfterMs };
  }
  if (status >= 500) return { kind: 'retry', reason: what, status };
  if (status === 403) return { kind: 'rejected', reason: `credentials: ${what}`, status };
  return { kind: 'rejected', reason: what, status };
}
