// The push delivery pipeline: the handler of the `switchboard.push.requests` consumer.
// Per record: decode (poison → the log dead-letters it) → collapse check (collapsed or duplicate
// requests settle at once) → the user's devices (lookups of concurrent records batched) → render
// once → send to every device at once through its platform's provider, each send holding one of the
// instance's in-flight slots → settle each device (delivered, token removed, or dead-lettered, after
// retries per the retry policy). The handler resolves only when every device is settled, so the
// log commits the record only then; it rejects when the record is abandoned (signal aborted) or
// the device lookup failed, and the log redelivers or retries the record.
//
// Backpressure: sends wait for a slot, so when the providers are slow handle() waits; with the
// log's bounded in-flight consumption (SubscribeOptions.inFlightPerPartition) fetching pauses.
import { setMaxListeners } from 'node:events';
import type { ConsumedRecord, Logger, RecordHandlerContext } from '@switchboard/runtime';
import { deadLetterTopicFor, isPoisonRecordError, onAbort, PoisonRecordError } from '@switchboard/runtime';
import type { DeviceTarget, Platform, PushProvider } from '../providers/provider';
import { abortableSleep, PushAbandonedError, throwIfAborted, unlessAborted } from './abort';
import type { Sleep } from './abort';
import { Collapser } from './collapse';
import type { CollapseOptions } from './collapse';
import { deviceDeadLetter, writeDeadLetter } from './dead-letters';
import type { DeadLetterSink, DeviceFailure } from './dead-letters';
import { decodePushRequest } from './decode-request';
import type { PushRequestMessage } from './decode-request';
import { deliverToDevice } from './device-delivery';
import type { Defer } from './device-delivery';
import { isRetryTopic, parseRetry, requestsTopicOf, retryRecord, retryTopicFor } from './deferred-retries';
import { TokenRemovalGuard } from './token-removal-guard';
import type { TokenRemovalGuardOptions } from './token-removal-guard';
import type { DeviceDeliveryDeps } from './device-delivery';
import { DeviceLookupBatcher } from './device-directory';
import type { DeviceDirectory } from './device-directory';
import { InFlightLimiter } from './in-flight-limiter';
import type { PushMetrics, RequestResult } from './push-metrics';
import { renderNotification } from './render';
import type { RenderLimits } from './render';
import { RetryPolicy } from './retry-policy';
import type { RetryPolicyOptions } from './retry-policy';

export const PUSH_REQUESTS_TOPIC = 'switchboard.push.requests';
export const DEFAULT_MAX_IN_FLIGHT_SENDS = 1024;

export interface DeliveryPipelineOptions {
  directory: DeviceDirectory;
  /** The provider of each platform; a device whose platform has none is dead-lettered ('no-provider'). */
  providers: Partial<Record<Platform, PushProvider>>;
  /** Where undeliverable devices go (EventLog in production). */
  deadLetters: DeadLetterSink;
  metrics: PushMetrics;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Provider sends in flight on this instance, all records together. Default 1024. */
  maxInFlightSends?: number;
  retry?: RetryPolicyOptions;
  collapse?: CollapseOptions;
  /** When an app's dead-token answers are too many to be true (TokenRemovalGuard; default: over half of ≥ 200 sends a minute). */
  tokenGuard?: TokenRemovalGuardOptions;
  render?: RenderLimits;
  /** Most users in one DeviceDirectory.devicesOf call. Default 500. */
  lookupBatchSize?: number;
  /** The dead-letter topic: a name or a function of the source topic. Default `<topic>.dlq`. */
  deadLetterTopic?: string | ((topic: string) => string);
  /** Waits between retries (tests pass a recording one). Default: a timer. */
  sleep?: Sleep;
  /** Wall clock, ms (lag metric, collapse expiry, deferred retries). Default Date.now. */
  now?: () => number;
  /**
   * Retries due later than `afterMs` go to the retry topic (`<topic>.retry`, deferred-retries.ts)
   * through `sink` instead of holding their request's record; unset: every retry is waited for.
   */
  deferRetries?: { sink: DeadLetterSink; afterMs: number };
}

