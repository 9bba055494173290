import { PermissionFlags } from '@switchboard/runtime';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

describe('guild api – members', () => {
  let h: ApiHarness;
  let owner: string;
  let guildId: string;
  beforeAll(async () => {
    h = await startApi();
    [owner] = (await createUsers(h.client, 1)) as [string];
    ({ guildId } = await createGuildWith(h, owner));
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('AddMember upserts the profile, sends GUILD_MEMBER_ADD to the guild and GUILD_CREATE to the user', async () => {
    const { role } = await h.client.createRole({ guildId, name: 'Fan' });
    h.publisher.take();
    const response = await h.client.addMember({ guildId, user: { id: '5001', username: 'newbie', avatar: 'av' }, nick: 'Newb', roleIds: [role!.id] });
    expect(response.member).toMatchObject({ guildId, nick: 'Newb', roleIds: [role!.id], user: { id: '5001', username: 'newbie', avatar: 'av' } });
    expect(response.member?.joinedAt).toBeDefined();
    const [add, create] = h.publisher.take();
    expect(add).toMatchObject({ type: 'GUILD_MEMBER_ADD', scope: `g:${guildId}`, eventId: response.eventId });
    expect(add!.payload).toMatchObject({ guild_id: guildId, nick: 'Newb', roles: [role!.id], user: { id: '5001', username: 'newbie', avatar: 'av' } });
    expect(create).toMatchObject({ type: 'GUILD_CREATE', scope: 'u:5001' });
    expect(create!.payload).toMatchObject({ id: guildId, member_count: 2 });
    expect(create!.payload.members.map((m: any) => m.user.id).sort()).toEqual([owner, '5001'].sort());
  });

  it('AddMember answers ALREADY_EXISTS, NOT_FOUND for unknown users and roles, and names bad fields', async () => {
    const [u] = (await createUsers(h.client, 1)) as [string];
    await h.client.addMember({ guildId, user: { id: u } });
    expect(await rejection(h.client.addMember({ guildId, user: { id: u } }))).toMatchObject({ name: 'AlreadyExistsError' });
    expect(await rejection(h.client.addMember({ guildId, user: { id: '888888' } }))).toMatchObject({ name: 'NotFoundError' });
    const [v] = (await createUsers(h.client, 1)) as [string];
    expect(await rejection(h.client.addMember({ guildId, user: { id: v }, roleIds: ['4242'] }))).toMatchObject({ name: 'NotFoundError' });
    expect(await rejection(h.client.addMember({ guildId, user: { id: v }, roleIds: ['nope'] }))).toMatchObject({ field: 'role_ids[0]' });
    expect(await rejection(h.client.addMember({ guildId, user: undefined }))).toMatchObject({ field: 'user.id' });
    expect(await rejection(h.client.addMember({ guildId: '1', user: { id: v } }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('UpdateMember changes nick and roles and sends GUILD_MEMBER_UPDATE', async () => {
    const [u] = (await createUsers(h.client, 1)) as [string];
    await h.client.addMember({ guildId, user: { id: u } });
    const { role } = await h.client.createRole({ guildId, name: 'R' });
    h.publisher.take();
    const response = await h.client.updateMember({ actorId: owner, guildId, userId: u, nick: 'Nick', replaceRoles: true, roleIds: [role!.id] });
    expect(response.member).toMatchObject({ nick: 'Nick', roleIds: [role!.id] });
    const [event] = h.publisher.take();
    expect(event).toMatchObject({ type: 'GUILD_MEMBER_UPDATE', scope: `g:${guildId}`, eventId: response.eventId });
    expect(event!.payload).toMatchObject({ guild_id: guildId, nick: 'Nick', roles: [role!.id], user: expect.objectContaining({ id: u }) });
    expect(typeof event!.payload.joined_at).toBe('string');
  });

  it('UpdateMember: own nick needs CHANGE_NICKNAME, others need MANAGE_NICKNAMES / MANAGE_ROLES', async () => {
    const [a, b] = (await createUsers(h.client, 2)) as [string, string];
    await h.client.addMember({ guildId, user: { id: a } });
    await h.client.addMember({ guildId, user: { id: b } });
    await h.client.updateMember({ actorId: a, guildId, userId: a, nick: 'me' });
    expect(await rejection(h.client.updateMember({ actorId: a, guildId, userId: b, nick: 'you' }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(h.client.updateMember({ actorId: a, guildId, userId: a, replaceRoles: true }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(h.client.updateMember({ guildId, userId: '999', nick: 'x' }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('RemoveMember kicks with KICK_MEMBERS, lets a member leave, and never removes the owner', async () => {
    const [a, b] = (await createUsers(h.client, 2)) as [string, string];
    await h.client.addMember({ guildId, user: { id: a } });
    await h.client.addMember({ guildId, user: { id: b } });
    h.publisher.take();
    const countBefore = (await h.client.getGuild({ guildId })).guild!.memberCount;
    expect(await rejection(h.client.removeMember({ actorId: a, guildId, userId: b }))).toMatchObject({ name: 'PermissionDeniedError' });
    const { eventId } = await h.client.removeMember({ actorId: a, guildId, userId: a });
    const [removed, deleted] = h.publisher.take();
    expect(removed).toMatchObject({ type: 'GUILD_MEMBER_REMOVE', scope: `g:${guildId}`, eventId, payload: { guild_id: guildId, user: expect.objectContaining({ id: a }) } });
    expect(deleted).toMatchObject({ type: 'GUILD_DELETE', scope: `u:${a}`, payload: { id: guildId } });
    expect((await h.client.getGuild({ guildId })).guild!.memberCount).toBe(countBefore - 1);
    expect(await rejection(h.client.removeMember({ guildId, userId: owner }))).toMatchObject({ name: 'FailedPreconditionError' });
    expect(await rejection(h.client.removeMember({ guildId, userId: a }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('a kicker must outrank the member it kicks', async () => {
    const [kicker, peer] = (await createUsers(h.client, 2)) as [string, string];
    const { role } = await h.client.createRole({ guildId, name: 'Kick', permissions: PermissionFlags.KICK_MEMBERS.toString(), position: 3 });
    await h.client.addMember({ guildId, user: { id: kicker }, roleIds: [role!.id] });
    await h.client.addMember({ guildId, user: { id: peer }, roleIds: [role!.id] });
    expect(await rejection(h.client.removeMember({ actorId: kicker, guildId, userId: peer }))).toMatchObject({ name: 'PermissionDeniedError' });
    await h.client.updateMember({ guildId, userId: peer, replaceRoles: true, roleIds: [] });
    await h.client.removeMember({ actorId: kicker, guildId, userId: peer });
  });
});
