// Server-side RPC metrics with the names and labels of go-grpc-prometheus, so existing Grafana
// dashboards and alerts for gRPC servers work unchanged. Labels are bounded: service, method,
// type and status code, never peer or ids.
import type { DescMethod } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export interface GrpcServerObserver {
  /** Called when a call starts; the returned function is called once with its final status code. */
  start(method: DescMethod): (code: status) => void;
}

const TYPE: Record<DescMethod['methodKind'], string> = {
  unary: 'unary',
  server_streaming: 'server_stream',
  client_streaming: 'client_stream',
  bidi_streaming: 'bidi_stream',
};

export function grpcServerMetrics(registry: Registry): GrpcServerObserver {
  const labelNames = ['grpc_service', 'grpc_method', 'grpc_type'] as const;
  const started = new Counter({ name: 'grpc_server_started_total', help: 'RPCs started on the server.', labelNames, registers: [registry] });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by status code.',
    labelNames: [...labelNames, 'grpc_code'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Time from the start of an RPC to its status (streams: their whole life).',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [registry],
  });
  return {
    start(method) {
      const labels = { grpc_service: method.parent.typeName, grpc_method: method.name, grpc_type: TYPE[method.methodKind] };
      started.inc(labels);
      const stop = seconds.startTimer(labels);
      return (code) => {
        stop();
        handled.inc({ ...labels, grpc_code: status[code] ?? String(code) });
      };
    },
  };
}
