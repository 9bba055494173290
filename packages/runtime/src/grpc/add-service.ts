import type { DescService } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import type { Server, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { GrpcStatusError } from './errors.js';
import type { GrpcLogger } from './logger.js';
import { stderrGrpcLogger } from './logger.js';
import type { GrpcServerObserver } from './server-metrics.js';
import { methodDefinition } from './method-definition.js';
import { adaptHandler } from './server-handlers.js';
import type { ServiceImpl } from './service-types.js';

export interface AddServiceOptions {
  /** Where unclassified handler errors are logged before they become INTERNAL. */
  logger?: GrpcLogger;
  /** Told when each call starts and ends (RPC metrics). */
  observer?: GrpcServerObserver;
}

/**
 * Serves a generated service on a grpc-js server. `impl` is checked against the descriptor:
 * one handler per RPC, keyed by its generated local name.
 */
export function addService<S extends DescService>(
  server: Pick<Server, 'addService'>,
  service: S,
  impl: ServiceImpl<S>,
  options: AddServiceOptions = {},
): void {
  const logger = options.logger ?? stderrGrpcLogger;
  const definition: Record<string, ServiceDefinition[string]> = {};
  const handlers: UntypedServiceImplementation = {};
  const byLocalName = impl as Record<string, unknown>;
  for (const method of service.methods) {
    definition[method.name] = methodDefinition(method);
    const handler = byLocalName[method.localName] ?? unimplemented(service.typeName, method.name);
    handlers[method.name] = adaptHandler(method, handler as never, { logger, observer: options.observer });
  }
  server.addService(definition, handlers);
}

/** A handler answering UNIMPLEMENTED, for RPCs a partial implementation leaves out. */
function unimplemented(serviceName: string, methodName: string): () => never {
  return () => {
    throw new GrpcStatusError(status.UNIMPLEMENTED, `${serviceName}/${methodName} is not implemented by this server`);
  };
}

/** A service and its implementation, type-checked together, ready for createGrpcServer. */
export interface ServiceRegistration {
  readonly service: DescService;
  register(server: Pick<Server, 'addService'>, options: AddServiceOptions): void;
}

/** Pairs a generated service with its implementation (checked against the descriptor). */
export function implement<S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceRegistration {
  return { service, register: (server, options) => addService(server, service, impl, options) };
}

/**
 * As implement(), for servers that serve only some RPCs of a service (test doubles, a service
 * being built up): the others answer UNIMPLEMENTED.
 */
export function implementPartially<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): ServiceRegistration {
  return implement(service, impl as ServiceImpl<S>);
}
