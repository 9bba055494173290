// The push delivery pipeline (issue 6). Entry point: createDeliveryPipeline(options) → { handle,
// process, stop }, with `handle` as the handler of the `switchboard.push.requests` subscription:
//
//   await eventLog.ensureTopics([{ name: PUSH_REQUESTS_TOPIC, partitions, deadLetter: true }]);
//   const pipeline = createDeliveryPipeline({ directory, providers: { fcm, apns }, deadLetters: eventLog, metrics, logger });
//   const subscription = await eventLog.subscribe({
//     groupId: 'switchboard-push-delivery', topics: [PUSH_REQUESTS_TOPIC], handler: pipeline.handle,
//     partitionConcurrency: partitions, inFlightPerPartition: 256,
//     maxAttempts: 20, // only a failed device lookup (or a bug) fails a record; the registry insists
//   });
//   // shutdown: await subscription.stop(); await pipeline.stop(); then close the providers.
export * from './abort';
export * from './collapse';
export * from './dead-letters';
export * from './deferred-retries';
export * from './decode-request';
export * from './delivery-pipeline';
export * from './device-delivery';
export * from './device-directory';
export * from './expiring-map';
export * from './in-flight-limiter';
export * from './push-metrics';
export * from './render';
export * from './retry-policy';
export * from './token-removal-guard';
export * from './truncate-utf8';
