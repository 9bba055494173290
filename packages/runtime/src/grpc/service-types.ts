import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Metadata } from '@grpc/grpc-js';

// Types derived from generated service descriptors (`GenService`), so implementations and
// clients are checked against the protos with no hand-written message types. Methods are
// keyed by their generated `localName` (`describe` for rpc Describe).

/** What a handler knows about the call it serves, besides the request. */
export interface HandlerContext {
  readonly method: DescMethod;
  /** Request headers (trace context already extracted and active). */
  readonly metadata: Metadata;
  readonly peer: string;
  /** Absolute deadline the caller set, if any. */
  readonly deadline: Date | undefined;
  /**
   * Aborted when the caller cancels or its deadline passes: stop work, end streams. (On a
   * cancel, grpc-js may first end the request stream as if half-closed, then abort this.)
   */
  readonly signal: AbortSignal;
}

/** Handlers may return a created message or a plain init object; both are serialized. */
export type ResponseOf<O extends DescMessage> = MessageInitShape<O>;

export type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => Promise<ResponseOf<O>> | ResponseOf<O>;

export type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => AsyncIterable<ResponseOf<O>>;

export type ClientStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => Promise<ResponseOf<O>>;

export type BidiStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => AsyncIterable<ResponseOf<O>>;

type MethodShape = { readonly methodKind: string; readonly input: DescMessage; readonly output: DescMessage };

export type MethodHandler<M extends MethodShape> = M['methodKind'] extends 'unary'
  ? UnaryHandler<M['input'], M['output']>
  : M['methodKind'] extends 'server_streaming'
    ? ServerStreamingHandler<M['input'], M['output']>
    : M['methodKind'] extends 'client_streaming'
      ? ClientStreamingHandler<M['input'], M['output']>
      : BidiStreamingHandler<M['input'], M['output']>;

/** An implementation of every RPC of a generated service. */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S['method']]: MethodHandler<S['method'][K]>;
};

/** Per-call options of the typed client. */
export interface CallOptions {
  /** Relative deadline; unary calls default to the client's `defaultTimeoutMs`. */
  timeoutMs?: number;
  /** Absolute deadline; wins over `timeoutMs`. */
  deadline?: Date;
  /** Extra request headers (trace context is added automatically). */
  metadata?: Metadata | Readonly<Record<string, string>>;
  /**
   * Unary only: whether the call may be retried on a retryable status. Defaults to the
   * method's idempotency_level in the proto (NO_SIDE_EFFECTS or IDEMPOTENT → true).
   */
  idempotent?: boolean;
  /** Cancels the call when aborted. */
  signal?: AbortSignal;
}

export type UnaryMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

export type ServerStreamingMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

export type ClientStreamingMethod<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

export type BidiStreamingMethod<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

export type ClientMethod<M extends MethodShape> = M['methodKind'] extends 'unary'
  ? UnaryMethod<M['input'], M['output']>
  : M['methodKind'] extends 'server_streaming'
    ? ServerStreamingMethod<M['input'], M['output']>
    : M['methodKind'] extends 'client_streaming'
      ? ClientStreamingMethod<M['input'], M['output']>
      : BidiStreamingMethod<M['input'], M['output']>;

/** A typed client of a generated service: one method per RPC. */
export type ServiceClient<S extends DescService> = {
  readonly [K in keyof S['method']]: ClientMethod<S['method'][K]>;
};