export interface DeliveryPipeline {
  /** The EventLog record handler (SubscribeOptions.handler): resolves once the request settled. */
  handle(record: ConsumedRecord, ctx: RecordHandlerContext): Promise<void>;
  /** As handle(), resolving with how the request settled. */
  process(record: ConsumedRecord, ctx: RecordHandlerContext): Promise<RequestResult>;
  /**
   * Abandons what is still in flight (nothing more is sent or dead-lettered for it) and forgets
   * the collapse state; resolves once that work has unwound. Stop the subscription first: records
   * handed over after stop() are left unsettled until the log abandons them (never dead-lettered).
   * Does not close the providers (their owner does).
   */
  stop(): Promise<void>;
  /** Provider sends in flight now. */
  readonly inFlightSends: number;
}

const silentLogger: Pick<Logger, 'info' | 'warn' | 'error'> = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Pick<Logger, 'info' | 'warn' | 'error'>;

export function createDeliveryPipeline(options: DeliveryPipelineOptions): DeliveryPipeline {
  return new PushDeliveryPipeline(options);
}

class PushDeliveryPipeline implements DeliveryPipeline {
  readonly #options: DeliveryPipelineOptions;
  readonly #metrics: PushMetrics;
  readonly #logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #collapser: Collapser;
  readonly #lookups: DeviceLookupBatcher;
  readonly #limiter: InFlightLimiter;
  readonly #deviceDeps: DeviceDeliveryDeps;
  readonly #dlqTopicFor: (topic: string) => string;
  readonly #stopping = new AbortController();
  /** Records whose work is running (stop() waits for it to unwind), and stop()'s wake-up once none is. */
  #active = 0;
  #unwound: { promise: Promise<void>; resolve: () => void } | undefined;
  /** The signal records' work runs under, per log signal (shared by the records in flight). */
  readonly #links = new Map<AbortSignal, Link>();

  constructor(options: DeliveryPipelineOptions) {
    this.#options = options;
    this.#metrics = options.metrics;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#collapser = new Collapser({ now: this.#now, ...options.collapse });
    this.#lookups = new DeviceLookupBatcher(options.directory, { maxBatch: options.lookupBatchSize });
    const gauge = this.#metrics.sendsInFlight;
    this.#limiter = new InFlightLimiter(options.maxInFlightSends ?? DEFAULT_MAX_IN_FLIGHT_SENDS, (n) => gauge.set(n));
    const dlq = options.deadLetterTopic;
    this.#dlqTopicFor = typeof dlq === 'function' ? dlq : typeof dlq === 'string' ? () => dlq : deadLetterTopicFor;
    this.#deviceDeps = {
      provider: (platform) => options.providers[platform],
      limiter: this.#limiter,
      retry: new RetryPolicy(options.retry),
      metrics: this.#metrics,
      directory: options.directory,
      logger: this.#logger,
      sleep: this.#sleep,
      tokenGuard: new TokenRemovalGuard({ now: this.#now, ...options.tokenGuard }),
      deferAfterMs: options.deferRetries?.afterMs ?? Infinity,
      now: this.#now,
    };
  }

  get inFlightSends(): number {
    return this.#limiter.inUse;
  }

  // The log ignores what the handler resolves with: process() itself, without a wrapping promise.
  readonly handle = (record: ConsumedRecord, ctx: RecordHandlerContext): Promise<void> =>
    this.process(record, ctx) as Promise<unknown> as Promise<void>;

  // One async function for the whole request (decode, collapse, deliver, settle): every layer of
  // async calls costs promises (and async-hook work) per notification on the hot path.
  async process(record: ConsumedRecord, ctx: RecordHandlerContext): Promise<RequestResult> {
    if (this.#stopping.signal.aborted) return parkUntilAbandoned(ctx.signal);
    if (isRetryTopic(record.topic)) return this.#processRetry(record, ctx);
    const handled = this.#metrics.handling(record.partition, record.timestamp);
    try {
      const message = this.#consume(record);
      const decision = this.#collapser.admit({
        requestId: message.requestId,
        userId: message.userId,
        collapseKey: message.request.collapseKey,
        eventTime: record.timestamp,
      });
      if (decision !== 'send') {
        this.#metrics.settle(decision);
        return decision;
      }
      const link = this.#begin(ctx.signal);
      let result: RequestResult;
      try {
        result = await this.#deliver(record, message, ctx.groupId, link.signal);
      } catch (err) {
        this.#end(ctx.signal, link);
        this.#collapser.release(message.requestId);
        // Abandoned by stop() while the log still holds the record: rejecting would count as a
        // failed attempt (and could dead-letter it); leave it unsettled until the log gives it up.
        if (err instanceof PushAbandonedError && !ctx.signal.aborted) await parkUntilAbandoned(ctx.signal);
        throw err;
      }
      this.#end(ctx.signal, link);
      this.#collapser.complete(message.requestId);
      this.#metrics.settle(result);
      return result;
    } finally {
      handled();
    }
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    if (this.#active > 0) {
      if (!this.#unwound) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        this.#unwound = { promise, resolve };
      }
      await this.#unwound.promise;
    }
    this.#collapser.clear();
  }

