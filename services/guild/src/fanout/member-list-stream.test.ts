// Member lists served by the partition owner over real gRPC Fanout streams: SYNC on subscribe,
// the ops of member changes (carrying the record's offset with sub_index >= 1), online/offline as
// sessions come and go, unsubscribing, rebuilding on permission changes, and a non-owner that
// records subscriptions but sends nothing until it takes the guild over.
import { guildV1 } from '@switchboard/proto';
import { PermissionFlags } from '@switchboard/runtime';
import { guildScope } from '../events';
import type { MemberListOp, MemberListUpdate } from '../member-list';
import type { FakeGateway } from './fanout-test-support';
import { FakeLoader, FakeScopeState, until } from './fanout-test-support';
import type { GuildListData, MemberListLoader, MemberProfile } from './member-list-loader';
import { startOwnerHarness } from './owner-harness';
import type { OwnerHarness } from './owner-harness';

const G = 3001n;
const CHANNEL = 70n;
const SECRET = 71n;

class FakeListLoader implements MemberListLoader {
  loads = 0;
  /** When set, loads wait for it (a slow database). */
  gate: Promise<void> | undefined;
  constructor(readonly data: GuildListData) {}
  async load(): Promise<GuildListData> {
    this.loads += 1;
    await this.gate;
    return this.data;
  }
}

const profile = (userId: bigint, username: string, roles: bigint[] = []): MemberProfile => ({ userId, username, globalName: null, nick: null, roles });

function listUpdates(gw: FakeGateway): Array<{ event: guildV1.FanoutEvent; update: MemberListUpdate }> {
  return gw.events.filter((e) => e.type === 'GUILD_MEMBER_LIST_UPDATE').map((event) => ({ event, update: JSON.parse(event.payloadJson) as MemberListUpdate }));
}

/** The user ids and group ids of a SYNC's items, in order. */
function syncItems(ops: readonly MemberListOp[]): string[] {
  const sync = ops.find((op) => op.op === 'SYNC');
  if (!sync || sync.op !== 'SYNC') throw new Error('no SYNC op');
  return sync.items.map((item) => ('group' in item ? `[${item.group.id}]` : item.member.user.id));
}

