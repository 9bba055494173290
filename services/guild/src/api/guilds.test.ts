import { DEFAULT_EVERYONE_PERMISSIONS } from './access';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

describe('guild api – users and guilds', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('UpsertUser stores the profile and updates it on a second call, without an event', async () => {
    await h.client.upsertUser({ user: { id: '42', username: 'first' } });
    const { user } = await h.client.upsertUser({ user: { id: '42', username: 'second', globalName: 'Second', bot: true } });
    expect(user).toMatchObject({ id: '42', username: 'second', globalName: 'Second', bot: true });
    const { rows } = await h.database.query('SELECT username, global_name, bot FROM users WHERE id = 42');
    expect(rows).toEqual([{ username: 'second', global_name: 'Second', bot: true }]);
    expect(h.publisher.take()).toEqual([]);
  });

  it('UpsertUser names the malformed field', async () => {
    expect(await rejection(h.client.upsertUser({ user: { id: 'abc', username: 'x' } }))).toMatchObject({ name: 'InvalidArgumentError', field: 'user.id' });
    expect(await rejection(h.client.upsertUser({ user: { id: '7', username: '' } }))).toMatchObject({ field: 'user.username' });
  });

  it('CreateGuild makes @everyone, the owner membership and #general, and sends GUILD_CREATE to the owner', async () => {
    const [owner] = await createUsers(h.client, 1);
    const response = await h.client.createGuild({ name: 'Hub', ownerId: owner!, features: ['COMMUNITY'] });
    const guildId = response.guild!.id;
    expect(response.guild).toMatchObject({ name: 'Hub', ownerId: owner, memberCount: 1, features: ['COMMUNITY'] });

    const [event, ...rest] = h.publisher.take();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'GUILD_CREATE', scope: `u:${owner}`, eventId: response.eventId, channelId: '' });
    const d = event!.payload;
    expect(d).toMatchObject({ id: guildId, name: 'Hub', owner_id: owner, member_count: 1, large: false, unavailable: false, presences: [], emojis: [] });
    expect(d.roles).toEqual([expect.objectContaining({ id: guildId, name: '@everyone', position: 0, permissions: DEFAULT_EVERYONE_PERMISSIONS.toString() })]);
    expect(d.channels).toEqual([expect.objectContaining({ name: 'general', type: 0, guild_id: guildId, permission_overwrites: [] })]);
    expect(d.members).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: owner }), roles: [] })]);
    expect(typeof d.joined_at).toBe('string');

    const { rows } = await h.database.query('SELECT count(*)::int AS n FROM members WHERE guild_id = $1', [BigInt(guildId)]);
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('CreateGuild answers NOT_FOUND for an unknown owner and INVALID_ARGUMENT naming the field', async () => {
    expect(await rejection(h.client.createGuild({ name: 'X', ownerId: '999999999' }))).toMatchObject({ name: 'NotFoundError' });
    expect(await rejection(h.client.createGuild({ name: '', ownerId: '1' }))).toMatchObject({ name: 'InvalidArgumentError', field: 'name' });
    expect(await rejection(h.client.createGuild({ name: 'x'.repeat(101), ownerId: '1' }))).toMatchObject({ field: 'name' });
    expect(await rejection(h.client.createGuild({ name: 'X', ownerId: '1', everyonePermissions: '1x' }))).toMatchObject({ field: 'everyone_permissions' });
    expect(await rejection(h.client.createGuild({ name: 'X', ownerId: '1', everyonePermissions: (1n << 62n).toString() }))).toMatchObject({
      field: 'everyone_permissions',
    });
  });

  it('UpdateGuild needs MANAGE_GUILD and sends GUILD_UPDATE to the guild scope', async () => {
    const [owner, member] = await createUsers(h.client, 2);
    const { guildId } = await createGuildWith(h, owner!, [member!]);
    expect(await rejection(h.client.updateGuild({ actorId: member!, guildId, name: 'Nope' }))).toMatchObject({ name: 'PermissionDeniedError' });
    const response = await h.client.updateGuild({ actorId: owner!, guildId, name: 'Renamed', icon: 'abc' });
    expect(response.guild).toMatchObject({ name: 'Renamed', icon: 'abc', memberCount: 2 });
    const [event] = h.publisher.take();
    expect(event).toMatchObject({ type: 'GUILD_UPDATE', scope: `g:${guildId}`, eventId: response.eventId });
    expect(event!.payload).toMatchObject({ id: guildId, name: 'Renamed', icon: 'abc', owner_id: owner, roles: [expect.objectContaining({ id: guildId })] });
  });

  it('UpdateGuild transfers ownership only from the owner to a member', async () => {
    const [owner, member, stranger] = await createUsers(h.client, 3);
    const { guildId } = await createGuildWith(h, owner!, [member!]);
    expect(await rejection(h.client.updateGuild({ actorId: owner!, guildId, ownerId: stranger! }))).toMatchObject({ name: 'NotFoundError' });
    await h.client.updateGuild({ actorId: owner!, guildId, ownerId: member! });
    expect((await h.client.getGuild({ guildId })).guild?.ownerId).toBe(member);
  });

  it('DeleteGuild is for the owner only, soft-deletes and sends GUILD_DELETE', async () => {
    const [owner, member] = await createUsers(h.client, 2);
    const { guildId } = await createGuildWith(h, owner!, [member!]);
    expect(await rejection(h.client.deleteGuild({ actorId: member!, guildId }))).toMatchObject({ name: 'PermissionDeniedError' });
    const { eventId } = await h.client.deleteGuild({ actorId: owner!, guildId });
    expect(h.publisher.take()).toEqual([expect.objectContaining({ type: 'GUILD_DELETE', scope: `g:${guildId}`, eventId, payload: { id: guildId } })]);
    const { rows } = await h.database.query('SELECT deleted_at IS NOT NULL AS deleted FROM guilds WHERE id = $1', [BigInt(guildId)]);
    expect(rows).toEqual([{ deleted: true }]);
    expect(await rejection(h.client.getGuild({ guildId }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('GetGuild returns the guild with its channels and roles', async () => {
    const [owner] = await createUsers(h.client, 1);
    const { guildId, generalId } = await createGuildWith(h, owner!);
    const response = await h.client.getGuild({ guildId });
    expect(response.guild).toMatchObject({ id: guildId, ownerId: owner, memberCount: 1 });
    expect(response.channels.map((c) => c.id)).toEqual([generalId]);
    expect(response.roles.map((r) => r.id)).toEqual([guildId]);
    expect(await rejection(h.client.getGuild({ guildId: '' }))).toMatchObject({ field: 'guild_id' });
  });
});

describe('guild api – write path', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.stop());

  it('a publisher that fails leaves PostgreSQL unchanged and answers UNAVAILABLE', async () => {
    const [owner, member] = await createUsers(h.client, 2);
    const { guildId } = await createGuildWith(h, owner!);
    const count = async (sql: string) => (await h.database.query<{ n: number }>(sql)).rows[0]!.n;
    const before = await count('SELECT count(*)::int AS n FROM guilds');
    h.publisher.failure = new Error('broker down');
    try {
      expect(await rejection(h.client.createGuild({ name: 'Lost', ownerId: owner! }))).toMatchObject({ name: 'UnavailableError' });
      expect(await rejection(h.client.addMember({ guildId, user: { id: member! } }))).toMatchObject({ name: 'UnavailableError' });
      expect(await rejection(h.client.updateGuild({ guildId, name: 'Lost' }))).toMatchObject({ name: 'UnavailableError' });
    } finally {
      h.publisher.failure = undefined;
    }
    expect(await count('SELECT count(*)::int AS n FROM guilds')).toBe(before);
    expect(await count(`SELECT count(*)::int AS n FROM members WHERE guild_id = ${guildId}`)).toBe(1);
    expect((await h.client.getGuild({ guildId })).guild?.name).toBe('Test guild');
    expect(h.publisher.take()).toEqual([]);
  });
});
