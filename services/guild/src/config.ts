// The guild service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase } from '@switchboard/runtime';

export const guildSpec = {
  grpcPort: env.port('GUILD_GRPC_PORT', { default: 50052 }),
  httpPort: env.port('GUILD_HTTP_PORT', { default: 9092 }),
};

export type GuildConfig = ReturnType<typeof loadGuildConfig>;

export function loadGuildConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(guildSpec, source);
  requireDatabase(config);
  return config;
}
