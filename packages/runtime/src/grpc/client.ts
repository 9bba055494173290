import { Client, credentials as grpcCredentials, Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials, ChannelOptions, Interceptor, CallOptions as GrpcCallOptions } from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { bidiStreamingCall, clientStreamingCall, serverStreamingCall, unaryCall } from './client-calls.js';
import type { PreparedCall } from './client-calls.js';
import { createRetryInterceptor } from './retry-interceptor.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import type { CallOptions, ServiceClient } from './service-types.js';
import { traceContextInterceptor } from './trace-context.js';

// The one shared client policy (STYLE habit 6): every call carries a deadline (unary calls
// default to DEFAULT_UNARY_TIMEOUT_MS; streams are long-lived and only get one when asked),
// the caller's trace context, and — for idempotent unary calls only — retries on the codes
// in RETRYABLE_CODES with exponential backoff and jitter.

/** Unary calls without their own deadline get this one. */
export const DEFAULT_UNARY_TIMEOUT_MS = 10_000;

export interface ClientOptions {
  /** Default: insecure (plaintext inside the cluster network). */
  credentials?: ChannelCredentials;
  defaultTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  /** Extra interceptors, run after the trace and retry ones. */
  interceptors?: readonly Interceptor[];
  channelOptions?: ChannelOptions;
}

const channels = new WeakMap<object, Client>();

/** Whether the proto marks the method safe to repeat (idempotency_level). */
export function isIdempotentMethod(method: DescMethod): boolean {
  return (
    method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
    method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT
  );
}

function toMetadata(source: CallOptions['metadata']): Metadata {
  if (source instanceof Metadata) return source.clone();
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(source ?? {})) metadata.set(key, value);
  return metadata;
}

function deadlineFor(method: DescMethod, call: CallOptions, defaultTimeoutMs: number): Date | undefined {
  if (call.deadline !== undefined) return call.deadline;
  const timeoutMs = call.timeoutMs ?? (method.methodKind === 'unary' ? defaultTimeoutMs : undefined);
  return timeoutMs === undefined ? undefined : new Date(Date.now() + timeoutMs);
}

function prepare(method: DescMethod, call: CallOptions, options: ClientOptions, retry: Interceptor): PreparedCall {
  const retryable = method.methodKind === 'unary' && (call.idempotent ?? isIdempotentMethod(method));
  // grpc-js ignores a client's constructor interceptors once a call passes its own, so the
  // whole chain is assembled here: trace first (one span over all attempts), then retries.
  const interceptors = [traceContextInterceptor, ...(retryable ? [retry] : []), ...(options.interceptors ?? [])];
  const grpcOptions: GrpcCallOptions = { interceptors };
  const deadline = deadlineFor(method, call, options.defaultTimeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS);
  if (deadline !== undefined) grpcOptions.deadline = deadline;
  return { metadata: toMetadata(call.metadata), options: grpcOptions, signal: call.signal };
}

function bindMethod(client: Client, method: DescMethod, options: ClientOptions, retry: Interceptor): unknown {
  switch (method.methodKind) {
    case 'unary':
      return (request: never, call: CallOptions = {}) => unaryCall(client, method, request, prepare(method, call, options, retry));
    case 'server_streaming':
      return (request: never, call: CallOptions = {}) => serverStreamingCall(client, method, request, prepare(method, call, options, retry));
    case 'client_streaming':
      return (requests: never, call: CallOptions = {}) => clientStreamingCall(client, method, requests, prepare(method, call, options, retry));
    case 'bidi_streaming':
      return (requests: never, call: CallOptions = {}) => bidiStreamingCall(client, method, requests, prepare(method, call, options, retry));
  }
}

/**
 * A typed client for a generated service at `address` ("host:port"):
 * `await createClient(guildV1.GuildService, 'guild:50051').describe({})`.
 */
export function createClient<S extends DescService>(service: S, address: string, options: ClientOptions = {}): ServiceClient<S> {
  const client = new Client(address, options.credentials ?? grpcCredentials.createInsecure(), options.channelOptions);
  const retry = createRetryInterceptor(options.retryPolicy ?? DEFAULT_RETRY_POLICY);
  const methods: Record<string, unknown> = {};
  for (const method of service.methods) methods[method.localName] = bindMethod(client, method, options, retry);
  channels.set(methods, client);
  return methods as ServiceClient<S>;
}

/** Closes the channel behind a client made by createClient; later calls on it fail. */
export function closeClient(client: object): void {
  channels.get(client)?.close();
}
