import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { context } from '@opentelemetry/api';
import { Metadata, status } from '@grpc/grpc-js';
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedHandleCall,
} from '@grpc/grpc-js';
import type { DescMessage, DescMethod, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { CancelledError, DeadlineExceededError } from './errors.js';
import type { GrpcStatusError } from './errors.js';
import type { GrpcLogger } from './logger.js';
import type { GrpcServerObserver } from './server-metrics.js';
import { methodPath } from './method-definition.js';
import { toStatus } from './status-mapping.js';
import type {
  BidiStreamingHandler,
  ClientStreamingHandler,
  HandlerContext,
  ServerStreamingHandler,
  UnaryHandler,
} from './service-types.js';
import { endRpcSpan, startServerSpan } from './trace-context.js';

// Adapts typed handlers to grpc-js. Every call runs inside its server span and the caller's
// trace context; whatever a handler throws is mapped to a status here, at the edge only.

type In = MessageShape<DescMessage>;
type Out = MessageInitShape<DescMessage>;
type AnyCall = ServerUnaryCall<In, Out> | ServerReadableStream<In, Out> | ServerWritableStream<In, Out> | ServerDuplexStream<In, Out>;
type StatusParts = ReturnType<typeof toStatus>;

function deadlineOf(call: AnyCall): Date | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

// setTimeout fires at once for delays past 2^31-1 ms; such deadlines (weeks away) get no timer.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts when the caller cancels or the deadline passes (grpc-js sends
 * DEADLINE_EXCEEDED by itself but does not tell the handler). Its reason is the matching error.
 */
export function callSignal(call: AnyCall, deadline: Date | undefined): { signal: AbortSignal; dispose: () => void } {
  const abort = new AbortController();
  (call as EventEmitter).once('cancelled', () => abort.abort(new CancelledError('cancelled by the caller')));
  const remainingMs = deadline === undefined ? Number.POSITIVE_INFINITY : deadline.getTime() - Date.now();
  const timer =
    remainingMs < MAX_TIMER_MS
      ? setTimeout(() => abort.abort(new DeadlineExceededError('deadline exceeded')), Math.max(0, remainingMs))
      : undefined;
  return { signal: abort.signal, dispose: () => clearTimeout(timer) };
}

/**
 * Runs `body` as the handler of `call`: inside the server span, with a context whose signal
 * aborts on cancellation. Resolves with the body's result or rejects with the status to send.
 */
export interface HandlerOptions {
  logger: GrpcLogger;
  observer?: GrpcServerObserver;
}

async function invoke<T>(method: DescMethod, call: AnyCall, options: HandlerOptions, body: (ctx: HandlerContext) => Promise<T>): Promise<T> {
  const { logger } = options;
  const done = options.observer?.start(method);
  const deadline = deadlineOf(call);
  const { signal, dispose } = callSignal(call, deadline);
  const { span, ctx } = startServerSpan(methodPath(method), call.metadata);
  const handlerContext: HandlerContext = { method, metadata: call.metadata, peer: call.getPeer(), deadline, signal };
  try {
    const result = await context.with(ctx, () => body(handlerContext));
    endRpcSpan(span, status.OK);
    done?.(status.OK);
    return result;
  } catch (error) {
    if (signal.aborted) {
      // The caller is gone (or out of time); what the handler threw while unwinding is noise.
      const reason = signal.reason as GrpcStatusError;
      endRpcSpan(span, reason.code, error);
      done?.(reason.code);
      const ended: StatusParts = { code: reason.code, details: reason.message, metadata: new Metadata() };
      throw ended;
    }
    const sent = toStatus(error, (unexpected) =>
      logger.error({ err: unexpected, rpc: methodPath(method) }, 'gRPC handler failed with an unclassified error'),
    );
    endRpcSpan(span, sent.code, error);
    done?.(sent.code);
    throw sent;
  } finally {
    dispose();
  }
}

