// Deferred retries. A device whose next attempt is more than `deferAfterMs` away does not wait
// inside its request's record (which would hold its partition's commit back the whole time, so a
// crash would send everything after it again): its retry becomes a record of its own on the retry
// topic (`<requests topic>.retry`, same key), naming the device, the next attempt and when it may
// be made, and the original request settles. The retry record is handled like a request for that
// one device, after waiting for its time; it may be deferred again, or dead-lettered as usual.
import type { ConsumedRecord, ProduceRecord } from '@switchboard/runtime';
import type { DeviceTarget } from '../providers/provider';
import { isPlatform } from '../providers/provider';

export const RETRY_TOPIC_SUFFIX = '.retry';

export const RETRY_HEADERS = {
  platform: 'push-retry-platform',
  appId: 'push-retry-app-id',
  token: 'push-retry-token',
  locale: 'push-retry-locale',
  attempt: 'push-retry-attempt',
  notBefore: 'push-retry-not-before',
} as const;

export const retryTopicFor = (requestsTopic: string): string => `${requestsTopic}${RETRY_TOPIC_SUFFIX}`;

export const isRetryTopic = (topic: string): boolean => topic.endsWith(RETRY_TOPIC_SUFFIX);

/** The requests topic a retry topic belongs to (itself for a requests topic). */
export const requestsTopicOf = (topic: string): string => (isRetryTopic(topic) ? topic.slice(0, -RETRY_TOPIC_SUFFIX.length) : topic);

export interface DeferredRetry {
  target: DeviceTarget;
  /** The number of the send the retry makes (2 for the first retry). */
  attempt: number;
  /** Epoch ms before which it is not made. */
  notBefore: number;
}

/** The retry record of `record`'s request for one device: the request's key and bytes, the retry in headers. */
export function retryRecord(record: ConsumedRecord, retry: DeferredRetry): ProduceRecord {
  const headers: Record<string, string> = { ...record.headers };
  for (const name of Object.values(RETRY_HEADERS)) delete headers[name];
  headers[RETRY_HEADERS.platform] = retry.target.platform;
  headers[RETRY_HEADERS.appId] = retry.target.appId;
  headers[RETRY_HEADERS.token] = retry.target.token;
  if (retry.target.locale) headers[RETRY_HEADERS.locale] = retry.target.locale;
  headers[RETRY_HEADERS.attempt] = String(retry.attempt);
  headers[RETRY_HEADERS.notBefore] = String(retry.notBefore);
  return { key: record.key, value: record.value, headers };
}

/** The retry a retry record carries; undefined when its headers are not one (a poison record). */
export function parseRetry(record: ConsumedRecord): DeferredRetry | undefined {
  const h = record.headers;
  const platform = h[RETRY_HEADERS.platform];
  const appId = h[RETRY_HEADERS.appId];
  const token = h[RETRY_HEADERS.token];
  const attempt = Number(h[RETRY_HEADERS.attempt]);
  const notBefore = Number(h[RETRY_HEADERS.notBefore]);
  if (!platform || !isPlatform(platform) || !appId || !token) return undefined;
  if (!Number.isInteger(attempt) || attempt < 2 || !Number.isFinite(notBefore)) return undefined;
  const locale = h[RETRY_HEADERS.locale];
  return { target: { platform, appId, token, ...(locale ? { locale } : {}) }, attempt, notBefore };
}
