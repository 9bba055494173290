// Dead-letter records: a copy of the original (same key, value and headers) produced to the
// dead-letter topic, with headers naming where it came from and why it failed.
import type { ConsumedRecord, ProduceRecord, SubscribeOptions } from './event-log';

export const DEAD_LETTER_SUFFIX = '.dlq';

/** Header names added to a dead-lettered record. */
export const DLQ_HEADERS = {
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  timestamp: 'dlq-original-timestamp',
  groupId: 'dlq-consumer-group',
  errorName: 'dlq-error-name',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

const MAX_ERROR_HEADER = 1024;

/** The default dead-letter topic of `topic`: `<topic>.dlq`. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

/** Resolves SubscribeOptions.deadLetterTopic into a function of the source topic. */
export function deadLetterResolver(option: SubscribeOptions['deadLetterTopic']): (topic: string) => string {
  if (typeof option === 'function') return option;
  if (typeof option === 'string') return () => option;
  return deadLetterTopicFor;
}

export function errorText(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: String(err) };
}

export function deadLetterRecord(
  record: ConsumedRecord,
  failure: { error: unknown; attempts: number; groupId: string },
): ProduceRecord {
  const { name, message } = errorText(failure.error);
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: record.offset,
      [DLQ_HEADERS.timestamp]: String(record.timestamp),
      [DLQ_HEADERS.groupId]: failure.groupId,
      [DLQ_HEADERS.errorName]: name,
      [DLQ_HEADERS.error]: message.length > MAX_ERROR_HEADER ? `${message.slice(0, MAX_ERROR_HEADER)}…` : message,
      [DLQ_HEADERS.attempts]: String(failure.attempts),
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    },
  };
}
