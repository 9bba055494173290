// Large-guild delivery applied by a real embedded gateway to real WebSocket sessions: active_only
// events reach sessions active in the guild (op 14) and the mentioned users, session_ids events
// only the named sessions, messages derived from one record are deduplicated by (partition,
// offset, sub_index), and ephemeral messages (no offset) are neither deduplicated nor acked.
import type { GatewayPayload } from '../codec';
import type { RunningGateway } from '../start';
import type { TestGatewayClient } from '../transport/test-client';
import { FakeGuildServer, guildEvent, ready, waitFor } from './fake-guild-server';
import { useLinkedGateway } from './__tests__/linked-gateway';

const GUILD = '51771983423143937';
const OTHER_GUILD = '51771983423143938';
let nextUser = 675928847299117063n;
let nextPartition = 0;

/** Waits for the MESSAGE_CREATE `marker` (sent last, to everyone) and returns the ids of type `t` received until then. */
async function idsUntil(client: TestGatewayClient, marker: string, t = 'MESSAGE_CREATE'): Promise<string[]> {
  const seen = new Set<GatewayPayload>();
  await client.next((frame) => {
    seen.add(frame);
    return frame.t === 'MESSAGE_CREATE' && (frame.d as { id: string }).id === marker;
  });
  return [...seen].filter((frame) => frame.t === t).map((frame) => (frame.d as { id: string }).id).filter((id) => id !== marker);
}

