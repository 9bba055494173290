// Settings every service shares: how it runs (embedded vs cluster), where it listens, and the
// backing services of cluster mode. Each service adds its own on top.
import { ConfigOf, env, loadConfig, requireSetting, Setting } from './config';

export const RUN_MODES = ['embedded', 'cluster'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const commonSpec = {
  /** embedded: in-memory event log and PGlite, for `make dev`; cluster: real Kafka and PostgreSQL. */
  mode: env.oneOf('SWITCHBOARD_MODE', RUN_MODES, { default: 'embedded' }),
  instanceId: env.optional('SWITCHBOARD_INSTANCE_ID'),
  host: env.string('SWITCHBOARD_BIND_HOST', { default: '0.0.0.0' }),
  kafkaBrokers: env.list('KAFKA_BROKERS', { default: [] }),
  kafkaClientId: env.optional('KAFKA_CLIENT_ID'),
  /**
   * How long a consumer group waits for a silent member before moving its partitions: the bound on
   * how long a dead instance's keys (guilds, users) go unserved. Heartbeats go every tenth of it.
   */
  kafkaSessionTimeoutMs: env.duration('KAFKA_CONSUMER_SESSION_TIMEOUT', { default: 10_000 }),
  /** TLS to the brokers (managed Kafka services require it). */
  kafkaTls: env.bool('KAFKA_TLS', { default: false }),
  /** SASL mechanism when the cluster authenticates clients; unset means no SASL. */
  kafkaSaslMechanism: env.oneOf('KAFKA_SASL_MECHANISM', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, {
    default: 'none',
  }),
  kafkaSaslUsername: env.optional('KAFKA_SASL_USERNAME'),
  kafkaSaslPassword: env.optional('KAFKA_SASL_PASSWORD'),
  databaseUrl: env.optional('DATABASE_URL'),
  shutdownGraceMs: env.duration('SWITCHBOARD_SHUTDOWN_GRACE', { default: 10_000 }),
  logLevel: env.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
    default: 'info',
  }),
};

export type CommonConfig = ConfigOf<typeof commonSpec>;

/** Cross-setting rules of the common spec: cluster mode needs a Kafka cluster. Services that own
 * durable state also call requireDatabase(). */
export function validateCommon(config: CommonConfig): void {
  if (config.mode === 'cluster') {
    requireSetting(config.kafkaBrokers.length > 0, 'KAFKA_BROKERS', 'is required when SWITCHBOARD_MODE=cluster');
  }
  if (config.kafkaSaslMechanism !== 'none') {
    const needs = `is required when KAFKA_SASL_MECHANISM=${config.kafkaSaslMechanism}`;
    requireSetting(config.kafkaSaslUsername !== undefined, 'KAFKA_SASL_USERNAME', needs);
    requireSetting(config.kafkaSaslPassword !== undefined, 'KAFKA_SASL_PASSWORD', needs);
  }
}

/** Loads the common spec plus a service's own spec, and checks the cross-setting rules. */
export function loadServiceConfig<S extends Record<string, Setting<unknown>>>(
  serviceSpec: S,
  source: Readonly<Record<string, string | undefined>> = process.env,
): CommonConfig & ConfigOf<S> {
  const common = loadConfig(commonSpec, source);
  validateCommon(common);
  return { ...common, ...loadConfig(serviceSpec, source) };
}

/** For services that own durable state: in cluster mode DATABASE_URL must name a PostgreSQL. */
export function requireDatabase(config: CommonConfig): void {
  if (config.mode === 'cluster') {
    requireSetting(config.databaseUrl !== undefined, 'DATABASE_URL', 'is required when SWITCHBOARD_MODE=cluster');
  }
}