/** Writes each response with backpressure; stops early when the call is cancelled. */
async function writeAll(call: ServerWritableStream<In, Out> | ServerDuplexStream<In, Out>, responses: AsyncIterable<Out>, signal: AbortSignal): Promise<void> {
  for await (const response of responses) {
    if (signal.aborted) return;
    if (!call.write(response)) {
      try {
        await once(call, 'drain', { signal });
      } catch {
        return; // aborted while waiting: the caller is gone
      }
    }
  }
}

/** Ends a response stream with its final status, unless the caller already went away. */
function finish(call: ServerWritableStream<In, Out> | ServerDuplexStream<In, Out>, sent?: StatusParts): void {
  if (call.cancelled || call.destroyed) return;
  if (sent === undefined) call.end();
  else call.emit('error', sent); // grpc-js turns an 'error' on a response stream into its status
}

/**
 * Incoming messages. Reading to the end must not destroy the call (a Readable's default
 * iterator does): a bidi handler still has to write and send its status afterwards. When the
 * caller cancels, the call is destroyed so a handler awaiting the next message is released.
 */
function requestsOf(call: ServerReadableStream<In, Out> | ServerDuplexStream<In, Out>): AsyncIterable<In> {
  call.once('cancelled', () => call.destroy());
  return call.iterator({ destroyOnReturn: false }) as AsyncIterable<In>;
}

function unary(method: DescMethod, handler: UnaryHandler<DescMessage, DescMessage>, options: HandlerOptions): handleUnaryCall<In, Out> {
  return (call, callback) => {
    invoke(method, call, options, async (ctx) => handler(call.request, ctx)).then(
      (response) => callback(null, response),
      (sent: StatusParts) => callback(sent),
    );
  };
}

function clientStreaming(
  method: DescMethod,
  handler: ClientStreamingHandler<DescMessage, DescMessage>,
  options: HandlerOptions,
): handleClientStreamingCall<In, Out> {
  return (call, callback) => {
    invoke(method, call, options, (ctx) => handler(requestsOf(call), ctx)).then(
      (response) => callback(null, response),
      (sent: StatusParts) => callback(sent),
    );
  };
}

function serverStreaming(
  method: DescMethod,
  handler: ServerStreamingHandler<DescMessage, DescMessage>,
  options: HandlerOptions,
): handleServerStreamingCall<In, Out> {
  return (call) => {
    invoke(method, call, options, (ctx) => writeAll(call, handler(call.request, ctx), ctx.signal)).then(
      () => finish(call),
      (sent: StatusParts) => finish(call, sent),
    );
  };
}

function bidiStreaming(
  method: DescMethod,
  handler: BidiStreamingHandler<DescMessage, DescMessage>,
  options: HandlerOptions,
): handleBidiStreamingCall<In, Out> {
  return (call) => {
    invoke(method, call, options, (ctx) => writeAll(call, handler(requestsOf(call), ctx), ctx.signal)).then(
      () => finish(call),
      (sent: StatusParts) => finish(call, sent),
    );
  };
}

/** The grpc-js handler for `method`, given its typed implementation. */
export function adaptHandler(method: DescMethod, handler: unknown, options: HandlerOptions): UntypedHandleCall {
  if (typeof handler !== 'function') {
    // Fail at boot, not on the first call: the type system already asks for every method.
    throw new TypeError(`no handler for ${methodPath(method)}`);
  }
  switch (method.methodKind) {
    case 'unary':
      return unary(method, handler as UnaryHandler<DescMessage, DescMessage>, options) as UntypedHandleCall;
    case 'server_streaming':
      return serverStreaming(method, handler as ServerStreamingHandler<DescMessage, DescMessage>, options) as UntypedHandleCall;
    case 'client_streaming':
      return clientStreaming(method, handler as ClientStreamingHandler<DescMessage, DescMessage>, options) as UntypedHandleCall;
    case 'bidi_streaming':
      return bidiStreaming(method, handler as BidiStreamingHandler<DescMessage, DescMessage>, options) as UntypedHandleCall;
  }
}
