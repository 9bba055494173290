// One trace across process boundaries: a gRPC call's context reaches the server handler through
// metadata, the handler produces to the event log, and the consumer's handler runs in the same
// trace, read back from the record headers. Against the in-memory log and the real Kafka broker.
import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { guildV1 } from '@switchboard/proto';
import {
  closeClient,
  createClient,
  createGrpcServer,
  EventLog,
  implementPartially,
  KafkaEventLog,
  listen,
  MemoryEventLog,
  silentEventLogLogger,
  startTelemetry,
  Telemetry,
} from '@switchboard/runtime';
import { requireKafkaBrokers } from './support/backing-services';

const cases: [string, () => EventLog][] = [
  ['memory', () => new MemoryEventLog({ logger: silentEventLogLogger })],
  [
    'kafka (real broker)',
    () => new KafkaEventLog({ brokers: requireKafkaBrokers(), clientId: 'trace-test', logger: silentEventLogLogger }),
  ],
];

describe.each(cases)('trace context: client → gRPC server → event log (%s) → consumer', (_name, makeLog) => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'trace-test', env: {} });
  });
  afterAll(() => telemetry.shutdown());

  it('keeps one trace id from the caller to the consumer', async () => {
    const eventLog = makeLog();
    const topic = `trace-${randomUUID()}`;
    await eventLog.ensureTopics([{ name: topic, partitions: 1 }]);
    const consumed = new Promise<string | undefined>((resolve) => {
      void eventLog.subscribe({
        groupId: `trace-${randomUUID()}`,
        topics: [topic],
        handler: () => resolve(trace.getSpan(context.active())?.spanContext().traceId),
      });
    });
    let handlerTraceId: string | undefined;
    const server = createGrpcServer({
      services: [
        implementPartially(guildV1.GuildService, {
          describe: async () => {
            handlerTraceId = trace.getSpan(context.active())?.spanContext().traceId;
            await eventLog.produce(topic, [{ key: 'guild-1', value: Buffer.from('event') }]);
            return {};
          },
        }),
      ],
    });
    const port = await listen(server, '127.0.0.1', 0);
    const client = createClient(guildV1.GuildService, `127.0.0.1:${port}`);
    try {
      const root = trace.getTracer('test').startSpan('publish');
      await context.with(trace.setSpan(context.active(), root), () => client.describe({}));
      root.end();
      const traceId = root.spanContext().traceId;
      expect(handlerTraceId).toBe(traceId);
      expect(await consumed).toBe(traceId);
    } finally {
      closeClient(client);
      server.forceShutdown();
      await eventLog.close();
    }
  });
});
