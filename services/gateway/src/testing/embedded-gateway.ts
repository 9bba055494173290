// One way for tests and benchmarks to start a real gateway in-process: embedded mode (PGlite,
// in-memory event log), every port picked by the OS, loopback only, silent logs, a fixed token
// secret. Settings in `env` override these (e.g. SWITCHBOARD_INSTANCE_ID, GATEWAY_DRAIN_WINDOW).
import { createServiceContext } from '@switchboard/runtime';
import { loadGatewayConfig } from '../config';
import { startGateway } from '../start';
import type { GatewayDependencies, RunningGateway } from '../start';

export const TEST_TOKEN_SECRET = 'switchboard-test-secret-'.padEnd(40, 'x');

export function embeddedGatewayEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    GATEWAY_GRPC_PORT: '0',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_PUBLIC_PORT: '0',
    SWITCHBOARD_BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    GATEWAY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    ...env,
  };
}

export async function startEmbeddedGateway(env: Record<string, string> = {}, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const config = loadGatewayConfig(embeddedGatewayEnv(env));
  return startGateway(createServiceContext('gateway', config, { processMetrics: false }), deps);
}

/** A token for `userId`, issued a second ago (so a revocation "up to now" in the test is ordered). */
export function tokenFor(gateway: RunningGateway, userId: bigint): string {
  return gateway.access.signer.sign({ userId, issuedAt: Math.floor(Date.now() / 1000) - 1 });
}
