// Gateway leases on the real Kafka broker, with the sessions in the real PostgreSQL: two fake
// gateways renew their leases and hold sessions; one stops renewing (as if killed: no goodbye) and
// within its TTL plus the sweep slack its sessions are offline — a user with a session on the other
// gateway stays online with only that platform. A goodbye (ttl 0) expires a gateway at once.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { presenceV1 } from '@switchboard/proto';
import { closeClient, createClient, KafkaEventLog, silentEventLogLogger } from '@switchboard/runtime';
import { requireDatabaseUrl, requireKafkaBrokers } from '../../../../test/support/backing-services';
import { RecordingPresenceSink } from '../owner/change-sink';
import { publishGatewayLease, publishSessionEvents, until } from '../owner/owner-test-support';
import { startEmbeddedPresence } from '../testing/embedded-presence';
import { openPostgresTestSchema } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import type { RunningPresence } from '../start';

const brokers = requireKafkaBrokers();
const databaseUrl = requireDatabaseUrl();
const RUN = randomBytes(4).toString('hex');
const SESSIONS_TOPIC = `sb-presence-sessions-${RUN}`;
const LEASES_TOPIC = `sb-presence-leases-${RUN}`;
const GROUP = `sb-presence-owners-${RUN}`;
const TTL_MS = 3_000;
const GW_A = `gw-a-${RUN}`;
const GW_B = `gw-b-${RUN}`;
const GW_C = `gw-c-${RUN}`;
const U = 910_001n;
const V = 910_002n;
const W = 910_003n;

