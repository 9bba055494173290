// The presence service in-process (in-memory event log, PGlite): session events in, aggregated
// changes out, state in PostgreSQL, GetPresences over real gRPC, and a successor that rebuilds
// users from the database after the owner died.
import { closeClient, createClient, GrpcStatus, MemoryBroker, MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { Database, ServiceClient } from '@switchboard/runtime';
import { presenceV1 } from '@switchboard/proto';
import { startEmbeddedPresence } from '../testing/embedded-presence';
import { openPgliteTestDatabase } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import type { RunningPresence } from '../start';
import { RecordingPresenceSink } from './change-sink';
import { publishSessionEvents, until } from './owner-test-support';

const TOPIC = 'switchboard.presence.sessions';

/** A metric's value summed over its label sets. */
async function metric(service: RunningPresence, name: string): Promise<number> {
  const values = (await service.context.registry.getSingleMetric(name)!.get()).values;
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe('presence owner (in-memory log, PGlite)', () => {
  let db: TestPresenceDatabase;
  let log: MemoryEventLog;
  let sink: RecordingPresenceSink;
  let presence: RunningPresence;
  let client: ServiceClient<typeof presenceV1.PresenceService>;

  // One service for the whole suite (starting PGlite takes seconds); each case has its own users.
  beforeAll(async () => {
    db = await openPgliteTestDatabase();
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    sink = new RecordingPresenceSink();
    presence = await startEmbeddedPresence({}, { eventLog: log, database: db.database, sink });
    client = createClient(presenceV1.PresenceService, `127.0.0.1:${presence.grpcPort}`);
  });

  afterAll(async () => {
    closeClient(client);
    await presence.context.lifecycle.shutdown('test');
    await log.close();
    await db.teardown();
  });

  it('reports each change of the aggregated presence once, in order, and never an identical one', async () => {
    const user = 1001n;
    const inBefore = await metric(presence, 'presence_changes_in_total');
    const outBefore = await metric(presence, 'presence_changes_out_total');
    const onlineBefore = await metric(presence, 'presence_users_online');
    await publishSessionEvents(log, TOPIC, [
      { kind: 'connected', userId: user, sessionId: 'd', platform: 'desktop' },
      { kind: 'updated', userId: user, sessionId: 'd', platform: 'desktop', status: 'idle', since: 77 },
      { kind: 'connected', userId: user, sessionId: 'm', platform: 'mobile' },
      // The same presence again (a client repeating op 3): nothing to report.
      { kind: 'updated', userId: user, sessionId: 'm', platform: 'mobile', status: 'online' },
      { kind: 'disconnected', userId: user, sessionId: 'm' },
    ]);
    await until(() => sink.of(user).length >= 4, 'four changes');
    expect(sink.of(user).map((c) => [c.presence.status, c.presence.clientStatus])).toEqual([
      ['online', { desktop: 'online' }],
      ['idle', { desktop: 'idle' }],
      ['online', { desktop: 'idle', mobile: 'online' }],
      ['idle', { desktop: 'idle' }],
    ]);
    expect(sink.of(user)[3]!.previous?.status).toBe('online');
    expect(sink.of(user)[3]!.presence.since).toBe(77);
    expect(await metric(presence, 'presence_changes_in_total')).toBe(inBefore + 5);
    expect(await metric(presence, 'presence_changes_out_total')).toBe(outBefore + 4);
    expect(await metric(presence, 'presence_users_online')).toBe(onlineBefore + 1);
    // The last session goes: offline, and the user's rows are gone.
    await publishSessionEvents(log, TOPIC, [{ kind: 'disconnected', userId: user, sessionId: 'd' }]);
    await until(() => sink.of(user).length === 5, 'the offline change');
    expect(await metric(presence, 'presence_users_online')).toBe(onlineBefore);
    expect(sink.last(user)).toEqual({ status: 'offline', activities: [], clientStatus: {}, since: 0, afk: false });
    expect((await db.database.query('SELECT 1 FROM presence_sessions WHERE user_id = $1', [user])).rowCount).toBe(0);
    // The outbox keeps the offline change pending: this recording sink never confirms delivery
    // (the coalescer does, and a delivered offline row is deleted: store tests).
    expect((await db.database.query('SELECT status, pending FROM presence_announced WHERE user_id = $1', [user])).rows).toEqual([{ status: 'offline', pending: true }]);
  });

  it('answers GetPresences from the persisted sessions, one presence per requested id in request order', async () => {
    const [a, b, nobody] = [2001n, 2002n, 2003n];
    const playing = [{ name: 'Chess', type: 0, state: 'winning' }];
    await publishSessionEvents(log, TOPIC, [
      { kind: 'connected', userId: a, sessionId: 'a1', platform: 'desktop' },
      { kind: 'updated', userId: a, sessionId: 'a1', platform: 'desktop', status: 'idle', since: 5, afk: true },
      { kind: 'connected', userId: a, sessionId: 'a2', platform: 'mobile' },
      { kind: 'updated', userId: a, sessionId: 'a2', platform: 'mobile', status: 'online', activities: playing },
      { kind: 'connected', userId: b, sessionId: 'b1', platform: 'web' },
      { kind: 'updated', userId: b, sessionId: 'b1', platform: 'web', status: 'invisible' },
    ]);
    await until(() => sink.of(a).length >= 3 && sink.last(b)?.status === 'offline', 'a online with activities, b invisible');
    const response = await client.getPresences({ userIds: [b.toString(), a.toString(), nobody.toString(), a.toString()] });
    expect(response.presences.map((p) => p.userId)).toEqual([b, a, nobody, a].map(String));
    const [pb, pa, pn] = response.presences;
    expect(pa).toMatchObject({ status: 'online', clientStatus: { desktop: 'idle', mobile: 'online', web: '' }, since: 0n, afk: false });
    expect(JSON.parse(pa!.activitiesJson)).toEqual(playing);
    // Invisible shows as offline, like a user with no session at all.
    for (const p of [pb, pn]) expect(p).toMatchObject({ status: 'offline', activitiesJson: '[]', clientStatus: { desktop: '', mobile: '', web: '' } });
  });

  it('rejects more than 10,000 ids, and names a malformed one', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => String(i + 1));
    await expect(client.getPresences({ userIds: many })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, field: 'user_ids' });
    await expect(client.getPresences({ userIds: ['1', 'nope'] })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, field: 'user_ids[1]' });
    const max = await client.getPresences({ userIds: many.slice(0, 10_000) });
    expect(max.presences).toHaveLength(10_000);
  });

  it('ignores an update or disconnect from the gateway a session resumed away from', async () => {
    const user = 3001n;
    await publishSessionEvents(log, TOPIC, [
      { kind: 'connected', userId: user, sessionId: 's', gateway: 'gw-a', platform: 'desktop' },
      { kind: 'connected', userId: user, sessionId: 's', gateway: 'gw-b', platform: 'desktop', status: 'online' },
      { kind: 'updated', userId: user, sessionId: 's', gateway: 'gw-a', platform: 'desktop', status: 'idle' },
      { kind: 'disconnected', userId: user, sessionId: 's', gateway: 'gw-a' },
      { kind: 'updated', userId: user, sessionId: 's', gateway: 'gw-b', platform: 'desktop', status: 'dnd' },
    ]);
    await until(() => sink.last(user)?.status === 'dnd', 'the update from the gateway holding the session');
    expect(sink.of(user).map((c) => c.presence.status)).toEqual(['online', 'dnd']);
    const rows = await db.database.query<{ gateway_instance_id: string }>('SELECT gateway_instance_id FROM presence_sessions WHERE user_id = $1', [user]);
    expect(rows.rows).toEqual([{ gateway_instance_id: 'gw-b' }]);
  });

  it('dead-letters a poison record and goes on with the partition', async () => {
    const user = 4001n;
    await log.produce(TOPIC, [{ key: user.toString(), value: Buffer.from('not a protobuf \xff\xff') }]);
    await publishSessionEvents(log, TOPIC, [
      { kind: 'updated', userId: user, sessionId: 'x', platform: 'desktop', status: 'sleeping' },
      { kind: 'connected', userId: user, sessionId: 'x', platform: 'desktop' },
    ]);
    await until(() => sink.last(user)?.status === 'online', 'the valid event after the poison ones');
    const dead = await presence.context.registry.getSingleMetricAsString('presence_events_dead_lettered_total');
    expect(dead).toMatch(/presence_events_dead_lettered_total\{[^}]*\} 2$/m);
    const dlq: string[] = [];
    const sub = await log.subscribe({ groupId: 'dlq-reader', topics: [`${TOPIC}.dlq`], handler: (r) => void dlq.push(r.key) });
    await until(() => dlq.length === 2, 'two dead letters');
    await sub.stop();
  });

  it('writes the session row even while the sink refuses the change, and retries the record until the sink takes it', async () => {
    const user = 5001n;
    sink.failure = new Error('sink down');
    await publishSessionEvents(log, TOPIC, [{ kind: 'connected', userId: user, sessionId: 's' }]);
    await until(async () => (await db.database.query('SELECT 1 FROM presence_sessions WHERE user_id = $1', [user])).rowCount === 1, 'the session row');
    expect(sink.of(user)).toHaveLength(0);
    sink.failure = undefined;
    await until(() => sink.of(user).length === 1, 'the change after the sink recovered');
    expect(sink.last(user)?.status).toBe('online');
  });
});

