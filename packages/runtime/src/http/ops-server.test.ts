import { Counter } from 'prom-client';
import { createMetricsRegistry } from '../metrics/registry';
import { OpsServer, startOpsServer } from './ops-server';

describe('ops server', () => {
  let server: OpsServer;
  let ready = true;
  const registry = createMetricsRegistry({ service: 'test', processMetrics: false });
  const counter = new Counter({ name: 'switchboard_test_events_total', help: 'test', labelNames: ['type'], registers: [registry] });

  beforeAll(async () => {
    server = await startOpsServer({ host: '127.0.0.1', port: 0, registry, readiness: { backend: () => ready } });
  });
  afterAll(() => server.close());

  it('answers /healthz while the process is alive', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness from its checks and 503 once draining', async () => {
    ready = false;
    let res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', checks: { backend: 'not ready' } });
    ready = true;
    res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    server.markNotReady();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('serves Prometheus metrics with the service label', async () => {
    counter.inc({ type: 'MESSAGE_CREATE' });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('switchboard_test_events_total{type="MESSAGE_CREATE",service="test"} 1');
  });

  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
