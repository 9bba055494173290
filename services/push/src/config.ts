// The push service's settings, on top of the common ones (mode, Kafka, database, logging): the
// apps it delivers for (apps/), where the providers are, and the delivery pipeline's limits.
import { env, loadServiceConfig, requireDatabase, requireSetting } from '@switchboard/runtime';
import { loadPushApps } from './apps';

export const pushSpec = {
  grpcPort: env.port('PUSH_GRPC_PORT', { default: 50054 }),
  httpPort: env.port('PUSH_HTTP_PORT', { default: 9094 }),
  /** FCM HTTP v1 (tests point it at a local fake). */
  fcmBaseUrl: env.url('PUSH_FCM_BASE_URL', { default: 'https://fcm.googleapis.com', protocols: ['http', 'https'] }),
  /** When set, every APNs app goes here; unset, each app's `environment` picks Apple's production or sandbox host. */
  apnsBaseUrl: env.url('PUSH_APNS_BASE_URL', { default: 'https://api.push.apple.com', protocols: ['http', 'https'] }),
  /** The topic the guild service produces push requests to (same variable and default as there). */
  requestsTopic: env.string('PUSH_REQUESTS_TOPIC', { default: 'switchboard.push.requests' }),
  /** Partitions of the requests topic when this service creates it (the guild service creates it with GUILD_EVENT_PARTITIONS when it starts first). */
  requestsPartitions: env.int('PUSH_REQUESTS_PARTITIONS', { default: 24, min: 1, max: 1024 }),
  /** Consumer group of the delivering instances (one per deployment). */
  consumerGroup: env.string('PUSH_CONSUMER_GROUP', { default: 'switchboard-push-delivery' }),
  /** Notifications being delivered at once by this instance: past it, consumption pauses (backpressure). */
  maxInFlight: env.int('PUSH_MAX_IN_FLIGHT', { default: 1000, min: 1, max: 100_000 }),
  /** Concurrent requests (HTTP/2 streams) per provider connection. */
  connectionConcurrency: env.int('PUSH_CONNECTION_CONCURRENCY', { default: 100, min: 1, max: 1000 }),
  /** HTTP/2 connections per app and provider. */
  connectionsPerApp: env.int('PUSH_CONNECTIONS_PER_APP', { default: 4, min: 1, max: 64 }),
  /** Requests with the same (user, collapse key) within this window become one notification. */
  collapseWindowMs: env.int('PUSH_COLLAPSE_WINDOW_MS', { default: 10_000, min: 0, max: 3_600_000 }),
  /** Sends of one notification to one device before it is dead-lettered. */
  maxAttempts: env.int('PUSH_MAX_ATTEMPTS', { default: 8, min: 1, max: 100 }),
  /** First retry delay; doubles each attempt (with jitter) up to PUSH_RETRY_MAX_MS. Retry-After wins when given. */
  retryBaseMs: env.int('PUSH_RETRY_BASE_MS', { default: 500, min: 1, max: 3_600_000 }),
  retryMaxMs: env.int('PUSH_RETRY_MAX_MS', { default: 60_000, min: 1, max: 3_600_000 }),
  /**
   * A retry due later than this is handed to the retry topic (`<requests topic>.retry`) and its
   * request settles, instead of holding the request's partition commit while it waits.
   */
  retryDeferAfterMs: env.int('PUSH_RETRY_DEFER_AFTER_MS', { default: 2_000, min: 0, max: 3_600_000 }),
  /** FCM's per-project send quota (messages per minute); sends beyond it wait. */
  fcmQuotaPerMinute: env.int('PUSH_FCM_QUOTA_PER_MINUTE', { default: 600_000, min: 1, max: 1_000_000_000 }),
  /** APNs provider tokens (JWT) are renewed this often: Apple refuses them after 60 minutes and throttles renewals within 20. */
  apnsJwtRefreshMinutes: env.int('PUSH_APNS_JWT_REFRESH_MINUTES', { default: 40, min: 20, max: 60 }),
};

export type PushConfig = ReturnType<typeof loadPushConfig>;

export function loadPushConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(pushSpec, source);
  requireDatabase(config);
  requireSetting(config.retryMaxMs >= config.retryBaseMs, 'PUSH_RETRY_MAX_MS', `must be at least PUSH_RETRY_BASE_MS (${config.retryBaseMs})`);
  const apps = loadPushApps(source, { fcmBaseUrl: config.fcmBaseUrl, apnsBaseUrl: config.apnsBaseUrl });
  return { ...config, apps };
}
