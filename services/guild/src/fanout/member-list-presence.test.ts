// Member lists take the presence service's word: statuses read with GetPresences when a guild's
// lists load (idle and dnd are online groups too; a user with a session who is invisible reads
// offline), then PRESENCE_UPDATE batches move members between the online and offline groups.
import { guildScope } from '../events';
import type { MemberListOp, MemberListUpdate, MemberStatus } from '../member-list';
import type { FakeGateway } from './fanout-test-support';
import { FakeLoader, FakeScopeState, until } from './fanout-test-support';
import type { GuildListData, MemberListLoader } from './member-list-loader';
import { InterestPresence, ReportedPresence } from './member-presence';
import { startOwnerHarness } from './owner-harness';
import type { OwnerHarness } from './owner-harness';

const G = 4001n;
const CHANNEL = 80n;

const loader = (data: GuildListData): MemberListLoader => ({ load: async () => data });
const profile = (userId: bigint, username: string) => ({ userId, username, globalName: null, nick: null, roles: [] });

function updates(gw: FakeGateway): MemberListUpdate[] {
  return gw.events.filter((e) => e.type === 'GUILD_MEMBER_LIST_UPDATE').map((e) => JSON.parse(e.payloadJson) as MemberListUpdate);
}

function syncItems(ops: readonly MemberListOp[]): string[] {
  const sync = ops.find((op) => op.op === 'SYNC');
  if (!sync || sync.op !== 'SYNC') throw new Error('no SYNC op');
  return sync.items.map((item) => ('group' in item ? `[${item.group.id}]` : `${item.member.user.id}:${item.member.presence?.status ?? '-'}`));
}

describe('fanout – member lists with presence from the presence service', () => {
  let h: OwnerHarness;
  let gw: FakeGateway;
  afterEach(() => h?.close());

  it('seeds statuses from GetPresences at load, then follows PRESENCE_UPDATE batches', async () => {
    const state = new FakeScopeState({ members: [1n, 2n, 3n, 4n] });
    const reads: bigint[][] = [];
    h = await startOwnerHarness(new FakeLoader(new Map([[G, state]])), {
      memberListLoader: loader({ ownerId: 1n, members: [profile(1n, 'ann'), profile(2n, 'bob'), profile(3n, 'cy'), profile(4n, 'dee')], roles: [] }),
      // Users 1 and 2 have sessions (interests); 1 is invisible, so the presence service says offline.
      readStatuses: async (ids) => {
        reads.push([...ids]);
        return new Map<bigint, MemberStatus>([[2n, 'idle'], [3n, 'dnd']]);
      },
    });
    gw = h.gateway('gw');
    await gw.interest([[guildScope(G), 1n], [guildScope(G), 2n]]);
    gw.send({ kind: { case: 'memberList', value: { guildId: G.toString(), channelId: CHANNEL.toString(), sessionId: 's1', userId: '1', ranges: [{ first: 0, last: 99 }] } } });
    await until(() => updates(gw).length === 1, 'the SYNC');
    expect(reads.map((ids) => ids.map(String).sort())).toEqual([['1', '2', '3', '4']]);
    expect(syncItems(updates(gw)[0]!.ops)).toEqual(['[online]', '2:idle', '3:dnd', '[offline]', '1:offline', '4:offline']);

    // A window's batch: 4 comes online, 3 goes offline.
    const batch = (userId: bigint, status: string) => ({ user: { id: userId.toString() }, status, activities: [], client_status: {}, guild_id: G.toString() });
    const record = await h.publish({ scope: guildScope(G), type: 'PRESENCE_UPDATE', payload: {}, batchPayloads: [batch(4n, 'online'), batch(3n, 'offline')] });
    // Two moves, each its own list update: wait for the last (the presence batch itself is first).
    const ofRecord = () => gw.events.filter((e) => e.offset === record.offset);
    await until(() => ofRecord().filter((e) => e.type === 'GUILD_MEMBER_LIST_UPDATE').length === 2, 'the list ops of the batch');
    const batchEvent = gw.events.find((e) => e.type === 'PRESENCE_UPDATE')!;
    expect(batchEvent.batchPayloadsJson.map((j) => JSON.parse(j).user.id)).toEqual(['4', '3']);
    const listEvents = gw.events.filter((e) => e.type === 'GUILD_MEMBER_LIST_UPDATE' && e.offset === record.offset);
    expect(listEvents.length).toBeGreaterThan(0);
    expect(listEvents.every((e) => e.subIndex >= 1)).toBe(true);
    expect(updates(gw).at(-1)!.online_count).toBe(2); // 2 (idle) and 4 (online)
  });

  it('ReportedPresence keeps a status recorded while the seed read was in flight, and falls back before any seed', async () => {
    const interests = { hasInterest: (_scope: string, userId: bigint) => userId === 7n };
    let release!: (statuses: Map<bigint, MemberStatus>) => void;
    const presence = new ReportedPresence(new InterestPresence(interests), () => new Promise((resolve) => (release = resolve)));
    expect(presence.statusOf(G, 7n)).toBe('online'); // not seeded: has a session
    expect(presence.statusOf(G, 8n)).toBe('offline');
    const seeding = presence.seed(G, [7n, 8n, 9n]);
    presence.record(8n, 'dnd'); // newer than the read
    release(new Map<bigint, MemberStatus>([[8n, 'online'], [9n, 'idle']]));
    await seeding;
    expect([presence.statusOf(G, 7n), presence.statusOf(G, 8n), presence.statusOf(G, 9n)]).toEqual(['offline', 'dnd', 'idle']);
    // Another guild not seeded here still falls back for unknown users.
    expect(presence.statusOf(G + 1n, 7n)).toBe('online');
  });
});
