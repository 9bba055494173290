// User-scoped FanoutEvents through a real embedded gateway: joining a guild after READY
// (subscribe, sync, then GUILD_CREATE; the guild's events follow), leaving it, and DMs.
import type { RunningGateway } from '../start';
import { DEFAULT_INTENTS, FakeGuildServer, guildEvent, ready, userEvent, waitFor } from './fake-guild-server';
import { useLinkedGateway } from './__tests__/linked-gateway';

const GUILD = '41771983427338241'; // (id >> 22) odd: shard 1 of 2
let nextUser = 375928847299117063n;
let nextPartition = 0;

describe('guild link – user-scoped events', () => {
  let fake: FakeGuildServer;
  let gateway: RunningGateway;

  const fixture = useLinkedGateway();
  beforeAll(() => {
    fake = fixture.fakes[0]!;
    gateway = fixture.gateway;
  });

  it('subscribes the sessions on the guild\'s shard to a joined guild, syncs, then sends GUILD_CREATE', async () => {
    const user = nextUser++;
    const onShard = await ready(gateway, user, { shard: [1, 2] });
    const otherShard = await ready(gateway, user, { shard: [0, 2] });
    const partition = nextPartition++;
    fake.holdSyncs = true;
    fake.call!.send(userEvent(user, 'GUILD_CREATE', { id: GUILD, name: 'joined' }, partition, 1));
    await waitFor(() => fake.call!.interests.has(`g:${GUILD}:${user}`) && fake.call!.heldSyncs.length > 0, 'the join sync');
    // Until the guild instance confirms the interest, GUILD_CREATE waits (and so do later events).
    fake.call!.send(guildEvent(GUILD, 'MESSAGE_CREATE', { id: 'after-join', channel_id: '1', content: 'x' }, partition + 1000, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(onShard.client.received.some((frame) => frame.t === 'GUILD_CREATE' || frame.t === 'MESSAGE_CREATE')).toBe(false);
    fake.holdSyncs = false;
    fake.call!.releaseSyncs();
    expect((await onShard.client.dispatch('GUILD_CREATE')).d).toMatchObject({ id: GUILD, name: 'joined' });
    expect((await onShard.client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ id: 'after-join' });
    expect(gateway.edge.registry.get(onShard.sessionId)!.guildIds).toEqual([GUILD]);
    expect(gateway.edge.registry.get(otherShard.sessionId)!.guildIds).toEqual([]);
    await waitFor(() => fake.call!.acks.some((ack) => ack.partition === partition && ack.offset === 1n), 'the join event ack');
    onShard.client.ws.close(1000);
    otherShard.client.ws.close(1000);
  });

  it('sends GUILD_DELETE to the sessions in a guild the user left and stops its events', async () => {
    const user = nextUser++;
    fake.userGuilds.set(String(user), [{ guildId: GUILD, payload: { id: GUILD } }]);
    const { client, sessionId } = await ready(gateway, user, { intents: DEFAULT_INTENTS | (1 << 12) });
    await client.dispatch('GUILD_CREATE');
    const partition = nextPartition++;
    fake.call!.send(userEvent(user, 'GUILD_DELETE', { id: GUILD }, partition, 1));
    expect((await client.dispatch('GUILD_DELETE')).d).toEqual({ id: GUILD });
    expect(gateway.edge.registry.get(sessionId)!.guildIds).toEqual([]);
    await waitFor(() => !fake.call!.interests.has(`g:${GUILD}:${user}`), 'the guild interest to be withdrawn');
    fake.call!.send(guildEvent(GUILD, 'MESSAGE_CREATE', { id: 'gone', channel_id: '1', content: 'x' }, partition + 1000, 1));
    fake.call!.send(userEvent(user, 'MESSAGE_CREATE', { id: 'dm', channel_id: '2', content: 'psst' }, partition, 2));
    expect((await client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ id: 'dm' });
    client.ws.close(1000);
  });

  it('delivers DMs to the user\'s shard 0 sessions with DIRECT_MESSAGES', async () => {
    const user = nextUser++;
    const withDms = await ready(gateway, user, { intents: 1 << 12 });
    const withoutDms = await ready(gateway, user, { intents: 1 });
    const partition = nextPartition++;
    fake.call!.send(userEvent(user, 'MESSAGE_CREATE', { id: 'dm', channel_id: '2', content: 'psst' }, partition, 1));
    fake.call!.send(userEvent(user, 'CHANNEL_CREATE', { id: '2', type: 1 }, partition, 2));
    expect((await withDms.client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ id: 'dm', content: 'psst' });
    const seen = new Set<string | null | undefined>();
    await withoutDms.client.next((frame) => (seen.add(frame.t), frame.t === 'CHANNEL_CREATE'));
    expect(seen.has('MESSAGE_CREATE')).toBe(false);
    withDms.client.ws.close(1000);
    withoutDms.client.ws.close(1000);
  });
});
