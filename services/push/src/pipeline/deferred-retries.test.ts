// Deferred retries: a device whose next attempt is far off becomes a retry record on
// `<topic>.retry` and its request settles; the retry record, once due, sends to that device only,
// continues its attempt count, and dead-letters into the requests topic's dead-letter topic.
import { PoisonRecordError } from '@switchboard/runtime';
import { PUSH_DLQ_HEADERS } from './dead-letters';
import { parseRetry, RETRY_HEADERS, retryRecord, retryTopicFor } from './deferred-retries';
import { createDeliveryPipeline } from './delivery-pipeline';
import {
  contextOf, Concurrency, device, FakeDirectory, FakeProvider, freshMetrics, metricValue, recordingSleep, recordOf, RecordingSink, TOPIC,
} from './__tests__/fakes';

const USER = 77n;
const later = (retryAfterMs: number) => ({ kind: 'retry', reason: 'TooManyRequests', status: 429, retryAfterMs }) as const;

function harness(now = 1_000_000) {
  const sends = new Concurrency();
  const fcm = new FakeProvider('fcm', sends);
  const directory = new FakeDirectory();
  const sink = new RecordingSink();
  const retries = new RecordingSink();
  const { metrics, registry } = freshMetrics();
  const { sleep, delays } = recordingSleep();
  const pipeline = createDeliveryPipeline({
    directory, providers: { fcm }, deadLetters: sink, metrics, sleep, now: () => now,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 },
    deferRetries: { sink: retries, afterMs: 500 },
  });
  return { fcm, directory, sink, retries, pipeline, delays, metric: (name: string, labels?: Record<string, string>) => metricValue(registry, name, labels) };
}

describe('deferred retries', () => {
  it('carry the device, the next attempt and its time in headers, and refuse anything else', () => {
    const record = recordOf({ userId: String(USER), requestId: 'r:1' }, { headers: { traceparent: 'tp' } });
    const produced = retryRecord(record, { target: device('fcm', 'tok'), attempt: 2, notBefore: 1_234 });
    expect(produced.key).toBe(record.key);
    expect(produced.headers).toMatchObject({ traceparent: 'tp', [RETRY_HEADERS.token]: 'tok', [RETRY_HEADERS.attempt]: '2' });
    const again = { ...record, topic: retryTopicFor(TOPIC), headers: produced.headers! };
    expect(parseRetry(again)).toEqual({ target: device('fcm', 'tok'), attempt: 2, notBefore: 1_234 });
    expect(parseRetry({ ...again, headers: { ...produced.headers, [RETRY_HEADERS.platform]: 'pager' } })).toBeUndefined();
    expect(parseRetry({ ...again, headers: { ...produced.headers, [RETRY_HEADERS.attempt]: '1' } })).toBeUndefined();
  });

  it('settle the request at once when a retry is far off, and send it from the retry topic when due', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'busy'), device('fcm', 'fine'));
    h.fcm.script('busy', later(5_000), { kind: 'delivered', latencyMs: 1 });
    const record = recordOf({ userId: String(USER), requestId: 'r:2' });
    await expect(h.pipeline.process(record, contextOf())).resolves.toBe('sent');
    expect(h.delays).toEqual([]); // nothing waited inside the request's record
    expect(h.fcm.sendsTo('fine')).toBe(1);
    expect(h.retries.produced).toHaveLength(1);
    const { topic, record: retry } = h.retries.produced[0]!;
    expect(topic).toBe(`${TOPIC}.retry`);
    expect(retry.headers).toMatchObject({ [RETRY_HEADERS.token]: 'busy', [RETRY_HEADERS.attempt]: '2', [RETRY_HEADERS.notBefore]: String(1_000_000 + 5_000) });
    expect(await h.metric('push_retries_deferred_total', { provider: 'fcm' })).toBe(1);

    const consumed = recordOf({ userId: String(USER), requestId: 'r:2' }, { topic, headers: retry.headers!, value: Buffer.from(retry.value) });
    await expect(h.pipeline.process(consumed, contextOf())).resolves.toBe('sent');
    expect(h.delays).toEqual([5_000]); // waited for its time, inside the retry record
    expect(h.fcm.sendsTo('busy')).toBe(2);
    expect(h.fcm.sendsTo('fine')).toBe(1); // the other device is not sent again
  });

  it('dead-letter a retry that runs out of attempts into the requests topic\'s dead-letter topic', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'down'));
    h.fcm.script('down', later(5_000), later(5_000));
    await h.pipeline.process(recordOf({ userId: String(USER), requestId: 'r:3' }), contextOf());
    const retry = h.retries.produced[0]!;
    h.fcm.script('down', { kind: 'retry', reason: 'Internal', status: 500 }, { kind: 'retry', reason: 'Internal', status: 500 });
    const consumed = recordOf({ userId: String(USER), requestId: 'r:3' }, { topic: retry.topic, headers: retry.record.headers!, value: Buffer.from(retry.record.value) });
    await expect(h.pipeline.process(consumed, contextOf())).resolves.toBe('sent');
    expect(h.sink.produced.map((p) => [p.topic, p.record.headers![PUSH_DLQ_HEADERS.reason], p.record.headers![PUSH_DLQ_HEADERS.attempts]])).toEqual([
      [`${TOPIC}.dlq`, 'retries-exhausted', '3'],
    ]);
  });

  it('refuse a retry-topic record without retry headers as poison', async () => {
    const h = harness();
    await expect(h.pipeline.process(recordOf({ userId: String(USER), requestId: 'r:4' }, { topic: `${TOPIC}.retry` }), contextOf())).rejects.toBeInstanceOf(PoisonRecordError);
  });
});
