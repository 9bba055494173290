// FanoutEvents from two fake guild instances (two streams) applied by a real embedded gateway to
// real WebSocket sessions: visibility, dedupe by partition offset, acks after applying.
import type { GatewayPayload } from '../codec';
import type { RunningGateway } from '../start';
import type { TestGatewayClient } from '../transport/test-client';
import { FakeGuildServer, guildEvent, ready, waitFor } from './fake-guild-server';
import { useLinkedGateway } from './__tests__/linked-gateway';

const GUILD = '41771983423143937';
let nextUser = 275928847299117063n;
let nextPartition = 0;

function messageIds(frames: GatewayPayload[]): string[] {
  return frames.filter((frame) => frame.t === 'MESSAGE_CREATE').map((frame) => (frame.d as { id: string }).id);
}

/** Waits for `marker` (sent last, to everyone) and returns the MESSAGE_CREATE ids received until then. */
async function idsUntil(client: TestGatewayClient, marker: string): Promise<string[]> {
  const seen: GatewayPayload[] = [];
  await client.next((frame) => {
    seen.push(frame);
    return frame.t === 'MESSAGE_CREATE' && (frame.d as { id: string }).id === marker;
  });
  return messageIds([...new Set(seen)]).filter((id) => id !== marker);
}

describe('guild link – applying fan-out events', () => {
  let first: FakeGuildServer;
  let second: FakeGuildServer;
  let gateway: RunningGateway;

  const fixture = useLinkedGateway(2);
  beforeAll(() => {
    [first, second] = fixture.fakes as [FakeGuildServer, FakeGuildServer];
    gateway = fixture.gateway;
  });

  async function member(): Promise<{ user: bigint; client: TestGatewayClient; sessionId: string }> {
    const user = nextUser++;
    first.userGuilds.set(String(user), [{ guildId: GUILD, payload: { id: GUILD, name: 'g' } }]);
    const { client, sessionId } = await ready(gateway, user);
    await client.dispatch('GUILD_CREATE');
    return { user, client, sessionId };
  }

  const message = (id: string, partition: number, offset: number, extra = {}) =>
    guildEvent(GUILD, 'MESSAGE_CREATE', { id, channel_id: '1', content: id }, partition, offset, extra);

  it('delivers only_users events to those users only, except_users events to everyone else', async () => {
    const a = await member();
    const b = await member();
    const partition = nextPartition++;
    first.call!.send(message('only-a', partition, 1, { visibility: { case: 'onlyUsers', value: { ids: [String(a.user)] } } }));
    first.call!.send(message('except-a', partition, 2, { visibility: { case: 'exceptUsers', value: { ids: [String(a.user)] } } }));
    first.call!.send(message('all', partition, 3));
    expect(await idsUntil(a.client, 'all')).toEqual(['only-a']);
    expect(await idsUntil(b.client, 'all')).toEqual(['except-a']);
    a.client.ws.close(1000);
    b.client.ws.close(1000);
  });

  it('applies the same partition offset from two streams once, and drops a lower offset after a higher one', async () => {
    const a = await member();
    const partition = nextPartition++;
    first.call!.send(message('m10', partition, 10));
    await a.client.next((frame) => frame.t === 'MESSAGE_CREATE');
    second.call!.send(message('m10', partition, 10)); // the new owner redelivers after a move
    second.call!.send(message('m9', partition, 9));
    second.call!.send(message('m11', partition, 11));
    expect(await idsUntil(a.client, 'm11')).toEqual([]);
    // Duplicates are acknowledged too, or the new owner would wait for them forever.
    await waitFor(() => second.call!.acks.some((ack) => ack.partition === partition && ack.offset === 11n), 'the ack of offset 11');
    expect(first.call!.acks.filter((ack) => ack.partition === partition).map((ack) => ack.offset)).toEqual([10n]);
    const deduplicated = await gateway.context.registry.getSingleMetric('gateway_fanout_events_deduplicated_total')!.get();
    expect(deduplicated.values[0]!.value).toBeGreaterThanOrEqual(2);
    a.client.ws.close(1000);
  });

  it('acknowledges an offset only after the event reached the sessions, cumulatively per partition', async () => {
    const a = await member();
    const session = gateway.edge.registry.get(a.sessionId)!;
    const partition = nextPartition++;
    // For each ack of this partition: (offset acknowledged, events delivered to the session by then).
    const atAck: [bigint, number][] = [];
    const before = session.seq;
    first.call!.onAck = (ackPartition, offset) => {
      if (ackPartition === partition) atAck.push([offset, session.seq - before]);
    };
    for (const offset of [100, 101, 102]) first.call!.send(message(`n${offset}`, partition, offset));
    await waitFor(() => atAck.some(([offset]) => offset === 102n), 'the ack of offset 102');
    first.call!.onAck = undefined;
    // Acknowledging offset 100 + k means events 100..100 + k were delivered already.
    for (const [offset, delivered] of atAck) expect(delivered).toBeGreaterThanOrEqual(Number(offset) - 99);
    const acked = first.call!.acks.filter((ack) => ack.partition === partition).map((ack) => ack.offset);
    expect(acked).toEqual([...acked].sort((x, y) => (x < y ? -1 : 1)));
    expect(await idsUntil(a.client, 'n102')).toEqual(['n100', 'n101']);
    a.client.ws.close(1000);
  });

  it('keeps message content for content_user_ids and strips it for the others without MESSAGE_CONTENT', async () => {
    const a = await member();
    const b = await member();
    const partition = nextPartition++;
    first.call!.send(message('secret', partition, 1, { contentUserIds: [String(a.user)] }));
    const forA = await a.client.dispatch('MESSAGE_CREATE');
    const forB = await b.client.dispatch('MESSAGE_CREATE');
    expect((forA.d as { content: string }).content).toBe('secret');
    expect((forB.d as { content: string }).content).toBe('');
    a.client.ws.close(1000);
    b.client.ws.close(1000);
  });

  it('requires the event\'s required_intent bits of a session', async () => {
    const a = await member();
    const partition = nextPartition++;
    first.call!.send(message('needs-typing', partition, 1, { requiredIntent: 1 << 11 }));
    first.call!.send(message('plain', partition, 2));
    expect(await idsUntil(a.client, 'plain')).toEqual([]);
    a.client.ws.close(1000);
  });

  it('ends the subscriptions of a deleted guild after sending GUILD_DELETE', async () => {
    const a = await member();
    const partition = nextPartition++;
    first.call!.send(guildEvent(GUILD, 'GUILD_DELETE', { id: GUILD }, partition, 1));
    await a.client.dispatch('GUILD_DELETE');
    expect(gateway.edge.registry.get(a.sessionId)!.guildIds).toEqual([]);
    await waitFor(() => !first.call!.interests.has(`g:${GUILD}:${a.user}`), 'the guild interest to be withdrawn');
    a.client.ws.close(1000);
  });
});
