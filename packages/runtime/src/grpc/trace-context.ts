import { InterceptingCall } from '@grpc/grpc-js';
import type { Interceptor, Metadata } from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapGetter } from '@opentelemetry/api';

// W3C trace context across gRPC (DESIGN "How they talk"): the client side injects the active
// context into request metadata (traceparent/tracestate, plus whatever else the globally
// registered propagator writes, e.g. baggage); the server side extracts it and runs the
// handler inside a server span that is a child of the caller's span. Only the OpenTelemetry
// API is used: with no SDK registered, every call here is a cheap no-op.

export const TRACER_NAME = 'switchboard-grpc';

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values;
  },
};

/** Writes the propagation fields of `ctx` into gRPC metadata. */
export function injectTraceContext(ctx: Context, metadata: Metadata): void {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
}

/** The remote parent context carried by incoming gRPC metadata (ROOT_CONTEXT if none). */
export function extractTraceContext(metadata: Metadata): Context {
  return propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
}

/** "/switchboard.guild.v1.GuildService/Describe" → span name and semantic-convention attributes. */
function rpcNaming(path: string): { name: string; attributes: Attributes } {
  const name = path.startsWith('/') ? path.slice(1) : path;
  const slash = name.lastIndexOf('/');
  return {
    name,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': name.slice(0, slash), 'rpc.method': name.slice(slash + 1) },
  };
}

/** Ends a span with the final gRPC status code of its call. */
export function endRpcSpan(span: Span, code: number, error?: unknown): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== 0) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : `gRPC status ${code}` });
  }
  span.end();
}

/**
 * Starts the server span for one incoming call, parented on the caller's context. Run the
 * handler inside the returned context (`context.with`) so its own calls and logs join the trace.
 */
export function startServerSpan(path: string, metadata: Metadata): { span: Span; ctx: Context } {
  const { name, attributes } = rpcNaming(path);
  const parent = extractTraceContext(metadata);
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/**
 * Client interceptor: one CLIENT span per call (covering its retries), whose context is
 * injected into the request metadata. The caller's context is read when the call is created,
 * i.e. synchronously in the caller's async scope.
 */
export const traceContextInterceptor: Interceptor = (options, nextCall) => {
  const parent = context.active();
  const { name, attributes } = rpcNaming(options.method_definition.path);
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      injectTraceContext(trace.setSpan(parent, span), metadata);
      next(metadata, {
        onReceiveStatus(callStatus, nextStatus) {
          endRpcSpan(span, callStatus.code, callStatus.code === 0 ? undefined : new Error(callStatus.details));
          nextStatus(callStatus);
        },
      });
    },
  });
};
