// Delivery of one consumed record to its handler, shared by both implementations: attempts with
// backoff, PoisonRecordError, dead-lettering, abandonment on abort, and the trace context.
// The caller commits the record's offset only when this returns 'handled' or 'dead-lettered'.
import type { ConsumedRecord, ProduceRecord, ProducedRecord, RecordHandler, SubscribeOptions } from './event-log';
import { DeadLetterError, isPoisonRecordError } from './errors';
import { deadLetterRecord, deadLetterResolver, errorText } from './dead-letter';
import type { EventLogLogger } from './logger';
import { runInRecordContext } from './trace-context';
import { onAbort } from '../streams/abort-registry';
import { unlessAborted } from '../streams/abortable';

export type DeliveryOutcome = 'handled' | 'dead-lettered' | 'abandoned';

export interface DeliveryPolicy {
  groupId: string;
  handler: RecordHandler;
  maxAttempts: number;
  retryBackoffMs: number;
  deadLetterTopic: (topic: string) => string;
}

export interface DeliveryDeps {
  produce(topic: string, records: ProduceRecord[]): Promise<ProducedRecord[]>;
  logger: EventLogLogger;
  /** Keeps group membership alive between attempts; throws when the group rebalances. */
  heartbeat?: () => Promise<void>;
}

const MAX_BACKOFF_MS = 5_000;

export function deliveryPolicy(options: SubscribeOptions): DeliveryPolicy {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
  return {
    groupId: options.groupId,
    handler: options.handler,
    maxAttempts,
    retryBackoffMs: options.retryBackoffMs ?? 100,
    deadLetterTopic: deadLetterResolver(options.deadLetterTopic),
  };
}

class Abandoned extends Error {}

/** Settles like `promise`, or rejects with Abandoned once the record's (shared) signal aborts. */
const unlessAbandoned = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> => unlessAborted(promise, signal, () => new Abandoned());

/** Waits `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    const dispose = signal ? onAbort(signal, done) : undefined;
    function done() {
      clearTimeout(timer);
      dispose?.();
      resolve();
    }
  });
}

function backoff(policy: DeliveryPolicy, attempt: number): number {
  return Math.min(policy.retryBackoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

/** Calls the handler (a synchronous throw becomes a rejection), inside the record's trace context. */
function callHandler(record: ConsumedRecord, policy: DeliveryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
  try {
    return Promise.resolve(policy.handler(record, { groupId: policy.groupId, attempt, signal }));
  } catch (err) {
    return Promise.reject(err);
  }
}

function invokeHandler(record: ConsumedRecord, policy: DeliveryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
  const run = runInRecordContext(record.headers, () => callHandler(record, policy, attempt, signal));
  // unlessAborted listens to `run` to the end: an abandoned handler failing later is no unhandled rejection.
  return unlessAbandoned(run, signal);
}

/**
 * Delivers `record`: up to maxAttempts handler calls (PoisonRecordError ends them at once), then
 * the dead-letter topic. Returns 'abandoned' when `signal` aborts first (nothing to commit).
 * Errors from `deps.heartbeat` (a rebalance) propagate: the record is then left uncommitted.
 */
export async function deliverRecord(
  record: ConsumedRecord,
  policy: DeliveryPolicy,
  deps: DeliveryDeps,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  let lastError: unknown;
  let attempts = 0;
  while (attempts < policy.maxAttempts) {
    attempts += 1;
    try {
      await invokeHandler(record, policy, attempts, signal);
      return 'handled';
    } catch (err) {
      if (err instanceof Abandoned || signal.aborted) return 'abandoned';
      lastError = err;
      const { name, message } = errorText(err);
      const where = { topic: record.topic, partition: record.partition, offset: record.offset, groupId: policy.groupId };
      if (isPoisonRecordError(err)) {
        deps.logger.warn({ ...where, errorName: name, error: message }, 'poison record: dead-lettering it');
        break;
      }
      deps.logger.warn({ ...where, attempt: attempts, errorName: name, error: message }, 'record handler failed');
      if (attempts < policy.maxAttempts) {
        await sleep(backoff(policy, attempts), signal);
        if (signal.aborted) return 'abandoned';
        await deps.heartbeat?.();
      }
    }
  }
  return deadLetter(record, policy, deps, signal, { error: lastError, attempts });
}

async function deadLetter(
  record: ConsumedRecord,
  policy: DeliveryPolicy,
  deps: DeliveryDeps,
  signal: AbortSignal,
  failure: { error: unknown; attempts: number },
): Promise<DeliveryOutcome> {
  const topic = policy.deadLetterTopic(record.topic);
  const letter = deadLetterRecord(record, { ...failure, groupId: policy.groupId });
  // The record must not be skipped unless it is safe in the dead-letter topic: keep trying.
  for (let tries = 1; ; tries += 1) {
    if (signal.aborted) return 'abandoned';
    try {
      await unlessAbandoned(deps.produce(topic, [letter]), signal);
      return 'dead-lettered';
    } catch (err) {
      if (err instanceof Abandoned || signal.aborted) return 'abandoned';
      const source = { topic: record.topic, partition: record.partition, offset: record.offset };
      deps.logger.error({ err: new DeadLetterError(topic, source, { cause: err }), tries }, 'dead-lettering failed; retrying');
      await sleep(backoff(policy, Math.min(tries, 10)), signal);
      await deps.heartbeat?.();
    }
  }
}
