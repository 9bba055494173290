// The guild service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase } from '@switchboard/runtime';

export const guildSpec = {
  grpcPort: env.port('GUILD_GRPC_PORT', { default: 50052 }),
  httpPort: env.port('GUILD_HTTP_PORT', { default: 9092 }),
  /**
   * Partitions of the guild events topic (created with it; fixed afterwards, since changing it
   * moves keys). Bounds how many guild instances share the load; 24 suits up to a dozen.
   */
  eventPartitions: env.int('GUILD_EVENT_PARTITIONS', { default: 24, min: 1, max: 1024 }),
  /** Consumer group of the instances that own guilds (one group per deployment). */
  ownerGroup: env.string('GUILD_OWNER_GROUP', { default: 'switchboard-guild-owners' }),
  /** How long an owner waits for a gateway to acknowledge an event before closing its stream. */
  fanoutAckTimeoutMs: env.duration('GUILD_FANOUT_ACK_TIMEOUT', { default: 10_000 }),
};

export type GuildConfig = ReturnType<typeof loadGuildConfig>;

export function loadGuildConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(guildSpec, source);
  requireDatabase(config);
  return config;
}
