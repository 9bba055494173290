// Presences in GUILD_CREATE (GetUserGuilds) and in member chunks (RequestGuildMembers with
// presences: true), read from a real presence service started in-process (embedded: in-memory
// event log, PGlite) to which the tests produce session presence events as a gateway does.
import * as net from 'node:net';
import { MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { publishSessionEvents, until } from '../../../presence/src/owner/owner-test-support';
import type { SessionEventInit } from '../../../presence/src/owner/owner-test-support';
import { startEmbeddedPresence } from '../../../presence/src/testing/embedded-presence';
import type { RunningPresence } from '../../../presence/src/start';
import { GrpcPresenceReader } from '../presence-reader';
import type { PresencePayload, PresenceReader } from '../presence-reader';
import { createGuildWith, createUsers, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

const SESSIONS = 'switchboard.presence.sessions';

/** Counts the reads going through, to prove how many calls a payload costs. */
class CountingReader implements PresenceReader {
  readonly calls: bigint[][] = [];
  constructor(private readonly inner: PresenceReader) {}
  presencesOf(userIds: readonly bigint[], signal?: AbortSignal): Promise<Map<bigint, PresencePayload>> {
    this.calls.push([...userIds]);
    return this.inner.presencesOf(userIds, signal);
  }
}

/** A loopback port nothing listens on (a presence service that is down). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function seedMembers(db: Database, guildId: string, from: bigint, count: number): Promise<void> {
  await db.query(`INSERT INTO users (id, username) SELECT n, 'seeded' || n FROM generate_series($1::bigint, $1::bigint + $2 - 1) AS n`, [from, count]);
  await db.query('INSERT INTO members (guild_id, user_id) SELECT $1, n FROM generate_series($2::bigint, $2::bigint + $3 - 1) AS n', [BigInt(guildId), from, count]);
}

const online = (id: string, platform: 'desktop' | 'mobile' | 'web' = 'desktop') => ({ user: { id }, status: 'online', activities: [], client_status: { [platform]: 'online' } });

describe('guild api – presences from the presence service', () => {
  let log: MemoryEventLog;
  let presence: RunningPresence;
  let grpcReader: GrpcPresenceReader;
  let reader: CountingReader;
  let h: ApiHarness;
  // desktop: online on desktop; mobile: idle on mobile, playing; offline: no session; hidden: invisible.
  let desktop: string, mobile: string, offline: string, hidden: string;
  const game = { name: 'Chess', type: 0 };

  const visible = async (ids: string[]) => (await grpcReader.presencesOf(ids.map(BigInt))).size === ids.length;
  const publish = (events: SessionEventInit[]) => publishSessionEvents(log, SESSIONS, events);

  beforeAll(async () => {
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    // No gateway renews a lease here: a TTL longer than the tests keeps the sessions alive.
    presence = await startEmbeddedPresence({ PRESENCE_LEASE_TTL: '10m' }, { eventLog: log });
    grpcReader = new GrpcPresenceReader(`127.0.0.1:${presence.grpcPort}`);
    reader = new CountingReader(grpcReader);
    h = await startApi({ presences: reader });
    [desktop, mobile, offline, hidden] = (await createUsers(h.client, 4, 'p')) as [string, string, string, string];
    await publish([
      { kind: 'connected', userId: BigInt(desktop), sessionId: 'd1', platform: 'desktop' },
      { kind: 'connected', userId: BigInt(mobile), sessionId: 'm1', platform: 'mobile', status: 'idle', since: 1_700_000_000_000, activities: [game] },
      // Online first, so the test can wait for the owner to have seen the user before hiding them.
      { kind: 'connected', userId: BigInt(hidden), sessionId: 'h1', platform: 'web' },
    ]);
    await until(() => visible([desktop, mobile, hidden]), 'the presence owner to apply the sessions');
    await publish([{ kind: 'updated', userId: BigInt(hidden), sessionId: 'h1', platform: 'web', status: 'invisible' }]);
    await until(async () => (await grpcReader.presencesOf([BigInt(hidden)])).size === 0, 'the invisible user to read as offline');
  });

  afterAll(async () => {
    await h?.stop();
    grpcReader?.close();
    await presence?.context.lifecycle.shutdown('test');
    await log?.close();
  });

  it('GUILD_CREATE lists the presences of its members who are not offline, with only the platforms they use', async () => {
    const { guildId } = await createGuildWith(h, desktop, [mobile, offline, hidden]);
    const [guild] = (await h.client.getUserGuilds({ userId: offline })).guilds;
    const payload = JSON.parse(guild!.payloadJson);
    expect(payload.id).toBe(guildId);
    expect(payload.members.map((m: any) => m.user.id)).toEqual([desktop, mobile, offline, hidden]);
    expect(payload.presences).toEqual([
      online(desktop),
      { user: { id: mobile }, status: 'idle', activities: [game], client_status: { mobile: 'idle' } },
    ]);
  });

  it('the GUILD_CREATE sent on joining (AddMember) and on creating a guild lists the presences too, read before the write\'s lock', async () => {
    const { guildId } = await createGuildWith(h, offline, [desktop, hidden]);
    h.publisher.take();
    await h.client.addMember({ guildId, user: { id: mobile } });
    const joined = h.publisher.take().find((e) => e.type === 'GUILD_CREATE' && e.scope === `u:${mobile}`)!;
    expect(joined.payload.presences).toEqual([
      online(desktop),
      { user: { id: mobile }, status: 'idle', activities: [game], client_status: { mobile: 'idle' } },
    ]);
    await h.client.createGuild({ name: 'mine', ownerId: desktop });
    const created = h.publisher.take().find((e) => e.type === 'GUILD_CREATE' && e.scope === `u:${desktop}`)!;
    expect(created.payload.presences).toEqual([online(desktop)]);
  });

  it('GUILD_CREATEs of many guilds cost one presence read of their members, each user once', async () => {
    const first = await createGuildWith(h, desktop, [mobile, offline]);
    const second = await createGuildWith(h, mobile, [desktop, hidden]);
    const [solo] = (await createUsers(h.client, 1, 'solo')) as [string];
    for (const { guildId } of [first, second]) await h.client.addMember({ guildId, user: { id: solo } });
    reader.calls.length = 0;

    const { guilds } = await h.client.getUserGuilds({ userId: solo });
    expect(reader.calls).toHaveLength(1);
    expect(reader.calls[0]!.map(String).sort()).toEqual([desktop, mobile, offline, hidden, solo].sort());
    const presences = new Map(guilds.map((g) => [g.guildId, JSON.parse(g.payloadJson).presences]));
    expect(presences.get(first.guildId).map((p: any) => p.user.id)).toEqual([desktop, mobile]);
    expect(presences.get(second.guildId).map((p: any) => p.user.id)).toEqual([desktop, mobile]);
  });

  it('a large GUILD_CREATE lists only the user’s own member, so only their own presence', async () => {
    const { guildId } = await createGuildWith(h, mobile, [desktop]);
    await seedMembers(h.database, guildId, 7_000_000n, 60);
    const [guild] = (await h.client.getUserGuilds({ userId: desktop, largeThreshold: 50 })).guilds.filter((g) => g.guildId === guildId);
    const payload = JSON.parse(guild!.payloadJson);
    expect(payload).toMatchObject({ large: true, member_count: 62 });
    expect(payload.presences).toEqual([online(desktop)]);
  });

  it('a read of more than 10,000 users is split into calls the presence service accepts', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => 8_000_000n + BigInt(i));
    const read = await grpcReader.presencesOf([...many, BigInt(desktop)]);
    expect([...read.keys()]).toEqual([BigInt(desktop)]);
  });

  describe('REQUEST_GUILD_MEMBERS', () => {
    let guildId: string;
    const seeded = (n: number) => (7_100_000n + BigInt(n)).toString();
    const drain = async (request: Parameters<ApiHarness['client']['requestGuildMembers']>[0]) => {
      const chunks: any[] = [];
      for await (const chunk of h.client.requestGuildMembers(request)) chunks.push(JSON.parse(chunk.chunkJson));
      return chunks;
    };

    beforeAll(async () => {
      ({ guildId } = await createGuildWith(h, desktop, [mobile, offline, hidden]));
      // 1,500 more members: two chunks; one seeded member online in each.
      await seedMembers(h.database, guildId, 7_100_000n, 1500);
      await publish([
        { kind: 'connected', userId: BigInt(seeded(10)), sessionId: 's10', platform: 'web' },
        { kind: 'connected', userId: BigInt(seeded(1200)), sessionId: 's1200', platform: 'mobile' },
      ]);
      await until(() => visible([seeded(10), seeded(1200)]), 'the seeded members online');
    });

    it('with presences: true, each chunk carries its own members’ presences, read once per chunk', async () => {
      reader.calls.length = 0;
      const chunks = await drain({ guildId, userId: desktop, presences: true });
      expect(chunks.map((c) => c.members.length)).toEqual([1000, 504]);
      expect(reader.calls.map((ids) => ids.length)).toEqual([1000, 504]);
      expect(chunks[0].presences).toEqual([
        online(desktop),
        { user: { id: mobile }, status: 'idle', activities: [game], client_status: { mobile: 'idle' } },
        online(seeded(10), 'web'),
      ]);
      expect(chunks[1].presences).toEqual([online(seeded(1200), 'mobile')]);
    });

    it('by user_ids, the presences of the members found who are online', async () => {
      const [chunk] = await drain({ guildId, userId: desktop, userIds: [offline, mobile, hidden, '42'], presences: true });
      expect(chunk.not_found).toEqual(['42']);
      expect(chunk.presences.map((p: any) => p.user.id)).toEqual([mobile]);
    });

    it('with presences: false, no presences field and no presence read', async () => {
      reader.calls.length = 0;
      const [chunk] = await drain({ guildId, userId: desktop, userIds: [desktop, mobile] });
      expect(chunk.members).toHaveLength(2);
      expect(chunk.presences).toBeUndefined();
      expect(reader.calls).toEqual([]);
    });
  });

  describe('with the presence service down', () => {
    let down: ApiHarness;
    let deadReader: GrpcPresenceReader;
    let counting: CountingReader;

    beforeAll(async () => {
      deadReader = new GrpcPresenceReader(`127.0.0.1:${await closedPort()}`, { timeoutMs: 2_000 });
      counting = new CountingReader(deadReader);
      down = await startApi({ presences: counting });
    });
    afterAll(async () => {
      await down?.stop();
      deadReader?.close();
    });

    it('GUILD_CREATE is still answered, with empty presences', async () => {
      const [owner, member] = (await createUsers(down.client, 2, 'down')) as [string, string];
      const { guildId } = await createGuildWith(down, owner, [member]);
      await expect(deadReader.presencesOf([BigInt(owner)])).rejects.toThrow();
      const { guilds } = await down.client.getUserGuilds({ userId: member });
      expect(guilds.map((g) => g.guildId)).toEqual([guildId]);
      const payload = JSON.parse(guilds[0]!.payloadJson);
      expect(payload.members).toHaveLength(2);
      expect(payload.presences).toEqual([]);
    });

    it('member chunks still go out, with empty presences, and only the first one tries the read', async () => {
      const [owner, member] = (await createUsers(down.client, 2, 'down')) as [string, string];
      const { guildId } = await createGuildWith(down, owner, [member]);
      await seedMembers(down.database, guildId, 7_200_000n, 1100);
      counting.calls.length = 0;
      const chunks: any[] = [];
      for await (const chunk of down.client.requestGuildMembers({ guildId, userId: owner, presences: true })) chunks.push(JSON.parse(chunk.chunkJson));
      expect(chunks.map((c) => c.members.length)).toEqual([1000, 102]);
      expect(chunks[0].members.slice(0, 2).map((m: any) => m.user.id)).toEqual([owner, member]);
      expect(chunks.map((c) => c.presences)).toEqual([[], []]);
      expect(counting.calls).toHaveLength(1);
    });
  });
});
