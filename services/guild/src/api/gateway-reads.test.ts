import { PermissionFlags } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

/** Seeds users (username member<N>) and their memberships straight in SQL: many at once. */
async function seedMembers(db: Database, guildId: string, from: bigint, count: number): Promise<void> {
  await db.query(
    `INSERT INTO users (id, username) SELECT n, 'member' || n FROM generate_series($1::bigint, $1::bigint + $2 - 1) AS n`,
    [from, count],
  );
  await db.query('INSERT INTO members (guild_id, user_id) SELECT $1, n FROM generate_series($2::bigint, $2::bigint + $3 - 1) AS n', [
    BigInt(guildId),
    from,
    count,
  ]);
}

const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

describe('guild api – GetUserGuilds', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.stop());

  it('returns the user’s guilds of a shard as GUILD_CREATE payloads, and DMs on shard 0 only', async () => {
    const [user, other] = (await createUsers(h.client, 2)) as [string, string];
    const guildIds: string[] = [];
    // Guild ids are time-based: create until both shards of 2 hold one of the user's guilds.
    while (new Set(guildIds.map((id) => shardOf(id, 2))).size < 2 && guildIds.length < 50) {
      guildIds.push((await createGuildWith(h, user)).guildId);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(new Set(guildIds.map((id) => shardOf(id, 2))).size).toBe(2);
    const deleted = (await createGuildWith(h, user)).guildId;
    await h.client.deleteGuild({ guildId: deleted });
    const dm = (await h.client.createDmChannel({ recipientIds: [user, other] })).channel!.id;

    const all = await h.client.getUserGuilds({ userId: user });
    expect(all.guilds.map((g) => g.guildId)).toEqual(guildIds);
    expect(all.privateChannelIds).toEqual([dm]);
    for (const shard of [0, 1]) {
      const response = await h.client.getUserGuilds({ userId: user, shardId: shard, shardCount: 2 });
      expect(response.guilds.map((g) => g.guildId)).toEqual(guildIds.filter((id) => shardOf(id, 2) === shard));
      expect(response.privateChannelIds).toEqual(shard === 0 ? [dm] : []);
    }
    // Built in one batch: every payload holds its own guild's roles and channels only.
    for (const { guildId, payloadJson } of all.guilds) {
      const d = JSON.parse(payloadJson);
      expect(d.roles.map((r: any) => r.id)).toEqual([guildId]);
      expect(d.channels.map((c: any) => c.guild_id)).toEqual([guildId]);
      expect(d.members.map((m: any) => m.user.id)).toEqual([user]);
    }
    const payload = JSON.parse(all.guilds[0]!.payloadJson);
    expect(payload).toMatchObject({ id: guildIds[0], owner_id: user, unavailable: false, large: false, presences: [], voice_states: [], threads: [] });
    expect(await rejection(h.client.getUserGuilds({ userId: user, shardId: 2, shardCount: 2 }))).toMatchObject({ field: 'shard_id' });
  });

  it('includes only the channels the user can view', async () => {
    const [owner, user] = (await createUsers(h.client, 2)) as [string, string];
    const { guildId, generalId } = await createGuildWith(h, owner, [user]);
    const deny = [{ id: user, type: 1, deny: PermissionFlags.VIEW_CHANNEL.toString() }];
    const { channel: hidden } = await h.client.createChannel({ guildId, type: 0, name: 'hidden', permissionOverwrites: deny });
    const channelsOf = async (id: string) =>
      JSON.parse((await h.client.getUserGuilds({ userId: id })).guilds.find((g) => g.guildId === guildId)!.payloadJson).channels.map((c: any) => c.id);
    expect(await channelsOf(user)).toEqual([generalId]);
    expect((await channelsOf(owner)).sort()).toEqual([generalId, hidden!.id].sort());
  });

  it('marks a guild large above the (clamped) threshold and then sends only the user’s own member', async () => {
    const [owner] = (await createUsers(h.client, 1)) as [string];
    const { guildId } = await createGuildWith(h, owner);
    await seedMembers(h.database, guildId, 9_000_000n, 59); // 60 members with the owner
    const guildOf = async (largeThreshold: number) =>
      JSON.parse((await h.client.getUserGuilds({ userId: owner, largeThreshold })).guilds.find((g) => g.guildId === guildId)!.payloadJson);

    const small = await guildOf(100);
    expect(small).toMatchObject({ large: false, member_count: 60 });
    expect(small.members).toHaveLength(60);
    for (const threshold of [0, 10, 50]) {
      const large = await guildOf(threshold);
      expect(large).toMatchObject({ large: true, member_count: 60 });
      expect(large.members.map((m: any) => m.user.id)).toEqual([owner]);
    }
  });
});

