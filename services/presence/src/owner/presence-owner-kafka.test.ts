// Presence ownership moving on the real Kafka broker, with the state in the real PostgreSQL: two
// presence instances in one owners' group share the users; one dies abruptly mid-stream (Kafka
// connections cut, no commit, no LeaveGroup); after the rebalance the survivor holds every user's
// correct state — GetPresences agrees, and its next change of each user is computed from all of
// that user's sessions, including those it never saw an event of.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { presenceV1 } from '@switchboard/proto';
import { closeClient, createClient, KafkaEventLog, partitionFor, silentEventLogLogger } from '@switchboard/runtime';
import { requireDatabaseUrl, requireKafkaBrokers } from '../../../../test/support/backing-services';
import { startEmbeddedPresence } from '../testing/embedded-presence';
import { openPostgresTestSchema } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import type { RunningPresence } from '../start';
import { RecordingPresenceSink } from './change-sink';
import { publishSessionEvents, until } from './owner-test-support';
import type { SessionEventInit } from './owner-test-support';

const brokers = requireKafkaBrokers();
const databaseUrl = requireDatabaseUrl();
const RUN = randomBytes(4).toString('hex');
const TOPIC = `sb-presence-sessions-${RUN}`;
const GROUP = `sb-presence-owners-${RUN}`;
const PARTITIONS = 4;
const USERS = Array.from({ length: 12 }, (_, i) => BigInt(900_000 + i));

interface Instance {
  presence: RunningPresence;
  sink: RecordingPresenceSink;
}