describe('presence owner failover (in-memory log, shared PGlite)', () => {
  it('a successor rebuilds users from PostgreSQL and computes the next change from every session', async () => {
    const db = await openPgliteTestDatabase();
    const broker = new MemoryBroker();
    const logA = new MemoryEventLog({ broker, logger: silentEventLogLogger });
    const logB = new MemoryEventLog({ broker, logger: silentEventLogLogger });
    const sinkA = new RecordingPresenceSink();
    const sinkB = new RecordingPresenceSink();
    const env = { PRESENCE_SESSIONS_PARTITIONS: '1' };
    const a = await startEmbeddedPresence(env, { eventLog: logA, database: db.database, sink: sinkA });
    const user = 6001n;
    try {
      await publishSessionEvents(logA, TOPIC, [
        { kind: 'connected', userId: user, sessionId: 'd', platform: 'desktop' },
        { kind: 'updated', userId: user, sessionId: 'd', platform: 'desktop', status: 'idle' },
        { kind: 'connected', userId: user, sessionId: 'm', platform: 'mobile' },
      ]);
      await until(() => sinkA.last(user)?.status === 'online' && sinkA.of(user).length === 3, 'A to aggregate the user');
      const b = await startEmbeddedPresence(env, { eventLog: logB, database: db.database, sink: sinkB });
      try {
        await logA.crash();
        await until(() => b.owner.ownedPartitions().length === 1, 'B to own the partition');
        // B never saw the desktop session's events: its next change must still include it.
        await publishSessionEvents(logB, TOPIC, [{ kind: 'disconnected', userId: user, sessionId: 'm' }]);
        await until(() => sinkB.of(user).length === 2, 'B to report the change');
        // First what A's sink never confirmed (the outbox, published again on assignment), then
        // the change, computed against every session.
        expect(sinkB.of(user)[0]).toMatchObject({ previous: undefined, presence: { status: 'online', clientStatus: { desktop: 'idle', mobile: 'online' } } });
        expect(sinkB.of(user)[1]).toMatchObject({
          previous: { status: 'online', clientStatus: { desktop: 'idle', mobile: 'online' } },
          presence: { status: 'idle', clientStatus: { desktop: 'idle' } },
        });
        expect(b.owner.presenceOf(user)).toEqual(sinkB.last(user));
      } finally {
        await b.context.lifecycle.shutdown('test');
      }
    } finally {
      await a.context.lifecycle.shutdown('test');
      await logB.close();
      await db.teardown();
    }
  });
});
