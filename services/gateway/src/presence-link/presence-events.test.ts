// What the presence service is told about sessions, through a real gateway and real sockets:
// CONNECTED at READY (with IDENTIFY's presence and the client_status platform from its
// properties), UPDATED for each op 3 with a valid status, DISCONNECTED when the session ends — keyed by user id, in
// order, on the in-memory log and on the real Kafka broker.
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { KafkaEventLog, MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { ConsumedRecord, EventLog } from '@switchboard/runtime';
import { requireKafkaBrokers } from '../../../../test/support/backing-services';
import { GatewayIntent } from '../protocol';
import { startEmbeddedGateway, tokenFor } from '../testing/embedded-gateway';
import { TestGatewayClient } from '../transport/test-client';
import { PRESENCE_SESSIONS_TOPIC } from './presence-publisher';
import { waitFor } from '../../../../test/support/wait';

const Kind = presenceV1.SessionPresenceEvent_Kind;

const logs: [string, () => EventLog][] = [
  ['in-memory log', () => new MemoryEventLog({ logger: silentEventLogLogger })],
  ['real Kafka', () => new KafkaEventLog({
    brokers: requireKafkaBrokers(),
    clientId: 'presence-events-test',
    logger: silentEventLogLogger,
    consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100, joinTimeoutMs: 30_000 },
  })],
];

describe.each(logs)('gateway → presence session events (%s)', (_label, open) => {
  it('publishes connect, IDENTIFY presence, op 3 and end of a session, keyed by user, in order', async () => {
    const log = open();
    const gateway = await startEmbeddedGateway({}, { eventLog: log });
    const user = BigInt(Date.now()) << 22n;
    const records: ConsumedRecord[] = [];
    // A fresh group reading from the beginning, filtered by this run's unique user id (the topic
    // outlives runs). Starting "at the end" raced: the consumer resolves the latest offset after it
    // joins, and a CONNECTED produced before that was skipped.
    const subscription = await log.subscribe({
      groupId: `presence-events-${randomUUID()}`, topics: [PRESENCE_SESSIONS_TOPIC], fromBeginning: true,
      handler: (record) => void (record.key === user.toString() && records.push(record)),
    });
    try {
      const client = await TestGatewayClient.connect(gateway.edge.server.port);
      await client.next((p) => p.op === 10);
      client.send({ op: 2, d: {
        token: tokenFor(gateway, user), intents: GatewayIntent.GUILDS,
        properties: { os: 'android', browser: 'Discord Android', device: 'phone' },
        presence: { status: 'idle', since: 1_700_000_000_000, activities: [], afk: true },
      } });
      await client.dispatch('READY');
      client.send({ op: 3, d: { status: 'dnd', since: null, activities: [{ name: 'testing', type: 0 }], afk: false } });
      client.send({ op: 3, d: { status: 'busy', since: null, activities: [], afk: false } }); // not a status: not forwarded
      client.send({ op: 3, d: { status: 'idle', since: 1_700_000_000_123.7, activities: [], afk: false } });
      await waitFor(() => records.length >= 3);
      client.ws.close(1000);
      await client.closed;
      await waitFor(() => records.length >= 4);
      const events = records.map((r) => fromBinary(presenceV1.SessionPresenceEventSchema, r.value));
      // IDENTIFY's presence rides in CONNECTED (no flash of "online" for an idle client).
      expect(events.map((e) => [Kind[e.kind], e.status, e.platform])).toEqual([
        ['CONNECTED', 'idle', 'mobile'],
        ['UPDATED', 'dnd', 'mobile'],
        ['UPDATED', 'idle', 'mobile'],
        ['DISCONNECTED', '', 'mobile'],
      ]);
      expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
      expect(events[0]).toMatchObject({ since: 1_700_000_000_000n, afk: true, userId: user.toString(), gatewayInstanceId: gateway.context.instance.instanceId });
      expect(JSON.parse(events[1]!.activitiesJson)).toEqual([{ name: 'testing', type: 0 }]);
      expect(events[2]!.since).toBe(1_700_000_000_124n);
    } finally {
      await subscription.stop();
      await gateway.context.lifecycle.shutdown('test done');
      await log.close();
    }
  }, 60_000);
});
