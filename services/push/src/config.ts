// The push service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase } from '@switchboard/runtime';

export const pushSpec = {
  grpcPort: env.port('PUSH_GRPC_PORT', { default: 50054 }),
  httpPort: env.port('PUSH_HTTP_PORT', { default: 9094 }),
};

export type PushConfig = ReturnType<typeof loadPushConfig>;

export function loadPushConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(pushSpec, source);
  requireDatabase(config);
  return config;
}