describe('guild api – RequestGuildMembers', () => {
  let h: ApiHarness;
  let owner: string;
  let guildId: string;
  beforeAll(async () => {
    h = await startApi();
    [owner] = (await createUsers(h.client, 1, 'zed')) as [string];
    ({ guildId } = await createGuildWith(h, owner));
    await seedMembers(h.database, guildId, 1_000_000n, 2499); // 2,500 members with the owner
    await h.database.query("UPDATE members SET nick = 'Alpha' WHERE user_id = 1000007");
  });
  afterAll(() => h.stop());

  // The chunks arrive as a stream, one message each.
  const drain = async (request: Parameters<ApiHarness['client']['requestGuildMembers']>[0]) => {
    const chunks: any[] = [];
    for await (const chunk of h.client.requestGuildMembers(request)) chunks.push(JSON.parse(chunk.chunkJson));
    return chunks;
  };
  const chunksOf = drain;

  it('answers every member of 2,500 in 3 chunks of at most 1000', async () => {
    const chunks = await chunksOf({ guildId, userId: owner, nonce: 'abc', presences: true });
    expect(chunks.map((c) => [c.chunk_index, c.chunk_count, c.members.length])).toEqual([
      [0, 3, 1000],
      [1, 3, 1000],
      [2, 3, 500],
    ]);
    expect(chunks.every((c) => c.guild_id === guildId && c.nonce === 'abc' && Array.isArray(c.presences) && c.not_found === undefined)).toBe(true);
    const ids = new Set(chunks.flatMap((c) => c.members.map((m: any) => m.user.id)));
    expect(ids.size).toBe(2500);
    expect(ids.has(owner)).toBe(true);
  });

  it('answers user_ids with the unknown ones in not_found', async () => {
    const [chunk, ...more] = await chunksOf({ guildId, userId: owner, userIds: ['1000001', '1000002', '42'] });
    expect(more).toEqual([]);
    expect(chunk).toMatchObject({ chunk_index: 0, chunk_count: 1, not_found: ['42'] });
    expect(chunk.members.map((m: any) => m.user.id)).toEqual(['1000001', '1000002']);
    expect(chunk.presences).toBeUndefined();
  });

  it('finds members by username or nick prefix, case-insensitively, up to the limit', async () => {
    const [byName] = await chunksOf({ guildId, userId: owner, query: 'MEMBER100000', limit: 100 });
    expect(byName.members.map((m: any) => m.user.id).sort()).toEqual(['1000000', '1000001', '1000002', '1000003', '1000004', '1000005', '1000006', '1000007', '1000008', '1000009']);
    const [limited] = await chunksOf({ guildId, userId: owner, query: 'member', limit: 5 });
    expect(limited.members).toHaveLength(5);
    const [byNick] = await chunksOf({ guildId, userId: owner, query: 'alp', limit: 10 });
    expect(byNick.members.map((m: any) => m.user.id)).toEqual(['1000007']);
    const [none] = await chunksOf({ guildId, userId: owner, query: 'nobody_', limit: 10 });
    expect(none).toMatchObject({ members: [], chunk_index: 0, chunk_count: 1 });
  });

  it('needs the requester to be a member and validates limit and user_ids', async () => {
    const [stranger] = (await createUsers(h.client, 1)) as [string];
    expect(await rejection(drain({ guildId, userId: stranger }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(drain({ guildId, userId: owner, query: 'a', limit: 0 }))).toMatchObject({ field: 'limit' });
    expect(await rejection(drain({ guildId, userId: owner, query: '', limit: 101 }))).toMatchObject({ field: 'limit' });
    const tooMany = Array.from({ length: 101 }, (_, i) => String(2_000_000 + i));
    expect(await rejection(drain({ guildId, userId: owner, userIds: tooMany }))).toMatchObject({ field: 'user_ids' });
    expect(await rejection(drain({ guildId: '3', userId: owner }))).toMatchObject({ name: 'NotFoundError' });
  });
});