describe('guild link – large-guild delivery', () => {
  let fake: FakeGuildServer;
  let gateway: RunningGateway;

  const fixture = useLinkedGateway();
  beforeAll(() => {
    fake = fixture.fakes[0]!;
    gateway = fixture.gateway;
  });

  async function member(user = nextUser++, guildId = GUILD): Promise<{ user: bigint; client: TestGatewayClient; sessionId: string }> {
    fake.userGuilds.set(String(user), [{ guildId, payload: { id: guildId } }]);
    const { client, sessionId } = await ready(gateway, user);
    await client.dispatch('GUILD_CREATE');
    return { user, client, sessionId };
  }

  const message = (id: string, partition: number, offset: number | '', extra: Record<string, unknown> = {}) =>
    guildEvent(GUILD, 'MESSAGE_CREATE', { id, channel_id: '1', content: id }, partition, 0, { offset: String(offset), ...extra });
  const listUpdate = (id: string, partition: number, offset: number | '', extra: Record<string, unknown> = {}) =>
    guildEvent(GUILD, 'GUILD_MEMBER_LIST_UPDATE', { id, guild_id: GUILD, ops: [] }, partition, 0, { offset: String(offset), ...extra });

  it('sends active_only events to the active sessions and to the mentioned users\' sessions only', async () => {
    const active = await member();
    const passive = await member();
    active.client.send({ op: 14, d: { guild_id: GUILD } });
    const held = gateway.edge.registry.get(active.sessionId)!;
    await waitFor(() => gateway.guildLink!.activity.isActive(held, GUILD), 'the activation');
    const partition = nextPartition++;
    fake.call!.send(message('chatter', partition, 1, { activeOnly: true }));
    fake.call!.send(message('mention', partition, 2, { activeOnly: true, mentionedUserIds: [String(passive.user)] }));
    fake.call!.send(message('marker', partition, 3));
    expect(await idsUntil(active.client, 'marker')).toEqual(['chatter', 'mention']);
    expect(await idsUntil(passive.client, 'marker')).toEqual(['mention']);
    active.client.ws.close(1000);
    passive.client.ws.close(1000);
  });

  it('sends session_ids events to exactly the named sessions that are still subscribed to the guild', async () => {
    const a = await member();
    const sibling = await member(a.user);
    const elsewhere = await member(nextUser++, OTHER_GUILD);
    const partition = nextPartition++;
    fake.call!.send(listUpdate('for-a', partition, 1, { sessionIds: [a.sessionId, elsewhere.sessionId, 'gone-session'] }));
    fake.call!.send(listUpdate('for-sibling', partition, 2, { sessionIds: [sibling.sessionId] }));
    fake.call!.send(message('marker', partition, 3));
    expect(await idsUntil(a.client, 'marker', 'GUILD_MEMBER_LIST_UPDATE')).toEqual(['for-a']);
    expect(await idsUntil(sibling.client, 'marker', 'GUILD_MEMBER_LIST_UPDATE')).toEqual(['for-sibling']);
    // Not in the guild: neither the list update nor the marker reaches it.
    fake.call!.send(guildEvent(OTHER_GUILD, 'MESSAGE_CREATE', { id: 'other-marker', channel_id: '2', content: 'x' }, partition, 4));
    const seen = new Set<GatewayPayload>();
    await elsewhere.client.next((frame) => {
      seen.add(frame);
      return frame.t === 'MESSAGE_CREATE';
    });
    expect([...seen].filter((frame) => frame.t === 'GUILD_MEMBER_LIST_UPDATE')).toEqual([]);
    for (const client of [a.client, sibling.client, elsewhere.client]) client.ws.close(1000);
  });

  it('applies the messages of one record by sub_index and drops a redelivered (offset, sub_index)', async () => {
    const a = await member();
    const partition = nextPartition++;
    const forA = { sessionIds: [a.sessionId] };
    fake.call!.send(message('event', partition, 5));
    fake.call!.send(listUpdate('ops-1', partition, 5, { ...forA, subIndex: 1 }));
    fake.call!.send(listUpdate('ops-2', partition, 5, { ...forA, subIndex: 2 }));
    fake.call!.send(listUpdate('ops-1', partition, 5, { ...forA, subIndex: 1 })); // redelivered by a new owner
    fake.call!.send(message('event', partition, 5)); // likewise, sub_index 0
    fake.call!.send(message('marker', partition, 6));
    const seen = new Set<GatewayPayload>();
    await a.client.next((frame) => {
      seen.add(frame);
      return frame.t === 'MESSAGE_CREATE' && (frame.d as { id: string }).id === 'marker';
    });
    expect([...seen].filter((frame) => frame.t !== 'PRESENCE_UPDATE').map((frame) => `${frame.t}:${(frame.d as { id: string }).id}`))
      .toEqual(['MESSAGE_CREATE:event', 'GUILD_MEMBER_LIST_UPDATE:ops-1', 'GUILD_MEMBER_LIST_UPDATE:ops-2', 'MESSAGE_CREATE:marker']);
    await waitFor(() => fake.call!.acks.some((ack) => ack.partition === partition && ack.offset === 6n), 'the ack of offset 6');
    expect(fake.call!.acks.filter((ack) => ack.partition === partition).every((ack) => ack.offset === 5n || ack.offset === 6n)).toBe(true);
    a.client.ws.close(1000);
  });

  it('applies ephemeral messages (no offset) every time and never acknowledges them', async () => {
    const a = await member();
    const partition = nextPartition++;
    const sync = (id: string) => listUpdate(id, partition, '', { sessionIds: [a.sessionId] });
    fake.call!.send(message('before', partition, 9));
    fake.call!.send(sync('sync-1'));
    fake.call!.send(sync('sync-1'));
    fake.call!.send(sync('sync-2'));
    fake.call!.send(message('marker', partition, 10));
    expect(await idsUntil(a.client, 'marker', 'GUILD_MEMBER_LIST_UPDATE')).toEqual(['sync-1', 'sync-1', 'sync-2']);
    await waitFor(() => fake.call!.acks.some((ack) => ack.partition === partition && ack.offset === 10n), 'the ack of offset 10');
    // Every ack of the partition names a real offset: the SYNC answers added none.
    expect(fake.call!.acks.filter((ack) => ack.partition === partition).map((ack) => ack.offset).every((offset) => offset === 9n || offset === 10n))
      .toBe(true);
    expect(gateway.guildLink!.applier.appliedOffset(partition)).toBe(10n);
    a.client.ws.close(1000);
  });
});
