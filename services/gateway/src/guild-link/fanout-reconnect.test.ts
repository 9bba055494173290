// A fanout stream that ends is reopened: hello again, then the whole interest snapshot ending in
// a sync, and events keep flowing (still deduplicated by partition offset). Guild instances come
// and go with the targets: a new address gets a stream, a vanished one loses it.
import { SessionRegistry } from '../session';
import type { RunningGateway } from '../start';
import { FanoutLink } from './fanout-link';
import { FakeGuildServer, guildEvent, ready, waitFor } from './fake-guild-server';
import { useLinkedGateway } from './__tests__/linked-gateway';
import { InterestTracker } from './interest-tracker';

const GUILD = '41771983423143937';
const USER = 475928847299117063n;
const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };

describe('guild link – reconnecting fanout streams', () => {
  let fake: FakeGuildServer;
  let gateway: RunningGateway;

  const fixture = useLinkedGateway();
  beforeAll(() => {
    fake = fixture.fakes[0]!;
    gateway = fixture.gateway;
  });

  it('re-sends hello and the full interest snapshot after the guild instance ends the stream', async () => {
    fake.userGuilds.set(String(USER), [{ guildId: GUILD, payload: { id: GUILD } }]);
    const { client } = await ready(gateway, USER);
    await client.dispatch('GUILD_CREATE');
    const old = fake.call!;
    old.send(guildEvent(GUILD, 'MESSAGE_CREATE', { id: 'm1', channel_id: '1', content: 'x' }, 7, 1));
    await client.dispatch('MESSAGE_CREATE');
    old.out.end();
    await waitFor(() => fake.call !== undefined && fake.call !== old && fake.call.interests.size === 2, 'a new call with the snapshot');
    const renewed = fake.call!;
    expect(renewed.requests[0]!.kind).toEqual({ case: 'hello', value: expect.objectContaining({ gatewayInstanceId: gateway.context.instance.instanceId }) });
    expect([...renewed.interests].sort()).toEqual([`g:${GUILD}:${USER}`, `u:${USER}:${USER}`]);
    await waitFor(() => renewed.interestMessages().some((change) => change.syncId !== 0n), 'the snapshot sync');
    // The new call redelivers from an older offset: what was applied is dropped, the rest flows.
    renewed.send(guildEvent(GUILD, 'MESSAGE_CREATE', { id: 'm1', channel_id: '1', content: 'x' }, 7, 1));
    renewed.send(guildEvent(GUILD, 'MESSAGE_CREATE', { id: 'm2', channel_id: '1', content: 'x' }, 7, 2));
    expect((await client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ id: 'm2' });
    await waitFor(() => renewed.acks.some((ack) => ack.offset === 2n), 'the ack on the new call');
    client.ws.close(1000);
  });
});

describe('fanout link – following the guild instances', () => {
  it('opens a stream to each new target and closes the streams of vanished ones', async () => {
    const [a, b] = await Promise.all([FakeGuildServer.start(), FakeGuildServer.start()]);
    const registry = new SessionRegistry();
    const tracker = new InterestTracker();
    registry.observe(tracker);
    const link = new FanoutLink({ instanceId: 'gw-1', tracker, onEvent: () => undefined, logger: silent, syncTimeoutMs: 5_000 });
    try {
      link.setTargets([a.address]);
      await waitFor(() => link.stream(a.address)?.established === true, 'the stream to a');
      const release = tracker.hold(['u:5:5']);
      await link.sync();
      expect([...a.call!.interests]).toEqual(['u:5:5']);
      link.setTargets([a.address, b.address]);
      await waitFor(() => link.stream(b.address)?.established === true, 'the stream to b');
      expect(b.call!.helloFrom).toBe('gw-1');
      expect([...b.call!.interests]).toEqual(['u:5:5']);
      link.setTargets([b.address]);
      await waitFor(() => a.calls.every((call) => call.ended), 'the stream to a to close');
      release();
      await link.sync();
      expect(b.call!.interests.size).toBe(0);
      expect(link.addresses).toEqual([b.address]);
    } finally {
      await link.close();
      a.stop();
      b.stop();
    }
  });

  it('resolves sync for a guild instance that never answers once the stream dies', async () => {
    const a = await FakeGuildServer.start();
    const tracker = new InterestTracker();
    const link = new FanoutLink({ instanceId: 'gw-2', tracker, onEvent: () => undefined, logger: silent, syncTimeoutMs: 60_000 });
    try {
      link.setTargets([a.address]);
      await waitFor(() => link.stream(a.address)?.established === true, 'the stream');
      a.holdSyncs = true;
      const synced = link.sync();
      await waitFor(() => a.call!.heldSyncs.length > 0, 'the held sync');
      a.call!.out.end();
      await synced;
    } finally {
      await link.close();
      a.stop();
    }
  });
});