  /** Counts the record and decodes it (PoisonRecordError for a bad one). */
  #consume(record: ConsumedRecord): PushRequestMessage {
    this.#metrics.consumed.inc();
    try {
      return decodePushRequest(record);
    } catch (err) {
      if (isPoisonRecordError(err)) this.#metrics.poison.inc();
      throw err;
    }
  }

  /** A record's work starts: it runs under a signal aborted by the record's own signal or by stop(). */
  #begin(recordSignal: AbortSignal): Link {
    this.#active += 1;
    this.#metrics.recordsInFlight.inc();
    return this.#link(recordSignal);
  }

  /** The work begun with `link` unwound (settled either way). */
  #end(recordSignal: AbortSignal, link: Link): void {
    this.#unlink(recordSignal, link);
    this.#metrics.recordsInFlight.dec();
    this.#active -= 1;
    if (this.#active === 0 && this.#unwound) {
      this.#unwound.resolve();
      this.#unwound = undefined;
    }
  }

  /** Runs a record's work between #begin and #end. */
  async #track<T>(recordSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const link = this.#begin(recordSignal);
    try {
      return await work(link.signal);
    } finally {
      this.#end(recordSignal, link);
    }
  }

  /**
   * A signal aborted when `recordSignal` aborts or on stop(). The log hands every record of a
   * subscription the same signal, so the records in flight share one linked signal (one abort
   * controller and two callbacks, not one per record); it goes when the last of them unwound.
   */
  #link(recordSignal: AbortSignal): Link {
    let link = this.#links.get(recordSignal);
    if (!link) {
      link = linkSignals(recordSignal, this.#stopping.signal);
      this.#links.set(recordSignal, link);
    }
    link.users += 1;
    return link;
  }

  #unlink(recordSignal: AbortSignal, link: Link): void {
    link.users -= 1;
    if (link.users > 0) return;
    link.dispose();
    if (this.#links.get(recordSignal) === link) this.#links.delete(recordSignal);
  }

  /** A deferred retry (a record of the retry topic): one device, once its time has come. */
  async #processRetry(record: ConsumedRecord, ctx: RecordHandlerContext): Promise<RequestResult> {
    const retry = parseRetry(record);
    if (!retry) {
      this.#metrics.poison.inc();
      throw new PoisonRecordError(`${record.topic}[${record.partition}]@${record.offset}: not a deferred push retry (push-retry-* headers)`);
    }
    const message = this.#consume(record);
    try {
      return await this.#track(ctx.signal, async (signal) => {
        await this.#sleep(Math.max(0, retry.notBefore - this.#now()), signal);
        const notification = renderNotification(message, this.#options.render);
        const deadLetter = (failure: DeviceFailure) => this.#deadLetter(record, message, ctx.groupId, failure, signal);
        await deliverToDevice(this.#deviceDeps, retry.target, notification, deadLetter, signal, {
          firstAttempt: retry.attempt, defer: this.#deferrer(record, signal),
        });
        this.#metrics.settle('sent');
        return 'sent' as const;
      });
    } catch (err) {
      if (err instanceof PushAbandonedError && !ctx.signal.aborted) await parkUntilAbandoned(ctx.signal);
      throw err;
    }
  }

  /** How a device of `record` defers a later retry (undefined: deferral is off). */
  #deferrer(record: ConsumedRecord, signal: AbortSignal): Defer | undefined {
    const defer = this.#options.deferRetries;
    if (!defer) return undefined;
    const topic = retryTopicFor(requestsTopicOf(record.topic));
    return async (retry) => {
      throwIfAborted(signal);
      await unlessAborted(defer.sink.produce(topic, [retryRecord(record, retry)]), signal);
    };
  }

  async #deliver(record: ConsumedRecord, message: PushRequestMessage, groupId: string, signal: AbortSignal): Promise<RequestResult> {
    const devices = uniqueDevices(await unlessAborted(this.#lookups.devicesOf(message.userId), signal));
    if (devices.length === 0) return 'no-devices';
    const notification = renderNotification(message, this.#options.render);
    const deadLetter = (failure: DeviceFailure) => this.#deadLetter(record, message, groupId, failure, signal);
    const retrying = { firstAttempt: 1, defer: this.#deferrer(record, signal) };
    if (devices.length === 1) {
      // Most users have one device: no settle-all bookkeeping for it.
      await deliverToDevice(this.#deviceDeps, devices[0]!, notification, deadLetter, signal, retrying);
      return 'sent';
    }
    const results = await Promise.allSettled(
      devices.map((device) => deliverToDevice(this.#deviceDeps, device, notification, deadLetter, signal, retrying)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return 'sent';
  }

  async #deadLetter(record: ConsumedRecord, message: PushRequestMessage, groupId: string, failure: DeviceFailure, signal: AbortSignal) {
    const { platform, appId } = failure.target;
    this.#logger.warn(
      { requestId: message.requestId, platform, appId, reason: failure.reason, detail: failure.detail },
      'dead-lettering a push notification',
    );
    const writer = {
      sink: this.#options.deadLetters,
      // A deferred retry's letter goes where its request's would.
      topicFor: (topic: string) => this.#dlqTopicFor(requestsTopicOf(topic)),
      sleep: this.#sleep,
      onError: (err: unknown, tries: number) => this.#logger.error({ err, tries }, 'producing a push dead letter failed; retrying'),
    };
    await writeDeadLetter(writer, record, deviceDeadLetter(record, groupId, failure), signal);
  }
}

/** The same token listed twice is sent once. */
function uniqueDevices(devices: DeviceTarget[]): DeviceTarget[] {
  if (devices.length < 2) return devices;
  const seen = new Map<string, DeviceTarget>();
  for (const d of devices) seen.set(`${d.platform}\u0000${d.appId}\u0000${d.token}`, d);
  return [...seen.values()];
}

/**
 * A signal aborted when `a` or `b` aborts; dispose() detaches it. Both are long-lived signals (the
 * subscription's, the pipeline's): onAbort keeps attaching and detaching O(1).
 */
interface Link {
  readonly signal: AbortSignal;
  /** Records in flight under this signal. */
  users: number;
  dispose(): void;
}

function linkSignals(a: AbortSignal, b: AbortSignal): Link {
  const controller = new AbortController();
  // Every record in flight runs under it: many waits at once are no leak (ours use onAbort anyway).
  setMaxListeners(0, controller.signal);
  const abort = () => controller.abort();
  const disposeA = onAbort(a, abort);
  const disposeB = onAbort(b, abort);
  return {
    signal: controller.signal,
    users: 0,
    dispose: () => {
      disposeA();
      disposeB();
    },
  };
}

/** Never settles until `signal` aborts, then rejects with PushAbandonedError. */
function parkUntilAbandoned(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    onAbort(signal, () => reject(new PushAbandonedError()));
  });
}
