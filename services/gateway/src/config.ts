// The gateway service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig } from '@switchboard/runtime';

export const gatewaySpec = {
  grpcPort: env.port('GATEWAY_GRPC_PORT', { default: 50051 }),
  httpPort: env.port('GATEWAY_HTTP_PORT', { default: 9091 }),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(gatewaySpec, source);

  return config;
}
