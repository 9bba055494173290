// The backing services of a service, chosen by run mode: cluster → Kafka and PostgreSQL from
// config; embedded → the in-memory event log and PGlite. `make dev` passes one shared in-memory
// event log to every service (they are one process), exactly as they would share one Kafka.
import type { Database } from '../db';
import { DEFAULT_EMBEDDED_DATABASE_URL, loadMigrations, migrate, openDatabase } from '../db';
import type { EventLog } from '../event-log';
import { KafkaEventLog, MemoryEventLog } from '../event-log';
import type { KafkaEventLogOptions } from '../event-log';
import type { CommonConfig } from '../config/common';
import type { ServiceContext } from './service-host';

/** TLS and SASL for the Kafka client, from the common settings. */
export function kafkaSecurity(config: CommonConfig): KafkaEventLogOptions['kafka'] {
  const { kafkaSaslMechanism: mechanism, kafkaSaslUsername: username, kafkaSaslPassword: password } = config;
  if (mechanism === 'none' || username === undefined || password === undefined) return { ssl: config.kafkaTls };
  // One literal per mechanism: kafkajs types SASL options as a union keyed by the mechanism.
  const credentials = { username, password };
  const sasl =
    mechanism === 'plain'
      ? { mechanism, ...credentials }
      : mechanism === 'scram-sha-256'
        ? { mechanism, ...credentials }
        : { mechanism, ...credentials };
  return { ssl: config.kafkaTls, sasl };
}

/** Opens the event log of the run mode (or adopts a shared one) and registers its close. */
export function openEventLog(context: ServiceContext, shared?: EventLog): EventLog {
  if (shared) return shared; // owned and closed by whoever created it
  const { config, logger, lifecycle, service } = context;
  const eventLog: EventLog =
    config.mode === 'cluster'
      ? new KafkaEventLog({
          brokers: config.kafkaBrokers,
          clientId: config.kafkaClientId ?? `switchboard-${service}`,
          logger,
          kafka: kafkaSecurity(config),
          consumer: {
            sessionTimeout: config.kafkaSessionTimeoutMs,
            heartbeatInterval: Math.max(100, Math.floor(config.kafkaSessionTimeoutMs / 10)),
          },
        })
      : new MemoryEventLog({ logger });
  lifecycle.onShutdown(`${service} event log`, () => eventLog.close());
  return eventLog;
}

/**
 * Opens the service's database (DATABASE_URL, or in-memory PGlite when embedded and unset),
 * applies the service's migrations from `migrationsDir`, and registers its close.
 */
export async function openServiceDatabase(context: ServiceContext, migrationsDir: string): Promise<Database> {
  const { config, logger, lifecycle, service } = context;
  const url = config.databaseUrl ?? DEFAULT_EMBEDDED_DATABASE_URL;
  const database = await openDatabase({ url, applicationName: `switchboard-${service}` });
  lifecycle.onShutdown(`${service} database`, () => database.close());
  // A bookkeeping table per service, so services may share one database without their
  // migration versions colliding.
  const applied = await migrate(database, await loadMigrations(migrationsDir), { table: `${service}_schema_migrations` });
  logger.info({ database: database.kind, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'database ready');
  return database;
}