describe(`presence owners on the real Kafka broker (${brokers.join(',')}) and PostgreSQL`, () => {
  let db: TestPresenceDatabase;
  const instances: Instance[] = [];
  const producer = new KafkaEventLog({ brokers, clientId: `presence-test-producer-${RUN}`, logger: silentEventLogLogger });

  beforeAll(async () => {
    db = await openPostgresTestSchema(databaseUrl);
  });

  afterAll(async () => {
    for (const { presence } of instances) await presence.context.lifecycle.shutdown('test').catch(() => undefined);
    await producer.close().catch(() => undefined);
    await db.teardown();
    const admin = new Kafka({ brokers, clientId: 'presence-test-cleanup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.deleteGroups([GROUP]).catch(() => undefined);
      const mine = (await admin.listTopics()).filter((topic) => topic.includes(RUN));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
  });

  async function startInstance(name: string): Promise<Instance> {
    const sink = new RecordingPresenceSink();
    const presence = await startEmbeddedPresence(
      {
        SWITCHBOARD_MODE: 'cluster',
        SWITCHBOARD_INSTANCE_ID: `presence-${name}-${RUN}`,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_CLIENT_ID: `presence-test-${name}`,
        KAFKA_CONSUMER_SESSION_TIMEOUT: '6s',
        DATABASE_URL: db.url,
        PRESENCE_SESSIONS_TOPIC: TOPIC,
        PRESENCE_OWNER_GROUP: GROUP,
        PRESENCE_SESSIONS_PARTITIONS: String(PARTITIONS),
      },
      { sink },
    );
    const instance = { presence, sink };
    instances.push(instance);
    return instance;
  }

  const each = (make: (user: bigint) => SessionEventInit[]) => USERS.flatMap(make);

  /** Waits until the group's committed offsets reach the end of every partition. */
  async function untilAllCommitted(): Promise<void> {
    const admin = new Kafka({ brokers, clientId: 'presence-test-offsets', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await until(async () => {
        const ends = await admin.fetchTopicOffsets(TOPIC);
        const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        return ends.every((end) => committed!.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
      }, 'every offset to be committed', 60_000);
    } finally {
      await admin.disconnect();
    }
  }

  it('the survivor of a crashed owner holds every user\'s full state', async () => {
    const a = await startInstance('a');
    const b = await startInstance('b');
    const owned = (i: Instance) => i.presence.owner.ownedPartitions().length;
    await until(() => owned(a) > 0 && owned(b) > 0 && owned(a) + owned(b) === PARTITIONS, 'both owners to share the partitions', 60_000);
    const aPartitions = new Set(a.presence.owner.ownedPartitions());
    const movedUsers = USERS.filter((u) => aPartitions.has(partitionFor(u.toString(), PARTITIONS)));
    expect(movedUsers.length).toBeGreaterThan(0);
    const lastFromEither = (user: bigint) => (aPartitions.has(partitionFor(user.toString(), PARTITIONS)) ? a : b).sink.last(user);

    // Every user: desktop idle + mobile online, through both owners.
    await publishSessionEvents(producer, TOPIC, each((user) => [
      { kind: 'connected', userId: user, sessionId: `${user}-d`, gateway: 'gw-1', platform: 'desktop' },
      { kind: 'updated', userId: user, sessionId: `${user}-d`, gateway: 'gw-1', platform: 'desktop', status: 'idle', since: 42 },
      { kind: 'connected', userId: user, sessionId: `${user}-m`, gateway: 'gw-2', platform: 'mobile' },
    ]));
    await until(() => USERS.every((u) => lastFromEither(u)?.clientStatus.mobile === 'online'), 'every user online on two platforms', 60_000);
    for (const user of USERS) expect(lastFromEither(user)).toEqual({ status: 'online', activities: [], clientStatus: { desktop: 'idle', mobile: 'online' }, since: 0, afk: false });

    // The desktops go dnd, and those events are committed: after the crash no owner gets them
    // again, so the survivor can know the desktop sessions only from PostgreSQL.
    await publishSessionEvents(producer, TOPIC, each((user) => [
      { kind: 'updated', userId: user, sessionId: `${user}-d`, gateway: 'gw-1', platform: 'desktop', status: 'dnd' },
    ]));
    await until(() => USERS.every((u) => lastFromEither(u)?.clientStatus.desktop === 'dnd'), 'every desktop dnd', 60_000);
    await untilAllCommitted();

    // A dies while the phones' updates are in flight: no commit, no goodbye.
    const chess = [{ name: 'Chess', type: 0 }];
    const phones = each((user) => [{ kind: 'updated' as const, userId: user, sessionId: `${user}-m`, gateway: 'gw-2', platform: 'mobile', status: 'idle', activities: chess }]);
    await publishSessionEvents(producer, TOPIC, phones.slice(0, USERS.length / 2));
    await a.presence.eventLog.crash();
    await publishSessionEvents(producer, TOPIC, phones.slice(USERS.length / 2));
    await until(() => owned(b) === PARTITIONS, 'the survivor to own every partition', 90_000);

    // A may have committed some phone updates before it died (announced by A), the rest B
    // redelivers or gets fresh; without A's desktop sessions (only in PostgreSQL by now) B would
    // announce idle users with one platform.
    const latest = (user: bigint) => b.sink.last(user) ?? a.sink.last(user);
    const both = { status: 'dnd', activities: [], clientStatus: { desktop: 'dnd', mobile: 'idle' }, since: 0, afk: false };
    await until(() => USERS.every((u) => latest(u)?.clientStatus.mobile === 'idle'), 'every phone going idle to be announced', 60_000);
    for (const user of USERS) expect(latest(user)).toEqual(both);
    const client = createClient(presenceV1.PresenceService, `127.0.0.1:${b.presence.grpcPort}`);
    try {
      const response = await client.getPresences({ userIds: USERS.map(String) });
      expect(response.presences.map((p) => [p.userId, p.status, p.clientStatus?.desktop, p.clientStatus?.mobile])).toEqual(
        USERS.map((u) => [u.toString(), 'dnd', 'dnd', 'idle']),
      );
    } finally {
      closeClient(client);
    }

    // The phones go: the next change of every user is computed from the sessions that remain.
    await publishSessionEvents(producer, TOPIC, each((user) => [{ kind: 'disconnected', userId: user, sessionId: `${user}-m`, gateway: 'gw-2' }]));
    await until(() => USERS.every((u) => b.sink.last(u)?.clientStatus.mobile === undefined), 'B to announce every phone gone', 60_000);
    for (const user of USERS) {
      expect(b.sink.last(user)).toEqual({ status: 'dnd', activities: [], clientStatus: { desktop: 'dnd' }, since: 0, afk: false });
      expect(b.sink.of(user).at(-1)!.previous).toEqual(both);
    }
  }, 240_000);
});
