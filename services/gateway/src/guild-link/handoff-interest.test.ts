// A session resumed on another gateway instance: the taker announces the session's interests and
// waits until the guild instance applied them before the origin lets the session go, so the
// guild's events never stop reaching it in between.
import { StaticPeerResolver } from '../handoff/peer-resolver';
import type { RunningGateway } from '../start';
import { startEmbeddedGateway, tokenFor } from '../testing/embedded-gateway';
import { TestGatewayClient } from '../transport/test-client';
import { FakeGuildServer, ready, waitFor } from './fake-guild-server';
import type { FakeFanoutCall } from './fake-guild-server';

const USER = 775928847299117063n;
const GUILD = '41771983423143937';

describe('guild link – cross-instance resume', () => {
  const peers = new StaticPeerResolver();
  let fake: FakeGuildServer;
  let a: RunningGateway;
  let b: RunningGateway;

  async function start(instanceId: string): Promise<RunningGateway> {
    const gateway = await startEmbeddedGateway({
      SWITCHBOARD_INSTANCE_ID: instanceId, GUILD_ADDRESS: fake.address, GATEWAY_IDENTIFY_INTERVAL: '1ms', GATEWAY_DRAIN_WINDOW: '0', GUILD_SYNC_TIMEOUT: '20s',
    }, { peers });
    peers.set(instanceId, `127.0.0.1:${gateway.grpcPort}`);
    return gateway;
  }

  const callOf = (instanceId: string): FakeFanoutCall | undefined => fake.calls.find((call) => call.helloFrom === instanceId && !call.ended);

  beforeAll(async () => {
    fake = await FakeGuildServer.start();
    fake.userGuilds.set(String(USER), [{ guildId: GUILD, payload: { id: GUILD } }]);
    [a, b] = [await start('gw-link-a'), await start('gw-link-b')];
    await waitFor(() => callOf('gw-link-a') !== undefined && callOf('gw-link-b') !== undefined, 'both fanout hellos');
  });

  afterAll(async () => {
    await a?.context.lifecycle.shutdown('test done');
    await b?.context.lifecycle.shutdown('test done');
    fake.stop();
  });

  it('syncs the taken session\'s interests on the taker before the origin releases it', async () => {
    const { client, sessionId } = await ready(a, USER);
    await client.dispatch('GUILD_CREATE');
    client.ws.terminate();
    await client.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached', 'the session to detach on A');

    fake.holdSyncs = true;
    const resumed = await TestGatewayClient.connect(b.edge.server.port);
    await resumed.next((frame) => frame.op === 10);
    resumed.send({ op: 6, d: { token: tokenFor(b, USER), session_id: sessionId, seq: 2 } });
    const taker = callOf('gw-link-b')!;
    await waitFor(() => taker.interests.has(`g:${GUILD}:${USER}`) && taker.heldSyncs.length > 0, 'the taker\'s interest sync');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Not released yet: A still holds (and buffers for) the session, B has not resumed it.
    expect(a.edge.registry.get(sessionId)).toBeDefined();
    expect(resumed.received.some((frame) => frame.t === 'RESUMED')).toBe(false);
    fake.holdSyncs = false;
    taker.releaseSyncs();
    await resumed.dispatch('RESUMED');
    await waitFor(() => a.edge.registry.get(sessionId) === undefined, 'A to let the session go');
    await waitFor(() => !callOf('gw-link-a')!.interests.has(`g:${GUILD}:${USER}`), 'A to withdraw its interests');
    expect(taker.interests.has(`u:${USER}:${USER}`)).toBe(true);
    resumed.ws.close(1000);
  });
});
