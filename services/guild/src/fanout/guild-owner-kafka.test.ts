// Ownership moving between guild instances on the real Kafka broker: two owners in one consumer
// group, one dies abruptly (its Kafka connections cut, its gRPC server gone); the survivor takes
// its partitions over after the session timeout and redelivers from the committed offsets, so a
// gateway streaming from both sees every event at least once, and in order per scope once it
// drops what it already applied (offset <= the highest applied of its partition).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { guildV1 } from '@switchboard/proto';
import { KafkaEventLog, Registry, silentEventLogLogger, SnowflakeGenerator } from '@switchboard/runtime';
import { requireKafkaBrokers } from '../../../../test/support/backing-services';
import { EventLogGuildEventPublisher, guildEvent, guildScope } from '../events';
import type { GuildEvent } from '../events';
import { createFanout } from './index';
import type { Fanout } from './index';
import { FakeGateway, FakeLoader, FakeScopeState, recordingLogger, startFanoutServer, until } from './fanout-test-support';
import type { FanoutServer } from './fanout-test-support';

const brokers = requireKafkaBrokers();
const RUN = randomBytes(4).toString('hex');
const TOPIC = `sb-fanout-events-${RUN}`;
const PUSH_TOPIC = `sb-fanout-push-${RUN}`;
const GROUP = `sb-fanout-owners-${RUN}`;
const PARTITIONS = 4;
const GUILDS = Array.from({ length: 8 }, (_, i) => BigInt(5000 + i));
const USER = 1n;

function kafkaLog(clientId: string): KafkaEventLog {
  return new KafkaEventLog({
    brokers,
    clientId,
    logger: silentEventLogLogger,
    consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200, joinTimeoutMs: 30_000 },
  });
}

interface Instance {
  log: KafkaEventLog;
  fanout: Fanout;
  server: FanoutServer;
}

async function startInstance(name: string): Promise<Instance> {
  const log = kafkaLog(`fanout-test-${name}`);
  const states = new Map(GUILDS.map((g) => [g, new FakeScopeState({ members: [USER] })]));
  const fanout = createFanout({
    eventLog: log, loader: new FakeLoader(states), registry: new Registry(), logger: recordingLogger().logger,
    topic: TOPIC, pushTopic: PUSH_TOPIC, groupId: GROUP, partitions: PARTITIONS, ackTimeoutMs: 10_000,
  });
  const server = await startFanoutServer(fanout.handler);
  return { log, fanout, server };
}

describe(`fanout – ownership moves on the real Kafka broker (${brokers.join(',')})`, () => {
  const logs: KafkaEventLog[] = [];
  const gateways: FakeGateway[] = [];

  afterAll(async () => {
    for (const gw of gateways) gw.close();
    await Promise.all(logs.map((log) => log.close().catch(() => undefined)));
    const admin = new Kafka({ brokers, clientId: 'fanout-test-cleanup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.deleteGroups([GROUP]).catch(() => undefined);
      const mine = (await admin.listTopics()).filter((topic) => topic.includes(RUN));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
  });

  it('the survivor of a crashed owner fans out every event at least once, in order per scope', async () => {
    const producerLog = kafkaLog('fanout-test-producer');
    logs.push(producerLog);
    await producerLog.ensureTopics([{ name: TOPIC, partitions: PARTITIONS, deadLetter: true }, { name: PUSH_TOPIC, partitions: PARTITIONS }]);
    const publisher = new EventLogGuildEventPublisher(producerLog, TOPIC);
    const ids = new SnowflakeGenerator({ workerId: 2, processId: 2 });

    const a = await startInstance('a');
    const b = await startInstance('b');
    logs.push(a.log, b.log);
    // The gateway opens one stream to each instance and holds USER in every guild on both.
    const arrivals: guildV1.FanoutEvent[] = [];
    for (const instance of [a, b]) {
      const gw = new FakeGateway(instance.server.address, 'gw-kafka');
      gateways.push(gw);
      gw.onEvent = (event) => arrivals.push(event);
      gw.hello();
      await gw.interest(GUILDS.map((g) => [guildScope(g), USER]));
    }
    await Promise.all([a.fanout.start(), b.fanout.start()]);
    const owned = (i: Instance) => i.fanout.owner?.ownedPartitions().length ?? 0;
    await until(() => owned(a) > 0 && owned(b) > 0 && owned(a) + owned(b) === PARTITIONS, 'both owners to share the partitions', 60_000);

    const published: GuildEvent[] = [];
    const publishRound = async (round: number) => {
      const events = GUILDS.flatMap((g) =>
        [0, 1, 2].map((i) => guildEvent({ scope: guildScope(g), type: 'TEST_EVENT', payload: { round, i } }, ids)),
      );
      await publisher.publish(events);
      published.push(...events);
    };
    const received = () => new Set(arrivals.map((e) => e.eventId));
    await publishRound(1);
    await until(() => published.every((e) => received().has(e.eventId)), 'round 1 to reach the gateway', 60_000);

    const aOwned = a.fanout.owner!.ownedPartitions();
    // A dies: no LeaveGroup, no commit; its gRPC server goes with it.
    await a.log.crash();
    a.server.stop();
    await publishRound(2);
    await publishRound(3);
    await until(() => owned(b) === PARTITIONS, 'the survivor to own every partition', 90_000);
    await until(() => published.every((e) => received().has(e.eventId)), 'every event to reach the gateway', 60_000);

    // B really took A's partitions over: it streamed events of them after the crash.
    const fromB = gateways[1]!.events;
    expect(aOwned.some((p) => fromB.some((e) => e.partition === p))).toBe(true);

    // The gateway's dedupe: apply an event only past the highest offset applied in its partition.
    const highest = new Map<number, bigint>();
    const applied = new Map<string, string[]>();
    for (const event of arrivals) {
      const offset = BigInt(event.offset);
      if (offset <= (highest.get(event.partition) ?? -1n)) continue;
      highest.set(event.partition, offset);
      const list = applied.get(event.scope!.id) ?? [];
      list.push(event.eventId);
      applied.set(event.scope!.id, list);
    }
    for (const g of GUILDS) {
      const expected = published.filter((e) => e.scope!.id === g.toString()).map((e) => e.eventId);
      expect(applied.get(g.toString())).toEqual(expected);
    }
    await b.fanout.stop();
    b.server.stop();
    a.fanout.service.closeAll();
  }, 240_000);
});
