// op 14 GUILD_SUBSCRIPTIONS end to end: a real embedded gateway, real WebSocket sessions and two
// fake guild instances. Activity is announced once per (guild, user) and withdrawn with the last
// active session; member-list requests reach every guild instance with the session id; a
// reconnecting stream re-sends both after its interest snapshot.
import { guildV1 } from '@switchboard/proto';
import type { RunningGateway } from '../start';
import type { TestGatewayClient } from '../transport/test-client';
import { FakeGuildServer, ready, waitFor } from './fake-guild-server';
import { useLinkedGateway } from './__tests__/linked-gateway';
import type { FakeFanoutCall } from './fake-guild-server';
import { MAX_ACTIVE_GUILDS } from './guild-activity';

const GUILD = '41771983423143937';
const OTHER_GUILDS = ['41771983423143938', '41771983423143939', '41771983423143940', '41771983423143941', '41771983423143942'];
const CHANNEL = '41771983423143999';
let nextUser = 575928847299117063n;

const pairKey = (interest: guildV1.Interest) => `${interest.scope?.id}:${interest.userId}`;

/** The activate / deactivate pairs a call received, in order, as `+guild:user` / `-guild:user`. */
function activity(call: FakeFanoutCall): string[] {
  return call.interestMessages().flatMap((change) => [
    ...change.activate.map((interest) => `+${pairKey(interest)}`),
    ...change.deactivate.map((interest) => `-${pairKey(interest)}`),
  ]);
}

function memberLists(call: FakeFanoutCall): guildV1.MemberListRequest[] {
  return call.requests.flatMap((request) => (request.kind.case === 'memberList' ? [request.kind.value] : []));
}

const ranges = (request: guildV1.MemberListRequest) => request.ranges.map(({ first, last }) => [first, last]);

