// The typed gRPC layer every Switchboard service serves and calls through: generated
// @bufbuild/protobuf v2 descriptors in, grpc-js on the wire, one error model, one client
// policy (deadlines, retries, trace context), standard health and reflection.
export { addService, implement, implementPartially } from './add-service.js';
export type { AddServiceOptions, ServiceRegistration } from './add-service.js';
export { closeClient, createClient, DEFAULT_UNARY_TIMEOUT_MS, isIdempotentMethod } from './client.js';
export type { ClientOptions } from './client.js';
export {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  GrpcStatusError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from './errors.js';
export type { GrpcErrorOptions, RetryableErrorOptions } from './errors.js';
export { GrpcHealth, OVERALL_HEALTH_SERVICE } from './health.js';
export type { GrpcLogger } from './logger.js';
export { stderrGrpcLogger } from './logger.js';
export { methodPath } from './method-definition.js';
export { addReflection } from './reflection.js';
export { createRetryInterceptor } from './retry-interceptor.js';
export {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  nextRetryDelayMs,
  RETRYABLE_CODES,
  retryDelayMs,
  shouldRetry,
} from './retry-policy.js';
export type { FailedAttempt, RetryPolicy } from './retry-policy.js';
export { createGrpcServer, listen, shutdownGracefully } from './server.js';
export { grpcServerMetrics } from './server-metrics.js';
export type { GrpcServerObserver } from './server-metrics.js';
export type { GrpcServerOptions, ShutdownOutcome } from './server.js';
export type {
  BidiStreamingHandler,
  BidiStreamingMethod,
  CallOptions,
  ClientStreamingHandler,
  ClientStreamingMethod,
  HandlerContext,
  ServerStreamingHandler,
  ServerStreamingMethod,
  ServiceClient,
  ServiceImpl,
  UnaryHandler,
  UnaryMethod,
} from './service-types.js';
export { FIELD_METADATA_KEY, fromServiceError, INTERNAL_ERROR_MESSAGE, isServiceError, toStatus } from './status-mapping.js';
export { STATUS_DETAILS_KEY } from './status-details.js';
export { TRACER_NAME, traceContextInterceptor } from './trace-context.js';
export { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
export type { Server as GrpcServer } from '@grpc/grpc-js';
