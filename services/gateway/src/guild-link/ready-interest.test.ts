// READY through a real embedded gateway linked to a fake guild instance: the interests a session
// implies are announced (and synced) before READY, and withdrawn when the session ends for good.
import type { RunningGateway } from '../start';
import type { GatewayPayload } from '../codec';
import { FakeGuildServer, framesUntil, guildEvent, identify, ready, startLinkedGateway, userEvent, waitFor } from './fake-guild-server';

let nextUser = 175928847299117063n;
const GUILD_A = '41771983427338241'; // (id >> 22) odd
const GUILD_B = '81384788765712384'; // (id >> 22) even

describe('guild link – interests around READY', () => {
  let fake: FakeGuildServer;
  let gateway: RunningGateway;

  let USER: bigint;

  // One gateway for the file (an embedded start takes seconds); each test has its own user.
  beforeAll(async () => {
    fake = await FakeGuildServer.start();
    gateway = await startLinkedGateway([fake]);
    await waitFor(() => fake.call?.helloFrom !== undefined, 'the fanout hello');
  });

  beforeEach(() => {
    USER = nextUser++;
    fake.userGuilds.set(String(USER), [
      { guildId: GUILD_A, payload: { id: GUILD_A, name: 'a', channels: [] } },
      { guildId: GUILD_B, payload: { id: GUILD_B, name: 'b', channels: [] } },
    ]);
    fake.holdSyncs = false;
    fake.failGetUserGuilds = false;
    fake.afterSync = undefined;
    fake.beforeUserGuilds = undefined;
  });

  afterAll(async () => {
    await gateway.context.lifecycle.shutdown('test done');
    fake.stop();
  });

  const interestsOf = (user: bigint) => [...fake.call!.interests].filter((key) => key.endsWith(`:${user}`)).sort();

  it('says hello with the instance id and announces user and guild interests before READY', async () => {
    expect(fake.call!.helloFrom).toBe(gateway.context.instance.instanceId);
    const { client } = await ready(gateway, USER);
    expect(interestsOf(USER)).toEqual([`g:${GUILD_A}:${USER}`, `g:${GUILD_B}:${USER}`, `u:${USER}:${USER}`].sort());
    const creates = [await client.dispatch('GUILD_CREATE'), await client.dispatch('GUILD_CREATE')];
    expect(creates.map((frame) => (frame.d as { id: string }).id).sort()).toEqual([GUILD_A, GUILD_B]);
    client.ws.close(1000);
    await client.closed;
  });

  it('withdraws the interests once the session ends for good, not while the other session lives', async () => {
    const first = await ready(gateway, USER);
    const second = await ready(gateway, USER);
    first.client.ws.close(1000);
    await first.client.closed;
    await waitFor(() => gateway.edge.registry.get(first.sessionId) === undefined, 'the first session to end');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.call!.interests.has(`u:${USER}:${USER}`)).toBe(true);
    second.client.ws.close(1000);
    await second.client.closed;
    await waitFor(() => interestsOf(USER).length === 0, 'every interest of the user to be withdrawn');
  });

  it('sends READY only after the guild instance confirmed the interests (InterestApplied)', async () => {
    fake.holdSyncs = true;
    const client = await identify(gateway, USER);
    // First the user scope (before the guilds are read), then the guilds.
    await waitFor(() => fake.call!.interests.has(`u:${USER}:${USER}`) && fake.call!.heldSyncs.length > 0, 'the user scope sync');
    expect(fake.userGuildRequests.some((request) => request.userId === String(USER))).toBe(false);
    fake.call!.releaseSyncs();
    await waitFor(() => fake.call!.interests.has(`g:${GUILD_A}:${USER}`) && fake.call!.heldSyncs.length > 0, 'the guilds sync');
    // Give the gateway every chance to (wrongly) send READY before the answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.received.some((frame) => frame.t === 'READY')).toBe(false);
    fake.call!.releaseSyncs();
    fake.holdSyncs = false;
    await client.dispatch('READY');
    client.ws.close(1000);
    await client.closed;
  });

  it('delivers, after GUILD_CREATE, an event the guild instance sends right behind InterestApplied', async () => {
    fake.afterSync = (call) => {
      if (!call.interests.has(`g:${GUILD_A}:${USER}`)) return;
      fake.afterSync = undefined;
      call.send(guildEvent(GUILD_A, 'MESSAGE_CREATE', { id: 'first', channel_id: '1', content: 'x' }, 900 + Number(USER % 1000n), 1));
    };
    const { client } = await ready(gateway, USER);
    const frames = await framesUntil(client, (frame) => frame.t === 'MESSAGE_CREATE');
    expect(frames.map((frame) => frame.t)).toEqual(['GUILD_CREATE', 'GUILD_CREATE', 'MESSAGE_CREATE']);
    client.ws.close(1000);
    await client.closed;
  });

  it('gives a READY in flight the guild its user joined while GetUserGuilds was answering', async () => {
    const joined = '41771983431532545';
    fake.beforeUserGuilds = async () => {
      fake.beforeUserGuilds = undefined;
      const call = fake.call!;
      // The user scope is already streamed: the join arrives (and is applied) before READY.
      expect(call.interests.has(`u:${USER}:${USER}`)).toBe(true);
      call.send(userEvent(USER, 'GUILD_CREATE', { id: joined, name: 'joined' }, 950, Number(USER % 1000n)));
      await waitFor(() => call.acks.some((ack) => ack.partition === 950 && ack.offset === USER % 1000n), 'the join to be applied');
    };
    const { client, sessionId } = await ready(gateway, USER);
    const creates = (frames: GatewayPayload[]) => frames.filter((frame) => frame.t === 'GUILD_CREATE').map((frame) => (frame.d as { id: string }).id);
    const frames = await framesUntil(client, (_, seen) => creates(seen).length === 3);
    expect(creates(frames)[2]).toBe(joined);
    expect([...gateway.edge.registry.get(sessionId)!.guildIds].sort()).toEqual([GUILD_A, GUILD_B, joined].sort());
    await waitFor(() => fake.call!.interests.has(`g:${joined}:${USER}`), 'the joined guild interest');
    client.ws.close(1000);
    await client.closed;
  });

  it('closes the connection with 4000 when GetUserGuilds fails, and holds no interest for it', async () => {
    fake.failGetUserGuilds = true;
    const client = await identify(gateway, USER);
    expect((await client.closed).code).toBe(4000);
    await new Promise((resolve) => setImmediate(resolve));
    await waitFor(() => !fake.call!.interests.has(`u:${USER}:${USER}`), 'the held user interest to be released');
  });

  it('passes shard and large_threshold to GetUserGuilds and subscribes only the guilds it returned', async () => {
    // Shard [1, 2] gets only GUILD_A.
    const { client, sessionId } = await ready(gateway, USER, { shard: [1, 2], large_threshold: 100 });
    expect(fake.userGuildRequests.at(-1)).toMatchObject({ userId: String(USER), shardId: 1, shardCount: 2, largeThreshold: 100 });
    expect(gateway.edge.registry.get(sessionId)!.guildIds).toEqual([GUILD_A]);
    expect(interestsOf(USER)).toEqual([`g:${GUILD_A}:${USER}`, `u:${USER}:${USER}`]);
    client.ws.close(1000);
    await client.closed;
  });
});
