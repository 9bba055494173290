// The event log contract against a real Apache Kafka broker (deploy/local/kafka.sh, started by
// jest's global setup), plus what only the Kafka implementation has to show: interoperability
// with plain kafkajs clients and grouped produce requests.
//
// Failure simulation: "a member dies" is KafkaEventLog.crash(), which cuts the client's TCP
// connections (no LeaveGroup, no offset commit) exactly as a killed process would, so the broker
// notices only when the session timeout (6 s here) expires. "A consumer goes away" is
// Subscription.disconnect(), which abandons the in-flight record uncommitted and leaves the group.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { requireKafkaBrokers } from '../../../../test/support/backing-services';
import { defineEventLogContract, EventLogHarness } from './event-log.contract';
import { Recorder, RUN_ID, testLogger, text, uniqueName, until } from './event-log.contract-support';
import { KafkaEventLog } from './kafka-event-log';
import { partitionFor } from './partitioner';

const brokers = requireKafkaBrokers();

function testLog(): KafkaEventLog {
  return new KafkaEventLog({
    brokers,
    clientId: 'event-log-test',
    logger: testLogger,
    consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200, joinTimeoutMs: 30_000 },
  });
}

function kafkaHarness(): EventLogHarness {
  const clients: KafkaEventLog[] = [];
  return {
    async client() {
      const log = testLog();
      clients.push(log);
      return log;
    },
    async closeClients() {
      await Promise.all(clients.splice(0).map((log) => log.close()));
    },
  };
}

const where = `real broker at ${brokers.join(',')}`;

// The broker outlives test runs: delete this run's topics and groups so they do not pile up.
afterAll(async () => {
  const admin = new Kafka({ brokers, clientId: 'event-log-test-cleanup', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (name: string) => name.includes(`-${RUN_ID}-`);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(mine);
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await admin.listTopics()).filter(mine);
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
});

defineEventLogContract(`event log contract (kafka, ${where})`, kafkaHarness, { deathMs: 45_000, eventMs: 30_000 });

describe(`kafka event log (${where})`, () => {
  const harness = kafkaHarness();
  afterEach(() => harness.closeClients());

  it("agrees with plain kafkajs on partitions: its DefaultPartitioner's records are where partitionFor says", async () => {
    const log = await harness.client();
    const topic = uniqueName('interop');
    await log.ensureTopics([{ name: topic, partitions: 6 }]);
    const kafka = new Kafka({ brokers, clientId: 'event-log-test-plain', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const keys = Array.from({ length: 30 }, (_, i) => `guild-${1000 + i * 7919}`);
    try {
      await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: `plain:${key}` })) });
    } finally {
      await producer.disconnect();
    }
    await log.produce(topic, keys.map((key) => ({ key, value: text(`log:${key}`) })));

    const seen = new Recorder();
    await log.subscribe({ groupId: uniqueName('interop'), topics: [topic], handler: (r) => seen.add(r) });
    await until(() => seen.records.length === keys.length * 2, 'both producers\' records', 30_000);
    for (const record of seen.records) expect(record.partition).toBe(partitionFor(record.key, 6));
    for (const key of keys) expect(seen.valuesOf(key)).toEqual([`plain:${key}`, `log:${key}`]);
  });

  it('keeps the call order of concurrent produce calls and tells each caller its offset', async () => {
    const log = await harness.client();
    const topic = uniqueName('batch');
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    const calls = 200;
    const produced = await Promise.all(Array.from({ length: calls }, (_, i) => log.produce(topic, [{ key: 'k', value: text(`v${i}`) }])));
    const offsets = produced.map((p) => Number(p[0]?.offset));
    expect(offsets).toEqual(Array.from({ length: calls }, (_, i) => i));
  });
});
