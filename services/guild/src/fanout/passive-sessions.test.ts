// Passive sessions in large guilds: past the member threshold, message traffic goes only to the
// users a gateway marked active and to the users the event names; state changes go to everyone;
// small guilds are unchanged.
import { guildScope } from '../events';
import type { GuildEventInit } from '../events';
import type { FakeGateway } from './fanout-test-support';
import { FakeLoader, FakeScopeState, until } from './fanout-test-support';
import { startOwnerHarness } from './owner-harness';
import type { OwnerHarness } from './owner-harness';

const LARGE = 2001n;
const SMALL = 2002n;
const CHANNEL = 60n;
const THRESHOLD = 5;

describe('fanout – passive sessions in large guilds', () => {
  let h: OwnerHarness;
  let gw: FakeGateway;

  beforeEach(async () => {
    const states = new Map([
      [LARGE, new FakeScopeState({ members: [1n, 2n, 3n, 4n, 5n, 6n] })], // 6 > threshold: large
      [SMALL, new FakeScopeState({ members: [1n, 2n, 3n] })],
    ]);
    h = await startOwnerHarness(new FakeLoader(states), { passiveThreshold: THRESHOLD });
    gw = h.gateway('gw');
    await gw.interest([1n, 2n, 3n, 4n].map((user) => [guildScope(LARGE), user]));
    await gw.interest([1n, 2n, 3n].map((user) => [guildScope(SMALL), user]));
  });

  afterEach(() => h.close());

  function activate(guild: bigint, users: bigint[], deactivate: bigint[] = []): Promise<void> {
    const pairs = (list: bigint[]) => list.map((user) => ({ scope: guildScope(guild), userId: user.toString() }));
    gw.send({ kind: { case: 'interest', value: { activate: pairs(users), deactivate: pairs(deactivate) } } });
    return gw.interest([]); // a sync after it: the activation is in effect
  }

  const message = (guild: bigint, type = 'MESSAGE_CREATE', contentUserIds: bigint[] = []): GuildEventInit => ({
    scope: guildScope(guild), type, channelId: CHANNEL, contentUserIds,
    payload: { id: '900', channel_id: CHANNEL.toString(), guild_id: guild.toString(), content: 'hi' },
  });

  async function published(init: GuildEventInit) {
    const record = await h.publish(init);
    await until(() => h.committed(record), `${init.type} to commit`);
    return gw.events.find((e) => e.offset === record.offset && e.partition === record.partition);
  }

  it('sends message traffic only to active users and the users it names, flagged active_only with the mentioned ones', async () => {
    await activate(LARGE, [1n, 2n]);
    const created = await published(message(LARGE, 'MESSAGE_CREATE', [3n, 5n]));
    // 1, 2 active; 3 mentioned and interested on this gateway; 4 passive; 5 mentioned but not here.
    expect(created).toMatchObject({ activeOnly: true, mentionedUserIds: ['3'] });
    expect(created!.visibility).toEqual({ case: 'exceptUsers', value: expect.objectContaining({ ids: ['4'] }) });
    const typing = await published({ ...message(LARGE, 'TYPING_START'), payload: { channel_id: CHANNEL.toString(), user_id: '1' } });
    expect(typing).toMatchObject({ activeOnly: true, mentionedUserIds: [] });
    expect(typing!.visibility).toEqual({ case: 'onlyUsers', value: expect.objectContaining({ ids: ['1', '2'] }) });
    const reaction = await published(message(LARGE, 'MESSAGE_REACTION_ADD'));
    expect(reaction).toMatchObject({ activeOnly: true });
  });

  it('sends a large guild\'s message traffic to nobody passive when it names nobody here', async () => {
    const record = await h.publish(message(LARGE, 'MESSAGE_UPDATE', [5n]));
    await until(() => h.committed(record), 'the update to commit');
    expect(gw.events).toHaveLength(0);
  });

  it('still sends state changes of a large guild to every member, passive ones included', async () => {
    await activate(LARGE, [1n]);
    const update = await published({ scope: guildScope(LARGE), type: 'GUILD_UPDATE', payload: { id: LARGE.toString() } });
    expect(update).toMatchObject({ activeOnly: false, mentionedUserIds: [], visibility: { case: 'allUsers', value: true } });
    const channel = await published({ scope: guildScope(LARGE), type: 'CHANNEL_UPDATE', channelId: CHANNEL, payload: { id: CHANNEL.toString() } });
    expect(channel).toMatchObject({ activeOnly: false, visibility: { case: 'allUsers', value: true } });
  });

  it('follows deactivation and the interest going away', async () => {
    await activate(LARGE, [1n, 2n]);
    await activate(LARGE, [], [2n]);
    await gw.interest([], [[guildScope(LARGE), 1n]]);
    // Adding the interest back does not bring the activation back.
    await gw.interest([[guildScope(LARGE), 1n]]);
    const record = await h.publish(message(LARGE));
    await until(() => h.committed(record), 'the message to commit');
    expect(gw.events).toHaveLength(0);
    const stream = h.fanout.service.streams()[0]!;
    expect(h.fanout.table.activeUsers(stream, `g:${LARGE}`).size).toBe(0);
  });

  it('leaves small guilds as they were: everyone, no flags', async () => {
    const created = await published(message(SMALL, 'MESSAGE_CREATE', [3n]));
    expect(created).toMatchObject({ activeOnly: false, mentionedUserIds: [], visibility: { case: 'allUsers', value: true } });
  });
});
