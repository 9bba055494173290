// What every service process needs around its own logic, wired the same way everywhere:
// logger, metrics registry, lifecycle, the gRPC server (health + reflection) and the ops HTTP
// server. A service's main.ts builds its dependencies, hands its gRPC registrations here, and the
// host starts the servers and registers their teardown. `make dev` runs four hosts in one process.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CommonConfig } from '../config/common';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { Lifecycle } from '../lifecycle/lifecycle';
import { OpsServer, ReadinessCheck, startOpsServer } from '../http/ops-server';
import { createGrpcServer, GrpcHealth, grpcServerMetrics, listen, shutdownGracefully } from '../grpc';
import type { ServiceRegistration } from '../grpc';
import { InstanceInfo, instanceInfo, newInstanceId } from './instance';

export interface HostConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
}

export interface ServiceContext {
  readonly service: string;
  readonly config: HostConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly lifecycle: Lifecycle;
  readonly instance: InstanceInfo;
}

export interface ContextOptions {
  /** Share one lifecycle across services in one process (`make dev`). */
  lifecycle?: Lifecycle;
  /** Default process metrics once per process: `make dev` turns them off for all but one host. */
  processMetrics?: boolean;
}

/** Logger, metrics and lifecycle for one service: build this first, then the dependencies. */
export function createServiceContext(service: string, config: HostConfig, options: ContextOptions = {}): ServiceContext {
  const instanceId = newInstanceId(config.instanceId);
  const logger = createLogger({ service, instance: instanceId, level: config.logLevel });
  const registry = createMetricsRegistry({ service, processMetrics: options.processMetrics ?? true });
  const lifecycle = options.lifecycle ?? new Lifecycle({ logger, graceMs: config.shutdownGraceMs });
  return { service, config, logger, registry, lifecycle, instance: instanceInfo(service, instanceId, config.mode, new Date()) };
}

export interface ServeOptions {
  services: readonly ServiceRegistration[];
  readiness?: Record<string, ReadinessCheck>;
}

export interface RunningService {
  readonly context: ServiceContext;
  readonly grpcPort: number;
  readonly ops: OpsServer;
  readonly health: GrpcHealth;
}

/**
 * Starts the gRPC and ops servers and marks the service SERVING. Shutdown (registered on the
 * lifecycle) first flips gRPC health and /readyz so balancers drain, then stops the servers.
 */
export async function serve(context: ServiceContext, options: ServeOptions): Promise<RunningService> {
  const { config, logger, lifecycle, registry } = context;
  const health = new GrpcHealth({ serving: false });
  const server = createGrpcServer({
    services: options.services,
    health,
    reflection: true,
    logger,
    observer: grpcServerMetrics(registry),
  });
  const grpcPort = await listen(server, config.host, config.grpcPort);
  lifecycle.onShutdown(`${context.service} grpc server`, () => shutdownGracefully(server, config.shutdownGraceMs / 2));

  const ops = await startOpsServer({ host: config.host, port: config.httpPort, registry, logger, readiness: options.readiness ?? {} });
  lifecycle.onShutdown(`${context.service} ops server`, () => ops.close());
  // Registered last so it runs first: stop advertising readiness before anything closes.
  lifecycle.onShutdown(`${context.service} drain`, () => {
    health.setServing(false);
    ops.markNotReady();
  });

  health.setServing(true);
  logger.info({ grpcPort, httpPort: ops.port, mode: config.mode, version: context.instance.version }, 'serving');
  return { context, grpcPort, ops, health };
}
