// Each service gets its own prom-client registry with the default process metrics, labelled
// with the service name. Labels are bounded (event type, close code, provider, outcome), never ids.
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Summary, Registry } from 'prom-client';

export interface MetricsOptions {
  service: string;
  /** Default process metrics (CPU, memory, event-loop lag, GC). Once per process in `make dev`. */
  processMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
