// Through a real embedded gateway: every admitted IDENTIFY consumes one session start of its user
// (GET /gateway/bot reports what is left), RESUME consumes none, and an IDENTIFY past the budget is
// closed with 4008 "session start limit exhausted" (the client may reconnect once reset_after passed).
import { startEmbeddedGateway, tokenFor } from '../testing/embedded-gateway';
import type { RunningGateway } from '../start';
import { TestGatewayClient } from '../transport/test-client';
import { SESSION_START_LIMIT_EXHAUSTED } from '../session/session';
import { waitFor } from '../../../../test/support/wait';

const USER = 175928847299117063n;
const OTHER = 175928847299117064n;

describe('session-start budget, consumed by IDENTIFY', () => {
  let gateway: RunningGateway;
  const clients: TestGatewayClient[] = [];

  beforeAll(async () => {
    // A 1 ms identify interval: this test is about the daily budget, not the 5 s concurrency bucket.
    gateway = await startEmbeddedGateway({ GATEWAY_SESSION_START_LIMIT: '2', GATEWAY_IDENTIFY_INTERVAL: '1ms' });
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await gateway?.context.lifecycle.shutdown('test done');
  });

  async function remaining(userId: bigint): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${gateway.edge.server.port}/api/v10/gateway/bot`, {
      headers: { authorization: `Bot ${tokenFor(gateway, userId)}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { session_start_limit: { remaining: number } }).session_start_limit.remaining;
  }

  async function connect(): Promise<TestGatewayClient> {
    const client = await TestGatewayClient.connect(gateway.edge.server.port);
    clients.push(client);
    expect(await client.next()).toMatchObject({ op: 10 });
    return client;
  }

  async function identify(userId: bigint): Promise<TestGatewayClient> {
    const client = await connect();
    client.send({ op: 2, d: { token: tokenFor(gateway, userId), intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    return client;
  }

  it('counts 2 → 1 → 0 over two IDENTIFYs, not over a RESUME, and closes the third IDENTIFY with 4008', async () => {
    expect(await remaining(USER)).toBe(2);
    const first = await identify(USER);
    const ready = await first.dispatch('READY');
    expect(await remaining(USER)).toBe(1);

    // Drop the connection and resume: the budget does not move.
    first.ws.terminate();
    await first.closed;
    const sessionId = (ready.d as { session_id: string }).session_id;
    await waitFor(() => gateway.edge.registry.get(sessionId)?.state === 'detached');
    const resumed = await connect();
    resumed.send({ op: 6, d: { token: tokenFor(gateway, USER), session_id: sessionId, seq: 1 } });
    await resumed.dispatch('RESUMED');
    expect(await remaining(USER)).toBe(1);

    await (await identify(USER)).dispatch('READY');
    expect(await remaining(USER)).toBe(0);

    const refused = await identify(USER);
    expect(await refused.closed).toEqual({ code: 4008, reason: SESSION_START_LIMIT_EXHAUSTED });
    expect(refused.received.some((payload) => payload.t === 'READY')).toBe(false);
    expect(await remaining(USER)).toBe(0);

    // Budgets are per user.
    await (await identify(OTHER)).dispatch('READY');
    expect(await remaining(OTHER)).toBe(1);
  });
});
