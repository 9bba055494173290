import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Client, ClientDuplexStream, ClientReadableStream, Metadata, ServiceError, CallOptions as GrpcCallOptions } from '@grpc/grpc-js';
import type { DescMessage, DescMethod, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { methodDefinition } from './method-definition.js';
import { fromServiceError, isServiceError } from './status-mapping.js';

// The four call shapes of the typed client on top of grpc-js: unary and client-streaming
// calls resolve a Promise; response streams are async iterables. Every failure surfaces as
// the matching error class (status-mapping.ts). Request streams are async iterables too,
// written with backpressure.

type Out = MessageShape<DescMessage>;
type In = MessageInitShape<DescMessage>;

/** Everything one call needs, prepared by the client from its policy and the call options. */
export interface PreparedCall {
  readonly metadata: Metadata;
  readonly options: GrpcCallOptions;
  readonly signal: AbortSignal | undefined;
}

function toError(error: unknown): unknown {
  return isServiceError(error) ? fromServiceError(error) : error;
}

/** Cancels `call` when `signal` aborts; returns the unsubscribe. */
function bindSignal(call: { cancel(): void }, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => undefined;
  if (signal.aborted) {
    call.cancel();
    return () => undefined;
  }
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** An AbortSignal that fires once the call has its final status (no more writes matter). */
function statusSignal(call: EventEmitter): AbortSignal {
  const ended = new AbortController();
  call.once('status', () => ended.abort());
  return ended.signal;
}

/** Writes every request with backpressure, then half-closes; stops once the call has ended. */
async function pump(requests: AsyncIterable<In>, call: Writable, ended: AbortSignal): Promise<void> {
  for await (const request of requests) {
    if (ended.aborted) return;
    if (!call.write(request)) await once(call, 'drain', { signal: ended }).catch(() => undefined);
  }
  if (!ended.aborted) call.end();
}

async function* readResponses(
  stream: ClientReadableStream<Out> | ClientDuplexStream<In, Out>,
  unbind: () => void,
  requestFailure: () => unknown,
): AsyncGenerator<Out> {
  let settled = false;
  try {
    for await (const message of stream) yield message as Out;
    settled = true;
  } catch (error) {
    settled = true;
    // A failing request iterable cancels the call; report its error, not the CANCELLED status.
    throw requestFailure() ?? toError(error);
  } finally {
    unbind();
    if (!settled) {
      // The consumer stopped early: cancel, and absorb the CANCELLED status grpc-js emits.
      stream.on('error', () => undefined);
      stream.cancel();
    }
  }
}

export function unaryCall(client: Client, method: DescMethod, request: In, call: PreparedCall): Promise<Out> {
  const definition = methodDefinition(method);
  return new Promise<Out>((resolve, reject) => {
    let unbind = (): void => undefined;
    const handle = client.makeUnaryRequest<In, Out>(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize as (bytes: Buffer) => Out,
      request,
      call.metadata,
      call.options,
      settle(resolve, reject, () => unbind()),
    );
    unbind = bindSignal(handle, call.signal);
  });
}

/** The callback of a call with one response: unbinds the abort signal, then settles the promise. */
function settle(resolve: (response: Out) => void, reject: (error: unknown) => void, unbind: () => void) {
  return (error: ServiceError | null, response?: Out): void => {
    unbind();
    if (error !== null || response === undefined) reject(toError(error ?? new Error('no response')));
    else resolve(response);
  };
}

export function serverStreamingCall(client: Client, method: DescMethod, request: In, call: PreparedCall): AsyncIterable<Out> {
  const definition = methodDefinition(method);
  const stream = client.makeServerStreamRequest<In, Out>(
    definition.path,
    definition.requestSerialize,
    definition.responseDeserialize as (bytes: Buffer) => Out,
    request,
    call.metadata,
    call.options,
  );
  return readResponses(stream, bindSignal(stream, call.signal), () => undefined);
}

export function clientStreamingCall(client: Client, method: DescMethod, requests: AsyncIterable<In>, call: PreparedCall): Promise<Out> {
  const definition = methodDefinition(method);
  return new Promise<Out>((resolve, reject) => {
    let unbind = (): void => undefined;
    const stream = client.makeClientStreamRequest<In, Out>(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize as (bytes: Buffer) => Out,
      call.metadata,
      call.options,
      settle(resolve, reject, () => unbind()),
    );
    unbind = bindSignal(stream, call.signal);
    pump(requests, stream, statusSignal(stream)).catch((error: unknown) => {
      reject(error);
      stream.cancel();
    });
  });
}

export function bidiStreamingCall(client: Client, method: DescMethod, requests: AsyncIterable<In>, call: PreparedCall): AsyncIterable<Out> {
  const definition = methodDefinition(method);
  const stream = client.makeBidiStreamRequest<In, Out>(
    definition.path,
    definition.requestSerialize,
    definition.responseDeserialize as (bytes: Buffer) => Out,
    call.metadata,
    call.options,
  );
  let requestError: unknown;
  pump(requests, stream, statusSignal(stream)).catch((error: unknown) => {
    requestError = error;
    stream.cancel();
  });
  return readResponses(stream, bindSignal(stream, call.signal), () => requestError);
}
