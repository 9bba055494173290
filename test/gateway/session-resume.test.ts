// Through a real gateway start (embedded mode, the real authenticator and limits) and real
// sockets, JSON and ETF with zlib-stream and zstd-stream: identify, READY, dispatches, the socket drops, RESUME on a new socket
// replays what was missed in order and then RESUMED, and the session goes on with its sequence.
import type { EncodingName, TransportCompressionName } from '../../services/gateway/src/codec';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { waitFor } from '../support/wait';

const USER = 175928847299117063n;
const GUILD = String(41771983423143937n);

describe('gateway – resume over real sockets', () => {
  let gateway: RunningGateway;
  let token: string;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    token = gateway.access.signer.sign({ userId: USER, issuedAt: Math.floor(Date.now() / 1000) - 1 });
  });
  afterAll(async () => {
    await gateway?.context.lifecycle.shutdown('test done');
  });

  const publish = (id: number) => gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(id), channel_id: '1', content: `m${id}` });

  // One user per case: IDENTIFY is throttled per user (max_concurrency 1, one per 5 s).
  it.each<[EncodingName, TransportCompressionName, bigint]>([
    ['json', 'zlib-stream', USER],
    ['etf', 'zstd-stream', USER + 1n],
    ['etf', 'zlib-stream', USER + 2n],
    ['json', 'zstd-stream', USER + 3n],
  ])('replays missed dispatches in order, then RESUMED, on a new socket (%s, %s)', async (encoding, compression, user) => {
    const port = gateway.edge.server.port;
    const token = gateway.access.signer.sign({ userId: user, issuedAt: Math.floor(Date.now() / 1000) - 1 });
    const first = await TestGatewayClient.connect(port, { encoding, compression });
    expect(await first.next()).toMatchObject({ op: 10 });
    first.send({ op: 2, d: { token, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    const ready = await first.dispatch('READY');
    const sessionId = (ready.d as { session_id: string }).session_id;
    expect(ready).toMatchObject({ s: 1, d: { v: 10, user: { id: String(user) }, resume_gateway_url: `ws://127.0.0.1:${port}` } });
    const session = gateway.edge.registry.get(sessionId)!;
    gateway.edge.registry.subscribe(session, GUILD);

    for (const id of [1, 2]) publish(id);
    expect((await first.dispatch('MESSAGE_CREATE')).s).toBe(2);
    expect((await first.dispatch('MESSAGE_CREATE')).s).toBe(3);
    first.ws.terminate(); // the TCP connection drops: no close frame
    await first.closed;
    await waitFor(() => session.state === 'detached');

    for (const id of [3, 4, 5]) publish(id);
    const second = await TestGatewayClient.connect(port, { encoding, compression });
    await second.next();
    second.send({ op: 6, d: { token, session_id: sessionId, seq: 3 } });
    const replayed = [await second.next((p) => p.op === 0), await second.next((p) => p.op === 0), await second.next((p) => p.op === 0), await second.next((p) => p.op === 0)];
    expect(replayed.map((p) => [p.t, p.s, (p.d as { id?: string }).id])).toEqual([
      ['MESSAGE_CREATE', 4, '3'],
      ['MESSAGE_CREATE', 5, '4'],
      ['MESSAGE_CREATE', 6, '5'],
      ['RESUMED', 7, undefined],
    ]);
    publish(6);
    expect(await second.dispatch('MESSAGE_CREATE')).toMatchObject({ s: 8, d: { id: '6' } });
    second.send({ op: 1, d: 8 });
    expect(await second.next((p) => p.op === 11)).toMatchObject({ op: 11 });
    second.ws.close(1000);
    await second.closed;
    await waitFor(() => session.state === 'closed');
  });

  it('answers a RESUME of an ended session with op 9 d:false', async () => {
    const client = await TestGatewayClient.connect(gateway.edge.server.port);
    await client.next();
    client.send({ op: 6, d: { token, session_id: 's1.eA.00000000000000000000000000000000', seq: 1 } });
    expect(await client.next((p) => p.op === 9)).toEqual(expect.objectContaining({ op: 9, d: false }));
    client.ws.close(1000);
  });
});
