// The write path on the real PostgreSQL (jest's global setup brings it up), in a fresh schema per
// run that is dropped afterwards: the advisory lock serializing writes to one guild, rollback on a
// failed publish, and the node-postgres round trip of every column type the API uses.
import { randomBytes } from 'node:crypto';
import { loadMigrations, MemoryEventLog, migrate, openDatabase } from '@switchboard/runtime';
import type { ConsumedRecord, Database, ProducedRecord } from '@switchboard/runtime';
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import { decodeGuildEvent, EventLogGuildEventPublisher, GUILD_EVENTS_TOPIC, guildTopicSpecs } from '../events';
import type { GuildEvent, GuildEventPublisher } from '../events';
import { GUILD_MIGRATIONS_DIR } from '../start';
import { createGuildWith, createUsers, decode, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

/** A publisher whose calls can be held open, to keep a write's transaction (and lock) alive. */
class GatedPublisher implements GuildEventPublisher {
  readonly published: GuildEvent[] = [];
  readonly calls: GuildEvent[][] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  failure: Error | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  async publish(events: readonly GuildEvent[]): Promise<ProducedRecord[]> {
    this.calls.push([...events]);
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    this.published.push(...events);
    return events.map(() => ({ topic: GUILD_EVENTS_TOPIC, partition: 0, offset: '0' }));
  }
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('guild api – write path on PostgreSQL', () => {
  const schema = `test_guild_api_${randomBytes(6).toString('hex')}`;
  let admin: Database;
  let database: Database;
  let h: ApiHarness;
  const gated = new GatedPublisher();

  beforeAll(async () => {
    const url = requireDatabaseUrl();
    admin = await openDatabase({ url, poolSize: 2 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    database = await openDatabase({ url, searchPath: schema, poolSize: 6 });
    await migrate(database, await loadMigrations(GUILD_MIGRATIONS_DIR), { table: 'guild_schema_migrations' });
    h = await startApi({ database, publisher: gated });
  });
  afterAll(async () => {
    gated.release();
    await h?.stop();
    await database?.close();
    await admin?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.close();
  });

  /** Sessions waiting for the advisory lock of this guild (a bigint key: classid high, objid low 32 bits). */
  const waitingForLock = async (guildId: string) =>
    (
      await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = $1`,
        [BigInt(guildId)],
      )
    ).rows[0]!.n;

  it('two concurrent writes to one guild are serialized by the advisory lock; another guild is not held up', async () => {
    const [owner] = (await createUsers(h.client, 1)) as [string];
    const { guildId } = await createGuildWith(h, owner);
    const { guildId: otherGuild } = await createGuildWith(h, owner);
    const callsBefore = gated.calls.length;

    gated.hold();
    const first = h.client.updateGuild({ guildId, name: 'first' });
    await until('the first write to publish', () => gated.calls.length === callsBefore + 1);
    const second = h.client.updateGuild({ guildId, name: 'second' });
    await until('the second write to wait for the lock', async () => (await waitingForLock(guildId)) === 1);
    // The second write is blocked before its checks, so it has not published.
    expect(gated.calls.length).toBe(callsBefore + 1);
    // A write to another guild takes another lock and reaches its publish meanwhile.
    const other = h.client.updateGuild({ guildId: otherGuild, name: 'other' });
    await until('the other guild’s write to publish', () => gated.calls.length === callsBefore + 2);

    gated.release();
    const [a, b] = await Promise.all([first, second, other]);
    const names = gated.published.filter((e) => e.type === 'GUILD_UPDATE' && e.scope!.id === guildId).map((e) => JSON.parse(e.payloadJson).name);
    expect(names).toEqual(['first', 'second']);
    expect(BigInt(b!.eventId)).toBeGreaterThan(BigInt(a!.eventId));
    expect((await h.client.getGuild({ guildId })).guild?.name).toBe('second');
  });

  it('two concurrent CreateDmChannel calls for one pair make one DM', async () => {
    const [a, b] = (await createUsers(h.client, 2)) as [string, string];
    const [x, y] = await Promise.all([h.client.createDmChannel({ recipientIds: [a, b] }), h.client.createDmChannel({ recipientIds: [b, a] })]);
    expect(x.channel!.id).toBe(y.channel!.id);
    expect([x.eventId, y.eventId].filter((id) => id === '')).toHaveLength(1);
    const { rows } = await database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM channel_recipients r JOIN channels c ON c.id = r.channel_id WHERE c.type = 1 AND r.user_id = $1',
      [BigInt(a)],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('a publish that fails rolls the transaction back', async () => {
    const [owner, member] = (await createUsers(h.client, 2)) as [string, string];
    const { guildId, generalId } = await createGuildWith(h, owner);
    gated.failure = new Error('no ack');
    try {
      expect(await rejection(h.client.addMember({ guildId, user: { id: member } }))).toMatchObject({ name: 'UnavailableError' });
      expect(await rejection(h.client.deleteChannel({ channelId: generalId }))).toMatchObject({ name: 'UnavailableError' });
      expect(await rejection(h.client.createRole({ guildId, name: 'r' }))).toMatchObject({ name: 'UnavailableError' });
    } finally {
      gated.failure = undefined;
    }
    const counts = await database.query<{ members: number; channels: number; roles: number }>(
      `SELECT (SELECT count(*)::int FROM members WHERE guild_id = $1) AS members,
              (SELECT count(*)::int FROM channels WHERE guild_id = $1) AS channels,
              (SELECT count(*)::int FROM roles WHERE guild_id = $1) AS roles`,
      [BigInt(guildId)],
    );
    expect(counts.rows[0]).toEqual({ members: 1, channels: 1, roles: 1 });
    expect(await waitingForLock(guildId)).toBe(0);
  });

  it('round-trips snowflakes, permission bitsets past 2^53, role arrays and timestamps through node-postgres', async () => {
    const [owner, member] = (await createUsers(h.client, 2)) as [string, string];
    const high = ((1n << 40n) | (1n << 52n) | 1n).toString();
    const { guildId } = await createGuildWith(h, owner);
    const { role } = await h.client.createRole({ guildId, name: 'High', permissions: high });
    await h.client.addMember({ guildId, user: { id: member }, roleIds: [role!.id] });
    const { guilds } = await h.client.getUserGuilds({ userId: member });
    const payload = JSON.parse(guilds.find((g) => g.guildId === guildId)!.payloadJson);
    expect(payload.roles.find((r: any) => r.id === role!.id).permissions).toBe(high);
    const self = payload.members.find((m: any) => m.user.id === member);
    expect(self.roles).toEqual([role!.id]);
    expect(new Date(self.joined_at).toISOString()).toBe(self.joined_at);
    const chunks: any[] = [];
    for await (const streamed of h.client.requestGuildMembers({ guildId, userId: member, query: 'USER', limit: 10 })) chunks.push(JSON.parse(streamed.chunkJson));
    const [chunk] = chunks;
    expect(chunk.members).toHaveLength(2);
  });
});

describe('guild api – publishing to an event log', () => {
  it('records land on the guild events topic keyed by their scope and decode back', async () => {
    const log = new MemoryEventLog();
    await log.ensureTopics(guildTopicSpecs(4));
    const h = await startApi({ publisher: new EventLogGuildEventPublisher(log) });
    const received: ConsumedRecord[] = [];
    const subscription = await log.subscribe({ groupId: 'test', topics: [GUILD_EVENTS_TOPIC], handler: (record) => void received.push(record) });
    try {
      const [owner, member] = (await createUsers(h.client, 2)) as [string, string];
      const { guild } = await h.client.createGuild({ name: 'Logged', ownerId: owner });
      await h.client.addMember({ guildId: guild!.id, user: { id: member } });
      await until('three records', () => received.length >= 3);
      const events = received.map((r) => ({ key: r.key, ...decode(decodeGuildEvent(r.value)) }));
      expect(events.map((e) => [e.key, e.type])).toEqual(
        expect.arrayContaining([
          [`u:${owner}`, 'GUILD_CREATE'],
          [`g:${guild!.id}`, 'GUILD_MEMBER_ADD'],
          [`u:${member}`, 'GUILD_CREATE'],
        ]),
      );
      expect(received.every((r) => r.key === decode(decodeGuildEvent(r.value)).scope)).toBe(true);
    } finally {
      await subscription.stop();
      await h.stop();
      await log.close();
    }
  });
});
