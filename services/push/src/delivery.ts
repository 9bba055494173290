// The delivery side of the push service: providers built from the configured apps, the delivery
// pipeline over the device registry, and its subscription to the push requests topic, consumed
// pipelined (many requests of one partition in flight, only the settled prefix committed) and
// bounded by PUSH_MAX_IN_FLIGHT: when every slot is taken, consumption waits (backpressure).
import { deadLetterTopicFor, UnknownTopicError } from '@switchboard/runtime';
import type { EventLog, ServiceContext, Subscription } from '@switchboard/runtime';
import type { PushApps } from './apps';
import type { PushConfig } from './config';
import { createDeliveryPipeline, directoryOf, PushMetrics, requestsTopicOf, retryTopicFor } from './pipeline';
import type { DeliveryPipeline } from './pipeline';
import { ProviderRegistry } from './providers';
import type { DeviceStore } from './registry';

type DeliverySettings = Pick<
  PushConfig,
  | 'requestsTopic' | 'requestsPartitions' | 'consumerGroup' | 'maxInFlight' | 'connectionConcurrency' | 'connectionsPerApp'
  | 'collapseWindowMs' | 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'retryDeferAfterMs' | 'fcmQuotaPerMinute' | 'apnsJwtRefreshMinutes'
>;

export interface RunningDelivery {
  readonly pipeline: DeliveryPipeline;
  readonly providers: ProviderRegistry;
  readonly subscription: Subscription;
}

/** The topic's partition count, creating it (with its dead-letter topic) when it does not exist yet. */
async function requestsPartitions(eventLog: EventLog, settings: DeliverySettings): Promise<number> {
  try {
    return await eventLog.partitionCount(settings.requestsTopic);
  } catch (err) {
    if (!(err instanceof UnknownTopicError)) throw err;
    await eventLog.ensureTopics([{ name: settings.requestsTopic, partitions: settings.requestsPartitions, deadLetter: true }]);
    return settings.requestsPartitions;
  }
}

export async function startDelivery(context: ServiceContext, eventLog: EventLog, apps: PushApps, devices: DeviceStore): Promise<RunningDelivery> {
  const settings = context.config as typeof context.config & DeliverySettings;
  const platform = { maxSessions: settings.connectionsPerApp, maxStreamsPerSession: settings.connectionConcurrency, ratePerMinute: settings.fcmQuotaPerMinute };
  const providers = new ProviderRegistry({
    apps: apps.all,
    fcm: platform,
    apns: { ...platform, tokenRenewMinutes: settings.apnsJwtRefreshMinutes },
  });
  const pipeline = createDeliveryPipeline({
    directory: directoryOf(devices),
    providers: providers.byPlatform(),
    deadLetters: eventLog,
    metrics: new PushMetrics(context.registry),
    logger: context.logger,
    maxInFlightSends: settings.maxInFlight,
    retry: { maxAttempts: settings.maxAttempts, baseDelayMs: settings.retryBaseMs, maxDelayMs: settings.retryMaxMs },
    collapse: { windowMs: settings.collapseWindowMs },
    deferRetries: { sink: eventLog, afterMs: settings.retryDeferAfterMs },
  });
  const partitions = await requestsPartitions(eventLog, settings);
  const retryTopic = retryTopicFor(settings.requestsTopic);
  await eventLog.ensureTopics([{ name: retryTopic, partitions }]);
  const subscription = await eventLog.subscribe({
    groupId: settings.consumerGroup,
    // Requests and their deferred retries (each waits for its time while it is handled).
    topics: [settings.requestsTopic, retryTopic],
    handler: pipeline.handle,
    // One dead-letter topic for both: a retry's poison letter goes where its request's would.
    deadLetterTopic: (topic) => deadLetterTopicFor(requestsTopicOf(topic)),
    partitionConcurrency: partitions * 2,
    // Requests wait on provider round trips: many of one partition at once, all of them within
    // the instance bound (a request to a user with several devices may hold several sends).
    inFlightPerPartition: Math.max(1, Math.min(settings.maxInFlight, 512)),
    maxInFlight: settings.maxInFlight,
    // Only a failed device lookup (the database) fails a whole record: insist before dead-lettering.
    maxAttempts: 20,
    onError: (err) => context.logger.error({ err }, 'push requests consumer stopped for good'),
  });
  // LIFO with the servers: the consumer stops first (in-flight requests settle and commit), then
  // what is left is abandoned uncommitted (redelivered to the next owner), then the connections close.
  context.lifecycle.onShutdown('push delivery', async () => {
    await subscription.stop();
    await pipeline.stop();
    await providers.close();
  });
  return { pipeline, providers, subscription };
}
