// W3C trace context (traceparent/tracestate) carried across process boundaries: gRPC metadata and
// Kafka record headers both reduce to string maps, so one pair of helpers serves both.
import { context, Context, propagation, trace } from '@opentelemetry/api';

export type HeaderValue = string | string[] | Buffer | Uint8Array | undefined | null;

/** Writes the trace context of `ctx` (default: the active one) into `carrier`; returns it. */
export function injectTraceContext<T extends Record<string, string>>(carrier: T, ctx: Context = context.active()): T {
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Reads a trace context from headers whose values may be strings, arrays or byte buffers. */
export function extractTraceContext(headers: Readonly<Record<string, HeaderValue>>, base: Context = context.active()): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const text = headerText(value);
    if (text !== undefined) carrier[key.toLowerCase()] = text;
  }
  return propagation.extract(base, carrier);
}

function headerText(value: HeaderValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value[0];
  return Buffer.from(value as Uint8Array).toString('utf8');
}

/** The trace and span ids of the active span, for log lines; undefined outside a trace. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : undefined;
}
