import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerOptions } from '@grpc/grpc-js';
import type { ServiceRegistration } from './add-service.js';
import type { GrpcHealth } from './health.js';
import type { GrpcLogger } from './logger.js';
import { stderrGrpcLogger } from './logger.js';
import type { GrpcServerObserver } from './server-metrics.js';
import { addReflection } from './reflection.js';

export interface GrpcServerOptions {
  /** Services to serve, each from `implement(GenService, impl)`. */
  services: readonly ServiceRegistration[];
  /** Served as grpc.health.v1.Health; each service's name is tracked by it. */
  health?: GrpcHealth;
  /** Serve grpc.reflection v1 and v1alpha for the services (and health), for grpcurl. */
  reflection?: boolean;
  logger?: GrpcLogger;
  /** RPC metrics for every served service (see grpcServerMetrics). */
  observer?: GrpcServerObserver;
  serverOptions?: ServerOptions;
}

/** A grpc-js server with the services, health and reflection wired; not yet listening. */
export function createGrpcServer(options: GrpcServerOptions): Server {
  const server = new Server(options.serverOptions);
  const logger = options.logger ?? stderrGrpcLogger;
  for (const registration of options.services) registration.register(server, { logger, observer: options.observer });
  const descriptors = options.services.map((registration) => registration.service);
  if (options.health !== undefined) {
    options.health.track(descriptors.map((service) => service.typeName));
    options.health.addToServer(server);
  }
  if (options.reflection === true) addReflection(server, descriptors);
  return server;
}

/** Binds plaintext HTTP/2 on host:port (port 0 picks a free one) and resolves the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return new Promise((resolve, reject) => {
    server.bindAsync(`${authority}:${port}`, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error !== null) reject(error);
      else resolve(boundPort);
    });
  });
}

export type ShutdownOutcome = 'graceful' | 'forced';

/**
 * Stops accepting calls and waits for those in flight; after `deadlineMs`, cancels whatever is
 * left (long-lived streams included). Flip health to NOT_SERVING first, so balancers drain.
 */
export function shutdownGracefully(server: Server, deadlineMs: number): Promise<ShutdownOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: ShutdownOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      server.forceShutdown();
      settle('forced');
    }, deadlineMs);
    server.tryShutdown(() => settle('graceful'));
  });
}
