// The FCM HTTP v1 request body and the classification of its answers.
// Errors look like {error:{code, message, status, details:[{'@type': '...FcmError', errorCode}]}}.
import { apnsCollapseId } from './collapse-id';
import type { Http2Response } from './http2-pool';
import { parseJsonObject } from './outcomes';
import type { DeviceTarget, RenderedNotification, SendOutcome } from './provider';
import { parseRetryAfter } from './retry-after';

export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

export interface FcmMessage {
  message: {
    token: string;
    notification: { title: string; body: string };
    android: { collapse_key: string; notification: { tag: string; notification_count?: number } };
    /** iOS devices registered through FCM collapse and badge the same way. */
    apns: { headers: Record<string, string>; payload?: { aps: { badge: number } } };
    data: Record<string, string>;
  };
}

export function buildFcmMessage(target: DeviceTarget, notification: RenderedNotification): FcmMessage {
  const androidNotification: FcmMessage['message']['android']['notification'] = { tag: notification.collapseId };
  if (notification.badge !== undefined) androidNotification.notification_count = notification.badge;
  const apns: FcmMessage['message']['apns'] = { headers: { 'apns-collapse-id': apnsCollapseId(notification.collapseId) } };
  if (notification.badge !== undefined) apns.payload = { aps: { badge: notification.badge } };
  return {
    message: {
      token: target.token,
      notification: { title: notification.title, body: notification.body },
      android: { collapse_key: notification.collapseId, notification: androidNotification },
      apns,
      data: notification.data,
    },
  };
}

export interface FcmError {
  code?: number;
  status?: string;
  message?: string;
  errorCode?: string;
}

export function parseFcmError(body: string): FcmError {
  const error = parseJsonObject(body)?.error;
  if (typeof error !== 'object' || error === null) return {};
  const e = error as Record<string, unknown>;
  const details = Array.isArray(e.details) ? (e.details as unknown[]) : [];
  const fcmDetail = details.find(
    (d): d is Record<string, unknown> => typeof d === 'object' && d !== null && (d as Record<string, unknown>)['@type'] === FCM_ERROR_TYPE,
  );
  return {
    code: typeof e.code === 'number' ? e.code : undefined,
    status: typeof e.status === 'string' ? e.status : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    errorCode: typeof fcmDetail?.errorCode === 'string' ? fcmDetail.errorCode : undefined,
  };
}

export function classifyFcmResponse(response: Http2Response, latencyMs: number, now: number = Date.now()): SendOutcome {
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', latencyMs };
  const error = parseFcmError(response.body);
  const what = [error.errorCode ?? error.status ?? `HTTP ${status}`, error.message].filter(Boolean).join(': ');
  if (error.errorCode === 'UNREGISTERED' || status === 404) return { kind: 'unregistered', reason: what, status };
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return retryAfterMs === undefined ? { kind: 'retry', reason: what, status } : { kind: 'retry', reason: what, status, retryAfterMs };
  }
  if (status >= 500) return { kind: 'retry', reason: what, status };
  if (status === 401 || status === 403) return { kind: 'rejected', reason: `credentials: ${what}`, status };
  return { kind: 'rejected', reason: what, status };
}
