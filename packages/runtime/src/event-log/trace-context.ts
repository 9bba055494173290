// W3C trace context across the log: produce writes the active context into record headers,
// consume runs the handler inside the context read back from them. Only @opentelemetry/api is
// used: without a registered SDK/propagator these are no-ops.
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/** A copy of `headers` with traceparent/tracestate of the active context added. */
export function withTraceHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const carrier: Record<string, string> = { ...(headers ?? {}) };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` inside the trace context carried by `headers` (a fresh root context otherwise). */
export function runInRecordContext<T>(headers: Record<string, string>, fn: () => T): T {
  const extracted = propagation.extract(ROOT_CONTEXT, headers);
  return context.with(extracted, fn);
}
