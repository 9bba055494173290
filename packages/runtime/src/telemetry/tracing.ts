// One telemetry bootstrap for every service, started first in main.ts so that spans exist before
// any gRPC or Kafka work. Traces leave the process over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT
// (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise spans are still created (so trace ids
// reach the logs and propagate downstream) but nothing is exported and nothing logs about it.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, NoopSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { context, propagation, trace } from '@opentelemetry/api';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Telemetry {
  /** True when spans are exported over OTLP. */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

/** Whether the standard OTLP variables ask for trace export. */
export function otlpTracesConfigured(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

let active: Telemetry | undefined;

export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active; // `make dev` runs every service in one process: one SDK for all.
  const exporting = otlpTracesConfigured(options.env);
  const spanProcessors: SpanProcessor[] = exporting
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })]
    : [new NoopSpanProcessor()];
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors,
    // W3C trace context only: the format carried in gRPC metadata and Kafka headers.
    textMapPropagator: new W3CTraceContextPropagator(),
    // Metrics are prom-client's (scraped from /metrics) and logs are pino's (stdout), so the SDK
    // exports neither; empty lists stop it from reading OTEL_*_EXPORTER defaults and warning.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    autoDetectResources: exporting,
  });
  sdk.start();
  const telemetry: Telemetry = {
    exporting,
    async shutdown() {
      if (active === telemetry) active = undefined;
      await sdk.shutdown();
      // Release the API globals so a later start (tests, an embedded restart) can register anew.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  active = telemetry;
  return telemetry;
}
