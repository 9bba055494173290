// One way for tests to start a real presence service in-process: embedded mode (PGlite, the
// in-memory event log unless one is passed), every port picked by the OS, loopback only, silent
// logs. Settings in `env` override these (e.g. SWITCHBOARD_MODE=cluster with KAFKA_BROKERS and
// DATABASE_URL for the real backing services).
import { createServiceContext } from '@switchboard/runtime';
import { loadPresenceConfig } from '../config';
import { startPresence } from '../start';
import type { PresenceDependencies, RunningPresence } from '../start';

export function embeddedPresenceEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PRESENCE_GRPC_PORT: '0',
    PRESENCE_HTTP_PORT: '0',
    SWITCHBOARD_BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PRESENCE_SESSIONS_PARTITIONS: '4',
    ...env,
  };
}

export async function startEmbeddedPresence(env: Record<string, string> = {}, deps: PresenceDependencies = {}): Promise<RunningPresence> {
  const config = loadPresenceConfig(embeddedPresenceEnv(env));
  return startPresence(createServiceContext('presence', config, { processMetrics: false }), deps);
}
