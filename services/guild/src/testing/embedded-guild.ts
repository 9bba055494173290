// One way for tests and benchmarks to start a real guild service in-process: embedded mode (PGlite,
// the in-memory event log unless one is passed), every port picked by the OS, loopback only,
// silent logs. Settings in `env` override these (e.g. SWITCHBOARD_MODE=cluster with KAFKA_BROKERS
// and GUILD_DATABASE_URL for the real backing services).
import { createServiceContext } from '@switchboard/runtime';
import { loadGuildConfig } from '../config';
import { startGuild } from '../start';
import type { GuildDependencies, RunningGuild } from '../start';

export function embeddedGuildEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    GUILD_GRPC_PORT: '0',
    GUILD_HTTP_PORT: '0',
    SWITCHBOARD_BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    GUILD_EVENT_PARTITIONS: '4',
    ...env,
  };
}

export async function startEmbeddedGuild(env: Record<string, string> = {}, deps: GuildDependencies = {}): Promise<RunningGuild> {
  const config = loadGuildConfig(embeddedGuildEnv(env));
  return startGuild(createServiceContext('guild', config, { processMetrics: false }), deps);
}
