import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { implement } from './add-service';
import { closeClient, createClient } from './client';
import { EchoService, echoImpl, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

// A test-only OpenTelemetry setup (what the SDK does in production): async context, W3C
// propagation and an in-memory exporter to read the spans back.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

/** Echo that answers with the traceparent of the context its handler runs in. */
const tracedEcho = implement(EchoService, {
  ...echoImpl,
  echo: async (request) => {
    await new Promise((resolve) => setImmediate(resolve)); // the context must survive awaits
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return { text: request.text, traceparent: carrier['traceparent'] ?? '' };
  },
});

describe('grpc – trace context propagation', () => {
  let running: RunningServer;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    running = await startServer([tracedEcho]);
  });
  afterAll(async () => {
    running.stop();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('carries the caller trace to the server handler, which runs in a child server span', async () => {
    const client = createClient(EchoService, running.address);
    const tracer = trace.getTracer('test');
    const { traceId, response } = await tracer.startActiveSpan('caller', async (span) => {
      const answer = await client.echo({ text: 'traced' });
      span.end();
      return { traceId: span.spanContext().traceId, response: answer };
    });
    closeClient(client);

    const [, serverTraceId, serverSpanId] = response.traceparent.split('-');
    expect(serverTraceId).toBe(traceId);

    const spans = exporter.getFinishedSpans();
    const serverSpan = spans.find((span) => span.name === 'switchboard.testing.v1.EchoService/Echo' && span.kind === 1);
    const clientSpan = spans.find((span) => span.name === 'switchboard.testing.v1.EchoService/Echo' && span.kind === 2);
    expect(serverSpan?.spanContext().spanId).toBe(serverSpanId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(clientSpan?.spanContext().traceId).toBe(traceId);
    expect(serverSpan?.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.method': 'Echo', 'rpc.grpc.status_code': 0 });
  });

  it('starts a new trace on the server when the caller has none', async () => {
    const client = createClient(EchoService, running.address);
    const response = await client.echo({ text: 'untraced' });
    closeClient(client);
    expect(response.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