describe('guild link – op 14 guild subscriptions', () => {
  let first: FakeGuildServer;
  let second: FakeGuildServer;
  let gateway: RunningGateway;

  const fixture = useLinkedGateway(2);
  beforeAll(() => {
    [first, second] = fixture.fakes as [FakeGuildServer, FakeGuildServer];
    gateway = fixture.gateway;
  });

  function newUser(guildIds: readonly string[] = [GUILD]): bigint {
    const user = nextUser++;
    first.userGuilds.set(String(user), guildIds.map((guildId) => ({ guildId, payload: { id: guildId } })));
    return user;
  }

  async function session(user: bigint): Promise<{ client: TestGatewayClient; sessionId: string }> {
    const { client, sessionId } = await ready(gateway, user);
    await client.dispatch('GUILD_CREATE');
    return { client, sessionId };
  }

  const lazy = (d: Record<string, unknown>) => ({ op: 14, d });

  it.each([
    ['no guild_id', {}],
    ['a guild_id that is not a snowflake', { guild_id: 'general' }],
    ['channels that are not an object', { guild_id: GUILD, channels: [[0, 99]] }],
    ['a range that is not a pair', { guild_id: GUILD, channels: { [CHANNEL]: [[0]] } }],
    ['a range ending before it starts', { guild_id: GUILD, channels: { [CHANNEL]: [[99, 0]] } }],
    ['a range of more than 100 members', { guild_id: GUILD, channels: { [CHANNEL]: [[0, 100]] } }],
    ['more than 5 ranges', { guild_id: GUILD, channels: { [CHANNEL]: [[0, 9], [10, 19], [20, 29], [30, 39], [40, 49], [50, 59]] } }],
    ['typing that is not a boolean', { guild_id: GUILD, typing: 'yes' }],
  ])('closes the connection with 4002 for %s', async (_name, d) => {
    const { client } = await session(newUser());
    client.send(lazy(d));
    expect((await client.closed).code).toBe(4002);
  });

  it('announces activity once per (guild, user) on every stream, and withdraws it with the last active session', async () => {
    const user = newUser();
    const a = await session(user);
    const b = await session(user);
    a.client.send(lazy({ guild_id: GUILD, typing: true, activities: true, threads: true }));
    b.client.send(lazy({ guild_id: GUILD }));
    const pair = `${GUILD}:${user}`;
    await waitFor(() => gateway.guildLink!.activity.activeSessions(GUILD).size === 2, 'both sessions active');
    await gateway.guildLink!.sync();
    for (const call of [first.call!, second.call!]) expect(activity(call).filter((entry) => entry.endsWith(pair))).toEqual([`+${pair}`]);
    a.client.ws.close(1000);
    await waitFor(() => gateway.guildLink!.activity.activeSessions(GUILD).size === 1, 'one active session left');
    await gateway.guildLink!.sync();
    expect(activity(first.call!).filter((entry) => entry.endsWith(pair))).toEqual([`+${pair}`]);
    b.client.ws.close(1000);
    for (const call of [first.call!, second.call!]) {
      await waitFor(() => activity(call).filter((entry) => entry.endsWith(pair)).length === 2, 'the deactivation');
      expect(activity(call).filter((entry) => entry.endsWith(pair))).toEqual([`+${pair}`, `-${pair}`]);
    }
  });

  it('ignores op 14 for a guild the session is not in', async () => {
    const user = newUser();
    const a = await session(user);
    a.client.send(lazy({ guild_id: OTHER_GUILDS[0], channels: { [CHANNEL]: [[0, 99]] } }));
    a.client.send(lazy({ guild_id: GUILD }));
    await waitFor(() => gateway.guildLink!.activity.isActive(gateway.edge.registry.get(a.sessionId)!, GUILD), 'the second op 14');
    await gateway.guildLink!.sync();
    expect(activity(first.call!).filter((entry) => entry.includes(`:${user}`))).toEqual([`+${GUILD}:${user}`]);
    expect(memberLists(first.call!).filter((request) => request.userId === String(user))).toEqual([]);
    a.client.ws.close(1000);
  });

  it('sends each member-list subscription to every guild instance with the session id, and an empty list unsubscribes', async () => {
    const user = newUser();
    const a = await session(user);
    a.client.send(lazy({ guild_id: GUILD, channels: { [CHANNEL]: [[0, 99], [100, 199]] } }));
    a.client.send(lazy({ guild_id: GUILD, channels: { [CHANNEL]: {} } }));
    for (const call of [first.call!, second.call!]) {
      await waitFor(() => memberLists(call).filter((request) => request.sessionId === a.sessionId).length === 2, 'both list requests');
      const mine = memberLists(call).filter((request) => request.sessionId === a.sessionId);
      expect(mine.map((request) => [request.guildId, request.channelId, request.userId])).toEqual([
        [GUILD, CHANNEL, String(user)], [GUILD, CHANNEL, String(user)],
      ]);
      expect(mine.map(ranges)).toEqual([[[0, 99], [100, 199]], []]);
    }
    a.client.ws.close(1000);
  });

  it('drops a session\'s lists when it ends: an unsubscribe while another session keeps the user\'s interest, nothing after the last', async () => {
    const user = newUser();
    const a = await session(user);
    const b = await session(user);
    a.client.send(lazy({ guild_id: GUILD, channels: { [CHANNEL]: [[0, 99]] } }));
    b.client.send(lazy({ guild_id: GUILD, channels: { [CHANNEL]: [[0, 99]] } }));
    const listsOf = (sessionId: string) => memberLists(first.call!).filter((request) => request.sessionId === sessionId).map(ranges);
    await waitFor(() => listsOf(a.sessionId).length === 1 && listsOf(b.sessionId).length === 1, 'both subscriptions');
    a.client.ws.close(1000);
    await waitFor(() => listsOf(a.sessionId).length === 2, 'the unsubscribe of the first session');
    expect(listsOf(a.sessionId)).toEqual([[[0, 99]], []]);
    b.client.ws.close(1000);
    await waitFor(() => !first.call!.interests.has(`g:${GUILD}:${user}`), 'the interest to go');
    await gateway.guildLink!.sync();
    expect(listsOf(b.sessionId)).toEqual([[[0, 99]]]);
  });

  it(`keeps a session active in at most ${MAX_ACTIVE_GUILDS} guilds: one more deactivates the least recent`, async () => {
    const user = newUser([GUILD, ...OTHER_GUILDS]);
    const a = await session(user);
    await a.client.next((frame) => frame.t === 'GUILD_CREATE' && (frame.d as { id: string }).id === OTHER_GUILDS.at(-1));
    for (const guildId of [GUILD, ...OTHER_GUILDS]) a.client.send(lazy({ guild_id: guildId }));
    const held = gateway.edge.registry.get(a.sessionId)!;
    await waitFor(() => gateway.guildLink!.activity.isActive(held, OTHER_GUILDS.at(-1)!), 'the last activation');
    await gateway.guildLink!.sync();
    expect([...gateway.guildLink!.activity.activeGuildsOf(held)]).toEqual(OTHER_GUILDS);
    const mine = activity(first.call!).filter((entry) => entry.endsWith(`:${user}`));
    expect(mine.filter((entry) => entry.startsWith('+')).length).toBe(6);
    expect(mine.filter((entry) => entry.startsWith('-'))).toEqual([`-${GUILD}:${user}`]);
    a.client.ws.close(1000);
  });

  it('re-sends activations and member-list subscriptions after the interest snapshot when a stream reconnects', async () => {
    const user = newUser();
    const a = await session(user);
    a.client.send(lazy({ guild_id: GUILD, channels: { [CHANNEL]: [[0, 99]] } }));
    await waitFor(() => memberLists(first.call!).some((request) => request.sessionId === a.sessionId), 'the list request');
    const old = first.call!;
    old.out.end();
    await waitFor(() => first.call !== undefined && first.call !== old
      && first.call.interestMessages().some((change) => change.syncId !== 0n), 'a new call with its snapshot');
    const renewed = first.call!;
    const kinds = renewed.requests.map((request) => {
      if (request.kind.case !== 'interest') return request.kind.case;
      const change = request.kind.value;
      if (change.add.length > 0) return 'add';
      if (change.activate.length > 0) return 'activate';
      return change.syncId !== 0n ? 'sync' : 'other';
    });
    const snapshotEnd = kinds.indexOf('sync');
    const collapsed = kinds.slice(0, snapshotEnd + 1).filter((kind, index, all) => index === 0 || all[index - 1] !== kind);
    expect(collapsed).toEqual(['hello', 'add', 'activate', 'memberList', 'sync']);
    const activateMessage = renewed.interestMessages().find((change) => change.activate.length > 0)!;
    expect(activateMessage.activate.map(pairKey)).toContain(`${GUILD}:${user}`);
    expect(memberLists(renewed).map((request) => [request.sessionId, request.channelId, ranges(request)]))
      .toContainEqual([a.sessionId, CHANNEL, [[0, 99]]]);
    a.client.ws.close(1000);
  });
});
