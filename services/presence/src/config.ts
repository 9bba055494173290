// The presence service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig } from '@switchboard/runtime';

export const presenceSpec = {
  grpcPort: env.port('PRESENCE_GRPC_PORT', { default: 50053 }),
  httpPort: env.port('PRESENCE_HTTP_PORT', { default: 9093 }),
};

export type PresenceConfig = ReturnType<typeof loadPresenceConfig>;

export function loadPresenceConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(presenceSpec, source);

  return config;
}
