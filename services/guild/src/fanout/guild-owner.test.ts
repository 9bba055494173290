// The partition owner end to end with the in-memory event log and real gRPC Fanout streams:
// published guild events reach each interested gateway once, with the smallest visibility; the
// commit waits for acks; push requests go to users without a session; poison is dead-lettered.
import { fromBinary } from '@bufbuild/protobuf';
import { guildV1, pushV1 } from '@switchboard/proto';
import { UnavailableError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';
import { GUILD_EVENTS_TOPIC, guildScope, PUSH_REQUESTS_TOPIC, userScope } from '../events';
import type { GuildEventInit } from '../events';
import { FakeLoader, FakeScopeState, until } from './fanout-test-support';
import { HARNESS_PARTITIONS as PARTITIONS, startOwnerHarness } from './owner-harness';
import type { OwnerHarness } from './owner-harness';

const G1 = 1001n;
const G2 = 1002n;
const CHANNEL = 50n;

interface Harness extends OwnerHarness {
  states: Map<bigint, FakeScopeState>;
  loader: FakeLoader;
  consume(topic: string): Promise<ConsumedRecord[]>;
}

describe('fanout – partition owner (in-memory event log, real gRPC streams)', () => {
  let h: Harness;
  const cleanups: Array<() => Promise<void> | void> = [];

  async function setup(ackTimeoutMs: number, rejoinWaitMs = 300): Promise<Harness> {
    const states = new Map([[G1, new FakeScopeState({ members: [1n, 2n, 3n, 4n, 5n, 6n], hidden: [[2n, CHANNEL], [6n, CHANNEL]] })]]);
    const loader = new FakeLoader(states);
    const harness = await startOwnerHarness(loader, { ackTimeoutMs, rejoinWaitMs });
    cleanups.push(() => harness.close());
    return {
      ...harness, states, loader,
      consume: async (topic) => {
        const seen: ConsumedRecord[] = [];
        await harness.log.subscribe({ groupId: `reader-${topic}`, topics: [topic], handler: (r) => void seen.push(r) });
        return seen;
      },
    };
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const message = (extra: Partial<GuildEventInit> = {}): GuildEventInit => ({
    scope: guildScope(G1),
    type: 'MESSAGE_CREATE',
    payload: { id: '900', channel_id: CHANNEL.toString(), guild_id: G1.toString(), content: 'hello', author: { id: '1', username: 'ann' } },
    channelId: CHANNEL,
    contentUserIds: [1n],
    ...extra,
  });

  it('sends one FanoutEvent per gateway stream, encoding who sees it as all, only or except users', async () => {
    h = await setup(30_000);
    const a = h.gateway('a'); // users 1, 2: 2 cannot view the channel -> only [1]
    const b = h.gateway('b'); // users 2, 3, 4 -> except [2]
    const c = h.gateway('c'); // users 3, 4 -> all
    const d = h.gateway('d'); // user 2 only -> nothing
    await a.interest([[guildScope(G1), 1n], [guildScope(G1), 2n]]);
    await b.interest([[guildScope(G1), 2n], [guildScope(G1), 3n], [guildScope(G1), 4n]]);
    await c.interest([[guildScope(G1), 3n], [guildScope(G1), 4n], [userScope(3n), 3n]]);
    await d.interest([[guildScope(G1), 2n]]);

    const record = await h.publish(message());
    await until(() => h.committed(record), 'the record to commit');
    for (const gw of [a, b, c]) expect(gw.events).toHaveLength(1);
    expect(d.events).toHaveLength(0);
    expect(a.events[0]!.visibility).toEqual({ case: 'onlyUsers', value: expect.objectContaining({ ids: ['1'] }) });
    expect(b.events[0]!.visibility).toEqual({ case: 'exceptUsers', value: expect.objectContaining({ ids: ['2'] }) });
    expect(c.events[0]!.visibility).toEqual({ case: 'allUsers', value: true });
    expect(c.events[0]).toMatchObject({
      scope: { kind: guildV1.ScopeKind.GUILD, id: G1.toString() },
      type: 'MESSAGE_CREATE',
      guildId: G1.toString(),
      partition: record.partition,
      offset: record.offset,
      contentUserIds: ['1'],
    });
    expect(JSON.parse(c.events[0]!.payloadJson)).toMatchObject({ content: 'hello' });
    expect(c.events[0]!.publishedAt?.seconds).toBeGreaterThan(0n);
    // A user-scope event goes to the one stream holding that user.
    const dm = await h.publish({ scope: userScope(3n), type: 'MESSAGE_CREATE', payload: { id: '901', channel_id: '77', content: 'psst' } });
    await until(() => h.committed(dm), 'the DM record to commit');
    expect(c.events.map((e) => e.type)).toEqual(['MESSAGE_CREATE', 'MESSAGE_CREATE']);
    expect(c.events[1]).toMatchObject({ guildId: '', visibility: { case: 'allUsers', value: true } });
    expect([a, b, d].map((gw) => gw.events.length)).toEqual([1, 1, 0]);
    const metric = async (name: string) => (await h.registry.getSingleMetric(name)!.get()).values[0]!.value;
    expect(await metric('guild_fanout_messages_sent_total')).toBe(4);
    expect(await metric('guild_fanout_visible_deliveries_total')).toBe(1 + 2 + 2 + 1);
    expect(await metric('guild_fanout_partitions_owned')).toBe(PARTITIONS);
    expect(await metric('guild_fanout_gateway_streams')).toBe(4);
  });

  it('applies an event to the guild state before deciding who sees it', async () => {
    h = await setup(30_000);
    const a = h.gateway('a');
    await a.interest([[guildScope(G1), 1n], [guildScope(G1), 3n]]);
    await h.publish({ scope: guildScope(G1), type: 'GUILD_MEMBER_REMOVE', payload: { guild_id: G1.toString(), user: { id: '1' } } });
    await h.publish({ scope: guildScope(G1), type: 'TEST_HIDE_CHANNEL', payload: { user_id: '3', channel_id: CHANNEL.toString() } });
    const last = await h.publish(message());
    await until(() => h.committed(last), 'the last record to commit');
    // The removed member does not get their own removal; the newly hidden channel is not shown.
    expect(a.events.map((e) => [e.type, e.visibility])).toEqual([
      ['GUILD_MEMBER_REMOVE', { case: 'onlyUsers', value: expect.objectContaining({ ids: ['3'] }) }],
      ['TEST_HIDE_CHANNEL', { case: 'onlyUsers', value: expect.objectContaining({ ids: ['3'] }) }],
    ]);
    expect(h.states.get(G1)!.applied).toEqual(['GUILD_MEMBER_REMOVE', 'TEST_HIDE_CHANNEL', 'MESSAGE_CREATE']);
  });

  it('shows a deletion to whoever could see its subject before it was applied', async () => {
    h = await setup(30_000);
    const a = h.gateway('a');
    await a.interest([[guildScope(G1), 1n], [guildScope(G1), 2n]]);
    const deleted = await h.publish({ scope: guildScope(G1), type: 'CHANNEL_DELETE', payload: { id: CHANNEL.toString(), guild_id: G1.toString(), type: 0 }, channelId: CHANNEL });
    const after = await h.publish(message());
    await until(() => h.committed(deleted) && h.committed(after), 'the records to commit');
    // User 2 never saw the channel; user 1 did and learns it is gone; nobody sees it afterwards.
    expect(a.events.map((e) => [e.type, e.visibility])).toEqual([
      ['CHANNEL_DELETE', { case: 'onlyUsers', value: expect.objectContaining({ ids: ['1'] }) }],
    ]);
  });

  it('fans out nothing in the scope of a guild with no state, reloads it on the next event, and drops it after GUILD_DELETE', async () => {
    h = await setup(30_000);
    const a = h.gateway('a');
    await a.interest([[guildScope(G2), 1n], [guildScope(G1), 1n]]);
    const unknown = await h.publish({ scope: guildScope(G2), type: 'GUILD_UPDATE', payload: { id: G2.toString() } });
    await until(() => h.committed(unknown), 'the unknown guild record to commit');
    await h.publish({ scope: guildScope(G2), type: 'GUILD_UPDATE', payload: { id: G2.toString() } });
    await h.publish({ scope: guildScope(G1), type: 'GUILD_UPDATE', payload: { id: G1.toString() } });
    const deleted = await h.publish({ scope: guildScope(G1), type: 'GUILD_DELETE', payload: { id: G1.toString() } });
    const after = await h.publish({ scope: guildScope(G1), type: 'GUILD_UPDATE', payload: { id: G1.toString() } });
    await until(() => h.committed(deleted) && h.committed(after), 'the G1 records to commit');
    // G1's update and its deletion (shown to the members it had): G2 has no state, and after
    // GUILD_DELETE the guild is gone (the next update is for a state that no longer exists).
    expect(a.events.map((e) => [e.type, e.offset])).toEqual([['GUILD_UPDATE', expect.any(String)], ['GUILD_DELETE', expect.any(String)]]);
    expect(a.events[0]!.guildId).toBe(G1.toString());
    expect(h.loader.loads.filter((id) => id === G2)).toHaveLength(2);
    expect(h.loader.loads.filter((id) => id === G1)).toHaveLength(2);
    expect(h.lines.some((l) => l.msg.includes('no state') && l.guild === G2.toString())).toBe(true);
  });

  it('commits a record only after every stream it went to acked it', async () => {
    h = await setup(30_000);
    const slow = h.gateway('slow');
    slow.autoAck = false;
    const fast = h.gateway('fast');
    await slow.interest([[guildScope(G1), 1n]]);
    await fast.interest([[guildScope(G1), 3n]]);
    const record = await h.publish(message());
    await until(() => slow.events.length === 1 && fast.events.length === 1, 'both streams to get the event');
    const fastStream = h.fanout.service.streams().find((s) => s.gatewayInstanceId === 'fast')!;
    await until(() => fastStream.ackedOffset(record.partition) === BigInt(record.offset), 'the fast ack to arrive');
    expect(h.committed(record)).toBe(false);
    slow.ack(record.partition, record.offset);
    await until(() => h.committed(record), 'the record to commit after the slow ack');
  });

  it('redelivers a record to a gateway whose stream was cut before it acked, once it is back, then commits', async () => {
    h = await setup(200, 10_000);
    const silent = h.gateway('flaky');
    silent.autoAck = false;
    const fast = h.gateway('fast');
    await silent.interest([[guildScope(G1), 1n]]);
    await fast.interest([[guildScope(G1), 3n]]);
    const record = await h.publish(message());
    await until(() => silent.finished, 'the silent stream to be cut');
    // Not committed: the gateway may have missed it. The same gateway instance comes back.
    expect(h.committed(record)).toBe(false);
    const back = h.gateway('flaky');
    await back.interest([[guildScope(G1), 1n]]);
    await until(() => back.events.some((e) => e.offset === record.offset), 'the redelivery to the reconnected gateway');
    await until(() => h.committed(record), 'the record to commit once the gateway acked it');
    // The other gateway got it again too (it drops it by offset).
    expect(fast.events.filter((e) => e.offset === record.offset).length).toBeGreaterThanOrEqual(1);
    expect((await h.registry.getSingleMetric('guild_fanout_redeliveries_total')!.get()).values[0]!.value).toBeGreaterThanOrEqual(1);
  });

  it('ends a stream that does not ack in time, waits a while for its gateway, then commits without it', async () => {
    h = await setup(200);
    const silent = h.gateway('silent');
    silent.autoAck = false;
    const fast = h.gateway('fast');
    await silent.interest([[guildScope(G1), 1n]]);
    await fast.interest([[guildScope(G1), 3n]]);
    const record = await h.publish(message());
    await until(() => h.committed(record), 'the record to commit after the timeout');
    await until(() => silent.finished, 'the silent stream to end');
    expect(silent.error).toBeInstanceOf(UnavailableError);
    expect(silent.events).toHaveLength(1);
    expect(fast.error).toBeUndefined();
    expect(h.fanout.table.usersWithInterest(`g:${G1}`)).toEqual(new Set([3n]));
    expect(h.lines.some((l) => l.level === 'warn' && l.msg.includes('did not ack in time') && l.gateway === 'silent')).toBe(true);
    expect((await h.registry.getSingleMetric('guild_fanout_ack_timeouts_total')!.get()).values[0]!.value).toBe(1);
  });

  it('produces push requests only for users with no interest in the scope who may see the message', async () => {
    h = await setup(30_000);
    const pushes = await h.consume(PUSH_REQUESTS_TOPIC);
    const a = h.gateway('a');
    await a.interest([[guildScope(G1), 1n], [guildScope(G1), 2n], [userScope(3n), 3n]]);
    const long = 'x'.repeat(250);
    // 1 has a session; 2 has one too (and cannot view); 5 has none; 6 has none but cannot view.
    const guildMessage = await h.publish(message({
      pushUserIds: [1n, 2n, 5n, 6n],
      payload: { id: '900', channel_id: CHANNEL.toString(), guild_id: G1.toString(), content: long, author: { id: '1', username: 'ann', global_name: 'Ann' } },
    }));
    const dmTo7 = await h.publish({
      scope: userScope(7n), type: 'MESSAGE_CREATE', pushUserIds: [7n],
      payload: { id: '901', channel_id: '77', content: '', attachments: [{ id: '1' }], author: { id: '3', username: 'cy' } },
    });
    const dmTo3 = await h.publish({ scope: userScope(3n), type: 'MESSAGE_CREATE', pushUserIds: [3n], payload: { id: '902', channel_id: '78', content: 'hi' } });
    await until(() => [guildMessage, dmTo7, dmTo3].every((r) => h.committed(r)), 'the messages to commit');
    await until(() => pushes.length >= 2, 'two push requests');
    const requests = pushes.map((r) => ({ key: r.key, request: fromBinary(pushV1.PushRequestSchema, r.value) }));
    expect(requests.map((r) => r.key).sort()).toEqual(['5', '7']);
    const toFive = requests.find((r) => r.key === '5')!.request;
    expect(toFive).toMatchObject({
      userId: '5', collapseKey: CHANNEL.toString(), title: 'Ann', guildId: G1.toString(), channelId: CHANNEL.toString(),
      messageId: '900', authorId: '1',
    });
    expect(toFive.requestId).toMatch(/^\d+:5$/);
    expect(Array.from(toFive.body)).toHaveLength(200);
    expect(requests.find((r) => r.key === '7')!.request).toMatchObject({ title: 'cy', body: 'sent an attachment', guildId: '', channelId: '77' });
    expect((await h.registry.getSingleMetric('guild_fanout_push_requests_total')!.get()).values[0]!.value).toBe(2);
  });

  it('dead-letters a poison record at once and fans out the next record of its partition', async () => {
    h = await setup(30_000);
    const dead = await h.consume(`${GUILD_EVENTS_TOPIC}.dlq`);
    const a = h.gateway('a');
    await a.interest([[guildScope(G1), 3n]]);
    const [poison] = await h.log.produce(GUILD_EVENTS_TOPIC, [{ key: `g:${G1}`, value: Buffer.from('not a guild event') }]);
    const badIds = await h.publish(message({ onlyUserIds: ['x1' as unknown as bigint] }));
    const next = await h.publish(message());
    expect([poison!.partition, badIds.partition]).toEqual([next.partition, next.partition]);
    await until(() => h.committed(next), 'the next record to commit');
    expect(a.events.map((e) => e.offset)).toEqual([next.offset]);
    await until(() => dead.length === 2, 'the poison records on the dead-letter topic');
    expect(dead.map((r) => r.value.toString('utf8'))[0]).toBe('not a guild event');
    expect(h.loader.loads).toEqual([G1]);
  });
});
