import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { startTelemetry } from './tracing';
import { extractTraceContext, injectTraceContext } from './propagation';
import { createLogger } from '../logging/logger';

describe('telemetry', () => {
  it('propagates W3C trace context through a string carrier and into log lines', async () => {
    const telemetry = startTelemetry({ serviceName: 'test', env: {} });
    try {
      expect(telemetry.exporting).toBe(false);
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logger = createLogger({ service: 'test', destination: sink });
      const span = trace.getTracer('test').startSpan('publish');
      const carrier = context.with(trace.setSpan(context.active(), span), () => injectTraceContext<Record<string, string>>({}));
      span.end();
      const { traceId, spanId } = span.spanContext();
      expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-01`);

      // The consuming side: headers as Kafka delivers them (Buffers), then a log line inside.
      const extracted = extractTraceContext({ traceparent: Buffer.from(carrier.traceparent!) });
      context.with(extracted, () => logger.info('consumed'));
      const line = JSON.parse(lines[0]!);
      expect(line).toMatchObject({ service: 'test', msg: 'consumed', trace_id: traceId, span_id: spanId });
    } finally {
      await telemetry.shutdown();
    }
  });

  it('exports spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const received: string[] = [];
    const collector = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    try {
      const telemetry = startTelemetry({ serviceName: 'test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
      expect(telemetry.exporting).toBe(true);
      trace.getTracer('test').startSpan('exported').end();
      await telemetry.shutdown(); // flushes the batch
      expect(received).toContain('POST /v1/traces');
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
      collector.close();
    }
  });
});
