// RevokeTokens (admin gRPC) ends the user's live sessions on every gateway instance: two embedded
// gateways share one real PostgreSQL schema. A (which serves the call) polls only hourly, so its
// session closing proves the immediate local path; B polls every 200 ms and closes its session of
// that user from the poll. Another user's sessions, and a session whose token was issued after
// the cutoff, stay.
import { randomBytes } from 'node:crypto';
import { gatewayV1 } from '@switchboard/proto';
import { closeClient, createClient, openDatabase } from '@switchboard/runtime';
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import { startEmbeddedGateway, tokenFor } from '../testing/embedded-gateway';
import type { RunningGateway } from '../start';
import { TestGatewayClient } from '../transport/test-client';
import { REVOKED_CLOSE_REASON } from './revocation-sweeper';
import { waitFor } from '../../../../test/support/wait';

const USER = 175928847299117063n;
const OTHER = 175928847299117064n;

describe('token revocation closes live sessions on every instance (real PostgreSQL)', () => {
  const schema = `test_gateway_revocation_${randomBytes(4).toString('hex')}`;
  const clients: TestGatewayClient[] = [];
  let admin: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let a: RunningGateway;
  let b: RunningGateway;
  let api: ReturnType<typeof createClient<typeof gatewayV1.GatewayService>>;

  beforeAll(async () => {
    admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    // Several IDENTIFYs of one user follow each other here: no 5 s identify bucket.
    const common = { DATABASE_URL: url.toString(), GATEWAY_IDENTIFY_INTERVAL: '1ms' };
    a = await startEmbeddedGateway({ ...common, SWITCHBOARD_INSTANCE_ID: 'gw-a', GATEWAY_REVOCATION_POLL: '1h' });
    b = await startEmbeddedGateway({ ...common, SWITCHBOARD_INSTANCE_ID: 'gw-b', GATEWAY_REVOCATION_POLL: '200ms' });
    api = createClient(gatewayV1.GatewayService, `127.0.0.1:${a.grpcPort}`);
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    if (api) closeClient(api);
    await a?.context.lifecycle.shutdown('test done');
    await b?.context.lifecycle.shutdown('test done');
    await admin?.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin?.close();
  });

  async function identify(gateway: RunningGateway, token: string): Promise<{ client: TestGatewayClient; sessionId: string }> {
    const client = await TestGatewayClient.connect(gateway.edge.server.port);
    clients.push(client);
    expect(await client.next()).toMatchObject({ op: 10 });
    client.send({ op: 2, d: { token, intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    const ready = await client.dispatch('READY');
    return { client, sessionId: (ready.d as { session_id: string }).session_id };
  }

  async function metric(gateway: RunningGateway, pattern: RegExp): Promise<boolean> {
    return pattern.test(await (await fetch(`http://127.0.0.1:${gateway.ops.port}/metrics`)).text());
  }

  it('closes the user\'s sessions with 4004 (here at once, there within the poll), not resumable; others stay', async () => {
    const onA = await identify(a, tokenFor(a, USER));
    const onB = await identify(b, tokenFor(b, USER));
    const otherUser = await identify(b, tokenFor(b, OTHER));
    const future = Math.floor(Date.now() / 1000) + 3600;
    const fresh = await identify(b, a.access.signer.sign({ userId: USER, issuedAt: future }));
    // A detached (resumable) session of the user on A ends too.
    const detached = await identify(a, tokenFor(a, USER));
    detached.client.ws.terminate();
    await detached.client.closed;
    await waitFor(() => a.edge.registry.get(detached.sessionId)?.state === 'detached');

    await api.revokeTokens({ userId: USER.toString() });
    // A ended its sessions before answering the call.
    expect(a.edge.registry.get(onA.sessionId)).toBeUndefined();
    expect(a.edge.registry.get(detached.sessionId)).toBeUndefined();
    expect(await onA.client.closed).toEqual({ code: 4004, reason: REVOKED_CLOSE_REASON });

    expect(await onB.client.closed).toEqual({ code: 4004, reason: REVOKED_CLOSE_REASON });
    expect(b.edge.registry.get(onB.sessionId)).toBeUndefined();

    // Not resumable: RESUME of the ended session is refused (op 9 d:false).
    const resume = await TestGatewayClient.connect(a.edge.server.port);
    clients.push(resume);
    expect(await resume.next()).toMatchObject({ op: 10 });
    resume.send({ op: 6, d: { token: tokenFor(a, USER), session_id: onA.sessionId, seq: 1 } });
    expect(await resume.next((payload) => payload.op === 9)).toMatchObject({ op: 9, d: false });

    // The others are still served (they answer heartbeats) and registered.
    for (const [gateway, kept] of [[b, otherUser], [b, fresh]] as const) {
      expect(gateway.edge.registry.get(kept.sessionId)?.state).toBe('ready');
      kept.client.send({ op: 1, d: null });
      expect(await kept.client.next((payload) => payload.op === 11)).toMatchObject({ op: 11 });
    }
    expect(await metric(a, /gateway_sessions_revoked_total\{[^}]*source="local"[^}]*\} 2/)).toBe(true);
    expect(await metric(b, /gateway_sessions_revoked_total\{[^}]*source="poll"[^}]*\} 1/)).toBe(true);
  });
});
