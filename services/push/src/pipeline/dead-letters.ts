// Dead letters of the pipeline: one record per device that could not be served (the provider
// rejected the notification, retries ran out, no provider for its platform). Same key and value
// as the request (so it can be replayed as is), the log's usual dlq-* headers (same format as the
// records the log dead-letters itself), and push-* headers naming the device, so an operator can
// see why and replay to that device only.
import { DLQ_HEADERS } from '@switchboard/runtime';
import type { ConsumedRecord, ProduceRecord } from '@switchboard/runtime';
import type { DeviceTarget } from '../providers/provider';
import { abortableSleep, throwIfAborted, unlessAborted } from './abort';
import type { Sleep } from './abort';

/** Where dead letters go: EventLog.produce in production. */
export interface DeadLetterSink {
  produce(topic: string, records: ProduceRecord[]): Promise<unknown>;
}

/** Why a device was dead-lettered (the `reason` metric label and push-reason header). */
export type DeadLetterReason = 'rejected' | 'retries-exhausted' | 'retry-after-too-long' | 'no-provider' | 'token-removal-suspended';

export const PUSH_DLQ_HEADERS = {
  reason: 'push-reason',
  detail: 'push-detail',
  platform: 'push-platform',
  appId: 'push-app-id',
  token: 'push-token',
  attempts: 'push-attempts',
  status: 'push-status',
} as const;

export interface DeviceFailure {
  target: DeviceTarget;
  reason: DeadLetterReason;
  /** The provider's words (its reason code, Retry-After asked for, ...). */
  detail: string;
  /** Sends made to this device for this record. */
  attempts: number;
  status?: number;
}

const MAX_DETAIL = 512;

export function deviceDeadLetter(record: ConsumedRecord, groupId: string, failure: DeviceFailure): ProduceRecord {
  const detail = failure.detail.length > MAX_DETAIL ? `${failure.detail.slice(0, MAX_DETAIL)}…` : failure.detail;
  const headers: Record<string, string> = {
    ...record.headers,
    [DLQ_HEADERS.topic]: record.topic,
    [DLQ_HEADERS.partition]: String(record.partition),
    [DLQ_HEADERS.offset]: record.offset,
    [DLQ_HEADERS.timestamp]: String(record.timestamp),
    [DLQ_HEADERS.groupId]: groupId,
    [DLQ_HEADERS.errorName]: 'PushDeliveryFailed',
    [DLQ_HEADERS.error]: `${failure.reason}: ${detail}`,
    [DLQ_HEADERS.attempts]: String(failure.attempts),
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    [PUSH_DLQ_HEADERS.reason]: failure.reason,
    [PUSH_DLQ_HEADERS.detail]: detail,
    [PUSH_DLQ_HEADERS.platform]: failure.target.platform,
    [PUSH_DLQ_HEADERS.appId]: failure.target.appId,
    [PUSH_DLQ_HEADERS.token]: failure.target.token,
    [PUSH_DLQ_HEADERS.attempts]: String(failure.attempts),
  };
  if (failure.status !== undefined) headers[PUSH_DLQ_HEADERS.status] = String(failure.status);
  return { key: record.key, value: record.value, headers };
}

export interface DeadLetterWriterOptions {
  sink: DeadLetterSink;
  /** The dead-letter topic of a source topic. */
  topicFor: (topic: string) => string;
  onError?: (err: unknown, tries: number) => void;
  sleep?: Sleep;
}

/**
 * Produces a dead letter, trying until it is durable or the record is abandoned: the device must
 * not be skipped unless its letter is safe (the same rule the log applies to its own dead letters).
 */
export async function writeDeadLetter(
  options: DeadLetterWriterOptions,
  record: ConsumedRecord,
  letter: ProduceRecord,
  signal: AbortSignal,
): Promise<void> {
  const topic = options.topicFor(record.topic);
  const sleep = options.sleep ?? abortableSleep;
  for (let tries = 1; ; tries += 1) {
    throwIfAborted(signal);
    try {
      await unlessAborted(options.sink.produce(topic, [letter]), signal);
      return;
    } catch (err) {
      throwIfAborted(signal);
      options.onError?.(err, tries);
      await sleep(Math.min(100 * 2 ** Math.min(tries - 1, 10), 5_000), signal);
    }
  }
}