describe('fanout – member lists over Fanout streams', () => {
  let h: OwnerHarness;
  let state: FakeScopeState;
  let lists: FakeListLoader;
  let gw: FakeGateway;

  async function setup(options: { own?: boolean } = {}): Promise<void> {
    state = new FakeScopeState({ members: [1n, 2n, 3n, 4n], hidden: [[4n, SECRET]] });
    state.overwrites.set(SECRET, [{ id: 4n, type: 1, allow: 0n, deny: PermissionFlags.VIEW_CHANNEL }]);
    lists = new FakeListLoader({ ownerId: 1n, members: [profile(1n, 'ann'), profile(2n, 'bob'), profile(3n, 'cy'), profile(4n, 'dee')], roles: [] });
    h = await startOwnerHarness(new FakeLoader(new Map([[G, state]])), { memberListLoader: lists, ...options });
    gw = h.gateway('gw');
    await gw.interest([[guildScope(G), 1n]]);
  }

  afterEach(() => h.close());

  function subscribe(sessionId: string, ranges: Array<[number, number]>, channel = CHANNEL, user = 1n): void {
    gw.send({
      kind: {
        case: 'memberList',
        value: { guildId: G.toString(), channelId: channel.toString(), sessionId, userId: user.toString(), ranges: ranges.map(([first, last]) => ({ first, last })) },
      },
    });
  }

  it('answers a subscription with a SYNC to that session: online members first, then offline, no offset', async () => {
    await setup();
    subscribe('s1', [[0, 99]]);
    await until(() => listUpdates(gw).length === 1, 'the SYNC');
    const { event, update } = listUpdates(gw)[0]!;
    expect(event).toMatchObject({
      scope: { kind: guildV1.ScopeKind.GUILD, id: G.toString() }, guildId: G.toString(), sessionIds: ['s1'], offset: '', subIndex: 0,
      visibility: { case: 'allUsers', value: true },
    });
    expect(update).toMatchObject({ guild_id: G.toString(), id: 'everyone', member_count: 4, online_count: 1 });
    expect(syncItems(update.ops)).toEqual(['[online]', '1', '[offline]', '2', '3', '4']);
    expect(lists.loads).toBe(1);
    expect((await h.registry.getSingleMetric('guild_fanout_member_lists')!.get()).values[0]!.value).toBe(1);
  });

  it('lists only the members who can view the channel, under the channel\'s list id', async () => {
    await setup();
    subscribe('s1', [[0, 99]], SECRET);
    await until(() => listUpdates(gw).length === 1, 'the SYNC');
    const { update } = listUpdates(gw)[0]!;
    expect(update.id).not.toBe('everyone');
    expect(syncItems(update.ops)).toEqual(['[online]', '1', '[offline]', '2', '3']);
  });

  it('sends a joining member as INSERT ops after the event itself, at its offset with sub_index >= 1', async () => {
    await setup();
    subscribe('s1', [[0, 99]]);
    await until(() => listUpdates(gw).length === 1, 'the SYNC');
    state.members.add(5n);
    const record = await h.publish({
      scope: guildScope(G), type: 'GUILD_MEMBER_ADD',
      payload: { guild_id: G.toString(), user: { id: '5', username: 'abe' }, nick: null, roles: [], joined_at: '2026-01-01T00:00:00.000Z' },
    });
    await until(() => h.committed(record), 'the member add to commit');
    const fromRecord = gw.events.filter((e) => e.offset === record.offset);
    expect(fromRecord.map((e) => [e.type, e.subIndex])).toEqual([['GUILD_MEMBER_ADD', 0], ['GUILD_MEMBER_LIST_UPDATE', 1]]);
    const update = JSON.parse(fromRecord[1]!.payloadJson) as MemberListUpdate;
    expect(fromRecord[1]).toMatchObject({ partition: record.partition, sessionIds: ['s1'] });
    // abe sorts first among the offline members: [online] 1 [offline] abe(5) ...
    expect(update.ops).toEqual([
      { op: 'UPDATE', index: 2, item: { group: { id: 'offline', count: 4 } } },
      { op: 'INSERT', index: 3, item: expect.objectContaining({ member: expect.objectContaining({ user: { id: '5', username: 'abe', global_name: null } }) }) },
    ]);
    expect(update.member_count).toBe(5);
  });

  it('turns a member online when a gateway takes an interest in them, and offline when the last goes', async () => {
    await setup();
    subscribe('s1', [[0, 99]]);
    await until(() => listUpdates(gw).length === 1, 'the SYNC');
    await gw.interest([[guildScope(G), 3n]]);
    await until(() => listUpdates(gw).length === 2, 'the online ops');
    const online = listUpdates(gw)[1]!;
    expect(online.event).toMatchObject({ offset: '', sessionIds: ['s1'] });
    expect(online.update.online_count).toBe(2);
    expect(online.update.ops.map((op) => op.op)).toContain('INSERT');
    await gw.interest([], [[guildScope(G), 3n]]);
    await until(() => listUpdates(gw).length === 3, 'the offline ops');
    expect(listUpdates(gw)[2]!.update.online_count).toBe(1);
  });

  it('stops sending after an unsubscribe, and after the subscriber\'s interest in the guild goes', async () => {
    await setup();
    subscribe('s1', [[0, 99]]);
    subscribe('s2', [[0, 99]], CHANNEL, 2n);
    await gw.interest([[guildScope(G), 2n]]);
    await until(() => listUpdates(gw).filter((u) => u.event.sessionIds.includes('s2')).length >= 1, 'the SYNC of s2');
    subscribe('s1', []);
    await gw.interest([], [[guildScope(G), 2n]]); // s2's user leaves: s2's subscription goes too
    const before = listUpdates(gw).length;
    state.members.add(6n);
    const record = await h.publish({ scope: guildScope(G), type: 'GUILD_MEMBER_ADD', payload: { guild_id: G.toString(), user: { id: '6', username: 'aa' }, roles: [] } });
    await until(() => h.committed(record), 'the member add to commit');
    expect(listUpdates(gw).length).toBe(before);
    expect(h.fanout.lists!.subscribers.size).toBe(0);
    expect((await h.registry.getSingleMetric('guild_fanout_member_lists')!.get()).values[0]!.value).toBe(0);
  });

  it('resyncs subscribers when a channel\'s overwrites change, and drops those who lost the channel', async () => {
    await setup();
    await gw.interest([[guildScope(G), 4n]]);
    subscribe('s1', [[0, 99]]);
    subscribe('s4', [[0, 99]], CHANNEL, 4n);
    await until(() => listUpdates(gw).length === 2, 'both SYNCs');
    // Channel 70 is now hidden from user 4 (deny overwrite for 4).
    state.overwrites.set(CHANNEL, [{ id: 4n, type: 1, allow: 0n, deny: PermissionFlags.VIEW_CHANNEL }]);
    state.hidden.add(`4:${CHANNEL}`);
    const record = await h.publish({ scope: guildScope(G), type: 'CHANNEL_UPDATE', channelId: CHANNEL, payload: { id: CHANNEL.toString(), guild_id: G.toString() } });
    await until(() => h.committed(record), 'the channel update to commit');
    const resync = listUpdates(gw).filter((u) => u.event.offset === record.offset);
    expect(resync.map((u) => [u.event.sessionIds, u.event.subIndex])).toEqual([[['s1'], 1]]);
    expect(resync[0]!.update.id).not.toBe('everyone');
    expect(syncItems(resync[0]!.update.ops)).toEqual(['[online]', '1', '[offline]', '2', '3']);
  });

  it('replays the member events applied while the rows were loading into the first SYNC', async () => {
    await setup();
    let release!: () => void;
    lists.gate = new Promise<void>((resolve) => (release = resolve));
    subscribe('s1', [[0, 99]]);
    await until(() => lists.loads === 1, 'the list load to start');
    state.members.add(5n);
    const added = await h.publish({ scope: guildScope(G), type: 'GUILD_MEMBER_ADD', payload: { guild_id: G.toString(), user: { id: '5', username: 'abe' }, roles: [] } });
    const removed = await h.publish({ scope: guildScope(G), type: 'GUILD_MEMBER_REMOVE', payload: { guild_id: G.toString(), user: { id: '3' } } });
    await until(() => h.committed(added) && h.committed(removed), 'the member events to commit');
    expect(listUpdates(gw)).toHaveLength(0);
    release();
    await until(() => listUpdates(gw).length === 1, 'the SYNC');
    expect(syncItems(listUpdates(gw)[0]!.update.ops)).toEqual(['[online]', '1', '[offline]', '5', '2', '4']);
  });

  it('on a non-owner: records the subscription, sends nothing, then SYNCs it on taking the guild over', async () => {
    await setup({ own: false });
    subscribe('s1', [[0, 99]]);
    await gw.interest([]); // after the request on the same stream: it was handled
    expect(listUpdates(gw)).toHaveLength(0);
    expect(lists.loads).toBe(0);
    expect(h.fanout.lists!.subscribers.size).toBe(1);
    await h.fanout.start();
    await until(() => listUpdates(gw).length === 1, 'the SYNC after the takeover');
    expect(syncItems(listUpdates(gw)[0]!.update.ops)).toEqual(['[online]', '1', '[offline]', '2', '3', '4']);
  });
});
