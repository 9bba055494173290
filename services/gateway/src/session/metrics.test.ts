import { Registry } from '@switchboard/runtime';
import { GatewayMetrics } from './metrics';

describe('gateway metrics', () => {
  it('folds frames counted on the hot path into the labelled counters at scrape time', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    metrics.countSent('MESSAGE_CREATE', 'zstd-stream', 120);
    metrics.countSent('MESSAGE_CREATE', 'zstd-stream', 80);
    metrics.countSent('SOMETHING_NEW', 'none', 10);
    let text = await registry.metrics();
    expect(text).toContain('gateway_dispatches_sent_total{event="MESSAGE_CREATE",compression="zstd-stream"} 2');
    expect(text).toContain('gateway_dispatch_bytes_sent_total{event="MESSAGE_CREATE",compression="zstd-stream"} 200');
    expect(text).toContain('gateway_dispatches_sent_total{event="other",compression="none"} 1');
    metrics.countSent('MESSAGE_CREATE', 'zstd-stream', 1);
    text = await registry.metrics();
    expect(text).toContain('gateway_dispatches_sent_total{event="MESSAGE_CREATE",compression="zstd-stream"} 3');
    expect(text).toContain('gateway_dispatch_bytes_sent_total{event="MESSAGE_CREATE",compression="zstd-stream"} 201');
  });
});
