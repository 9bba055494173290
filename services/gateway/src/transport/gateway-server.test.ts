import * as http from 'node:http';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import { CountingSessionCap } from '../session/fakes';
import { GatewayMetrics } from '../session/metrics';
import { identifyPayload, testRig } from '../session/test-support';
import type { TestRig } from '../session/test-support';
import { GatewayServer } from './gateway-server';
import { TestGatewayClient } from './test-client';

let server: GatewayServer;
let rig: TestRig;
let cap: CountingSessionCap;
let registry: Registry;

beforeEach(async () => {
  registry = new Registry();
  rig = testRig();
  (rig.env as { metrics: GatewayMetrics }).metrics = new GatewayMetrics(registry);
  cap = new CountingSessionCap(2);
  server = await GatewayServer.start({
    host: '127.0.0.1', port: 0, env: rig.env, cap, maxQueuedBytes: 1 << 20,
    handlers: [(req, res) => (req.url === '/api/ping' ? (res.end('pong'), true) : false)],
  });
});

afterEach(async () => {
  await server.close();
  rig.wheel.stop();
});

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('gateway server – handshake over real sockets', () => {
  it.each([
    ['zlib-stream', 'json'],
    ['zstd-stream', 'etf'],
    [undefined, 'etf'],
  ] as const)('sends HELLO and READY with compress=%s encoding=%s', async (compression, encoding) => {
    const client = await TestGatewayClient.connect(server.port, { encoding, ...(compression ? { compression } : {}) });
    expect(await client.next()).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
    client.ws.send(encoding === 'etf' ? etf(identifyPayload()) : JSON.stringify(identifyPayload()));
    const ready = await client.dispatch('READY');
    expect(ready).toMatchObject({ s: 1, d: { v: 10, user: { id: '1001' } } });
    client.ws.close(1000);
    await client.closed;
  });

  it.each([
    ['v=9', 4012],
    ['v=10&encoding=xml', 4002],
    ['v=10&compress=gzip', 4002],
  ])('opens then closes %s with %d', async (query, code) => {
    const client = await TestGatewayClient.connect(server.port, { query });
    expect((await client.closed).code).toBe(code);
  });

  it('closes an oversize frame with 4002, not 1009', async () => {
    const client = await TestGatewayClient.connect(server.port);
    await client.next();
    client.send({ op: 2, d: { token: 'x'.repeat(5000) } });
    expect((await client.closed).code).toBe(4002);
  });

  it('refuses upgrades with HTTP 503 while the session cap is full, and frees the slot on close', async () => {
    const a = await TestGatewayClient.connect(server.port);
    await TestGatewayClient.connect(server.port);
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/?v=10`);
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(status).toBe(503);
    a.ws.close(1000);
    await a.closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cap.used).toBe(1);
    expect(await registry.getSingleMetricAsString('gateway_upgrades_refused_total')).toContain('reason="session-cap"');
  });

  it('passes other HTTP requests to the handler chain, then 404', async () => {
    expect(await get('/api/ping')).toEqual({ status: 200, body: 'pong' });
    expect((await get('/nothing')).status).toBe(404);
  });

  it('asks clients to reconnect (op 7) and closes with a resumable code on drain', async () => {
    const client = await TestGatewayClient.connect(server.port);
    client.send(identifyPayload());
    await client.dispatch('READY');
    await server.drain();
    expect(await client.next((p) => p.op === 7)).toMatchObject({ op: 7 });
    expect((await client.closed).code).toBe(4000);
    expect([...rig.registry.sessions()].map((s) => s.state)).toEqual(['detached']);
    const gauge = await registry.getSingleMetricAsString('gateway_sessions');
    expect(gauge).toContain('gateway_sessions{state="detached"} 1');
    expect(gauge).toContain('gateway_sessions{state="ready"} 0');
  });
});

function etf(payload: Record<string, unknown>): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const erlpack = require('erlpack') as { pack(value: unknown): Buffer };
  return erlpack.pack(payload);
}
