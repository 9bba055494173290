// PublishPresences: the presence service's coalesced changes become one PRESENCE_UPDATE batch per
// guild of those users (Discord's payload per user, the guild id added), needing GUILD_PRESENCES;
// bad input is refused naming the field.
import { PRESENCES_PER_EVENT } from './presences';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

const userPresence = (userId: string, status = 'online', extra: Record<string, unknown> = {}) => ({
  userId, status, activitiesJson: '[{"name":"chess","type":0}]', clientStatus: { desktop: status === 'offline' ? '' : status, mobile: '', web: '' }, ...extra,
});

describe('guild api – PublishPresences', () => {
  let h: ApiHarness;
  let alice: string;
  let bob: string;
  let loner: string;
  let guildA: string;
  let guildB: string;
  beforeAll(async () => {
    h = await startApi();
    [alice, bob, loner] = (await createUsers(h.client, 3)) as [string, string, string];
    ({ guildId: guildA } = await createGuildWith(h, alice));
    ({ guildId: guildB } = await createGuildWith(h, bob));
    await h.client.addMember({ guildId: guildB, user: { id: alice } });
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('produces one PRESENCE_UPDATE batch per guild of the users, in Discord shape, for GUILD_PRESENCES sessions', async () => {
    const response = await h.client.publishPresences({ presences: [userPresence(alice, 'idle'), userPresence(bob), userPresence(loner, 'dnd')] });
    expect(response.guildBatches).toBe(2);
    const events = h.publisher.events.splice(0);
    const byGuild = new Map(events.map((e) => [e.scope!.id, e]));
    expect([...byGuild.keys()].sort()).toEqual([guildA, guildB].sort());
    for (const event of events) {
      expect(event.type).toBe('PRESENCE_UPDATE');
      expect(event.requiredIntent).toBe(1 << 8);
      expect(JSON.parse(event.payloadJson)).toEqual({});
    }
    expect(byGuild.get(guildA)!.batchPayloadsJson.map((j) => JSON.parse(j))).toEqual([
      { user: { id: alice }, status: 'idle', activities: [{ name: 'chess', type: 0 }], client_status: { desktop: 'idle' }, guild_id: guildA },
    ]);
    const inB = byGuild.get(guildB)!.batchPayloadsJson.map((j) => JSON.parse(j));
    expect(inB.map((p) => p.user.id).sort()).toEqual([alice, bob].sort());
    expect(inB.every((p) => p.guild_id === guildB)).toBe(true);
  });

  it('answers with no batch for users in no guild', async () => {
    expect((await h.client.publishPresences({ presences: [userPresence(loner, 'offline')] })).guildBatches).toBe(0);
    expect(h.publisher.events).toHaveLength(0);
  });

  it('splits a guild batch into events of at most PRESENCES_PER_EVENT users', async () => {
    const users = (await createUsers(h.client, PRESENCES_PER_EVENT + 5)) as string[];
    const { guildId } = await createGuildWith(h, users[0]!);
    for (const user of users.slice(1)) await h.client.addMember({ guildId, user: { id: user } });
    h.publisher.take();
    const response = await h.client.publishPresences({ presences: users.map((u) => userPresence(u)) });
    expect(response.guildBatches).toBe(2);
    expect(h.publisher.events.splice(0).map((e) => e.batchPayloadsJson.length)).toEqual([PRESENCES_PER_EVENT, 5]);
  }, 60_000);

  it('names the bad field: status, client status, activities, user id, duplicates', async () => {
    expect(await rejection(h.client.publishPresences({ presences: [userPresence(alice, 'invisible')] }))).toMatchObject({ name: 'InvalidArgumentError', field: 'presences[0].status' });
    expect(await rejection(h.client.publishPresences({ presences: [userPresence(alice), { ...userPresence(bob), clientStatus: { desktop: 'away' } }] })))
      .toMatchObject({ field: 'presences[1].client_status.desktop' });
    expect(await rejection(h.client.publishPresences({ presences: [{ ...userPresence(alice), activitiesJson: '{"name":1}' }] }))).toMatchObject({ field: 'presences[0].activities_json' });
    expect(await rejection(h.client.publishPresences({ presences: [userPresence('12x')] }))).toMatchObject({ field: 'presences[0].user_id' });
    expect(await rejection(h.client.publishPresences({ presences: [userPresence(alice), userPresence(alice, 'idle')] }))).toMatchObject({ field: 'presences[1].user_id' });
    expect(h.publisher.events).toHaveLength(0);
  });
});