describe(`gateway leases on the real Kafka broker (${brokers.join(',')}) and PostgreSQL`, () => {
  let db: TestPresenceDatabase;
  let presence: RunningPresence;
  const sink = new RecordingPresenceSink();
  const producer = new KafkaEventLog({ brokers, clientId: `presence-lease-test-${RUN}`, logger: silentEventLogLogger });
  const heartbeats = new Map<string, NodeJS.Timeout>();

  /** A fake gateway renewing its lease every TTL/6, as a live gateway does. */
  function heartbeat(gateway: string, ttlMs: number): void {
    const renew = () => void publishGatewayLease(producer, LEASES_TOPIC, gateway, ttlMs).catch(() => undefined);
    renew();
    heartbeats.set(gateway, setInterval(renew, TTL_MS / 6));
  }

  function kill(gateway: string): void {
    clearInterval(heartbeats.get(gateway));
    heartbeats.delete(gateway);
  }

  async function expiries(): Promise<number> {
    const metric = await presence.context.registry.getSingleMetric('presence_lease_expiries_total')!.get();
    return metric.values[0]?.value ?? 0;
  }

  beforeAll(async () => {
    db = await openPostgresTestSchema(databaseUrl);
    presence = await startEmbeddedPresence(
      {
        SWITCHBOARD_MODE: 'cluster',
        SWITCHBOARD_INSTANCE_ID: `presence-${RUN}`,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_CLIENT_ID: 'presence-lease-test',
        KAFKA_CONSUMER_SESSION_TIMEOUT: '6s',
        DATABASE_URL: db.url,
        PRESENCE_SESSIONS_TOPIC: SESSIONS_TOPIC,
        PRESENCE_LEASES_TOPIC: LEASES_TOPIC,
        PRESENCE_OWNER_GROUP: GROUP,
        PRESENCE_LEASE_TTL: `${TTL_MS}ms`,
        PRESENCE_LEASE_SWEEP_INTERVAL: '200ms',
      },
      { sink },
    );
    await until(() => presence.owner.ownedPartitions().length === 4, 'the owner to own every partition', 60_000);
  }, 90_000);

  afterAll(async () => {
    for (const gateway of [...heartbeats.keys()]) kill(gateway);
    await presence?.context.lifecycle.shutdown('test').catch(() => undefined);
    await producer.close().catch(() => undefined);
    await db.teardown();
    const admin = new Kafka({ brokers, clientId: 'presence-lease-test-cleanup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(RUN));
      await admin.deleteGroups(groups).catch(() => undefined);
      const mine = (await admin.listTopics()).filter((topic) => topic.includes(RUN));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
  });

  it('a gateway that stops renewing has its sessions taken offline; sessions elsewhere stay online', async () => {
    heartbeat(GW_A, TTL_MS);
    heartbeat(GW_B, TTL_MS);
    // The lease consumer starts at the end of the topic: wait until it hears the renewals.
    await until(() => presence.leases.isLive(GW_A) && presence.leases.isLive(GW_B), 'both leases to be heard', 60_000);
    await publishSessionEvents(producer, SESSIONS_TOPIC, [
      { kind: 'connected', userId: U, sessionId: 'u-desktop', gateway: GW_A, platform: 'desktop' },
      { kind: 'connected', userId: U, sessionId: 'u-mobile', gateway: GW_B, platform: 'mobile' },
      { kind: 'connected', userId: V, sessionId: 'v-desktop', gateway: GW_A, platform: 'desktop' },
    ]);
    await until(() => sink.last(U)?.clientStatus.mobile === 'online' && sink.last(V)?.status === 'online', 'U and V online', 30_000);
    expect(sink.last(U)!.clientStatus).toEqual({ desktop: 'online', mobile: 'online' });
    expect(await expiries()).toBe(0);

    kill(GW_A);
    await until(() => sink.last(V)?.status === 'offline', 'V offline after A\'s lease ran out', TTL_MS + 30_000);
    await until(() => sink.last(U)?.clientStatus.desktop === undefined, 'U\'s desktop gone', 10_000);
    expect(sink.last(U)).toEqual({ status: 'online', activities: [], clientStatus: { mobile: 'online' }, since: 0, afk: false });
    expect(presence.leases.isLive(GW_A)).toBe(false);
    expect(presence.leases.isLive(GW_B)).toBe(true);
    expect(await expiries()).toBe(1);

    const client = createClient(presenceV1.PresenceService, `127.0.0.1:${presence.grpcPort}`);
    try {
      const { presences } = await client.getPresences({ userIds: [U.toString(), V.toString()] });
      expect(presences.map((p) => [p.userId, p.status, p.clientStatus?.desktop, p.clientStatus?.mobile])).toEqual([
        [U.toString(), 'online', '', 'online'],
        [V.toString(), 'offline', '', ''],
      ]);
    } finally {
      closeClient(client);
    }

    // A comes back: its lease renews and its sessions' events are applied again.
    heartbeat(GW_A, TTL_MS);
    await until(() => presence.leases.isLive(GW_A), 'A\'s lease to be heard again', 30_000);
    await publishSessionEvents(producer, SESSIONS_TOPIC, [{ kind: 'connected', userId: V, sessionId: 'v-desktop-2', gateway: GW_A, platform: 'desktop' }]);
    await until(() => sink.last(V)?.status === 'online', 'V online again through A', 30_000);
  }, 120_000);

  it('a goodbye (ttl 0) takes the gateway\'s sessions offline without waiting for its TTL', async () => {
    const before = await expiries();
    // A TTL far longer than the wait below: only the goodbye can explain W going offline.
    heartbeat(GW_C, 10 * 60_000);
    await until(() => presence.leases.isLive(GW_C), 'C\'s lease to be heard', 30_000);
    await publishSessionEvents(producer, SESSIONS_TOPIC, [{ kind: 'connected', userId: W, sessionId: 'w-web', gateway: GW_C, platform: 'web' }]);
    await until(() => sink.last(W)?.status === 'online', 'W online', 30_000);

    kill(GW_C);
    await publishGatewayLease(producer, LEASES_TOPIC, GW_C, 0);
    await until(() => sink.last(W)?.status === 'offline', 'W offline after C\'s goodbye', 60_000);
    expect(await expiries()).toBe(before + 1);
    expect(sink.last(U)?.status).toBe('online');
  }, 120_000);
});
