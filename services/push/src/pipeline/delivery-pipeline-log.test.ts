// The pipeline as the handler of a real (in-memory) event log subscription: what it settles is
// committed, poison records are dead-lettered by the log with the decoding error as the reason,
// undeliverable devices by the pipeline, both in `switchboard.push.requests.dlq`.
import { DLQ_HEADERS, MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { ConsumedRecord, Subscription } from '@switchboard/runtime';
import { PUSH_DLQ_HEADERS } from './dead-letters';
import { createDeliveryPipeline, PUSH_REQUESTS_TOPIC } from './delivery-pipeline';
import type { DeliveryPipeline } from './delivery-pipeline';
import { device, FakeDirectory, FakeProvider, freshMetrics, requestBytes, until } from './__tests__/fakes';

describe('delivery pipeline on the event log', () => {
  let log: MemoryEventLog;
  let pipeline: DeliveryPipeline;
  let subscriptions: Subscription[];
  const fcm = new FakeProvider('fcm');
  const directory = new FakeDirectory().add(42n, device('fcm', 'good'), device('fcm', 'bad'));
  const deadLetters: ConsumedRecord[] = [];

  beforeAll(async () => {
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    await log.ensureTopics([{ name: PUSH_REQUESTS_TOPIC, partitions: 4, deadLetter: true }]);
    pipeline = createDeliveryPipeline({ directory, providers: { fcm }, deadLetters: log, metrics: freshMetrics().metrics });
    subscriptions = [
      await log.subscribe({ groupId: 'push-delivery', topics: [PUSH_REQUESTS_TOPIC], handler: pipeline.handle }),
      await log.subscribe({
        groupId: 'dlq-reader',
        topics: [`${PUSH_REQUESTS_TOPIC}.dlq`],
        handler: (record) => void deadLetters.push(record),
      }),
    ];
  });

  afterAll(async () => {
    for (const s of subscriptions) await s.stop();
    await pipeline.stop();
    await log.close();
  });

  it('delivers, dead-letters the rejected device and the poison record, each with its reason', async () => {
    fcm.script('bad', { kind: 'rejected', reason: 'SENDER_ID_MISMATCH', status: 403 });
    await log.produce(PUSH_REQUESTS_TOPIC, [
      { key: '42', value: requestBytes({ requestId: '1:42', userId: '42', title: 'hi', body: 'there' }) },
      { key: '43', value: Buffer.from([0xff, 0xff, 0xff]) },
    ]);
    await until(() => deadLetters.length === 2, 'two dead letters');
    expect(fcm.sendsTo('good')).toBe(1);
    const byReason = new Map(deadLetters.map((d) => [d.headers[PUSH_DLQ_HEADERS.reason] ?? d.headers[DLQ_HEADERS.errorName], d]));
    expect(byReason.get('rejected')?.headers).toMatchObject({
      [PUSH_DLQ_HEADERS.token]: 'bad',
      [PUSH_DLQ_HEADERS.detail]: 'SENDER_ID_MISMATCH',
      [DLQ_HEADERS.groupId]: 'push-delivery',
    });
    expect(byReason.get('PoisonRecordError')?.headers[DLQ_HEADERS.error]).toBe('undecodable PushRequest');
    expect(byReason.get('PoisonRecordError')?.headers[DLQ_HEADERS.attempts]).toBe('1');
  });
});
