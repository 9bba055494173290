import { getEventListeners } from 'node:events';
import { DLQ_HEADERS, PoisonRecordError } from '@switchboard/runtime';
import { PushAbandonedError } from './abort';
import { PUSH_DLQ_HEADERS } from './dead-letters';
import { createDeliveryPipeline } from './delivery-pipeline';
import type { DeliveryPipelineOptions } from './delivery-pipeline';
import {
  Concurrency,
  contextOf,
  device,
  FakeDirectory,
  FakeProvider,
  freshMetrics,
  metricValue,
  recordingSleep,
  RecordingSink,
  recordOf,
  TOPIC,
  until,
} from './__tests__/fakes';
import type { RequestInit } from './__tests__/fakes';

const USER = 42n;
let nextId = 0;

function request(init: Partial<RequestInit> = {}): RequestInit {
  nextId += 1;
  return { requestId: `${1000 + nextId}:${USER}`, userId: String(USER), title: 'Ann', body: 'hello', channelId: '7', collapseKey: `c${nextId}`, ...init };
}

function harness(options: Partial<DeliveryPipelineOptions> = {}) {
  const sends = new Concurrency();
  const fcm = new FakeProvider('fcm', sends);
  const apns = new FakeProvider('apns', sends);
  const directory = new FakeDirectory();
  const sink = new RecordingSink();
  const { metrics, registry } = freshMetrics();
  const { sleep, delays } = recordingSleep();
  const pipeline = createDeliveryPipeline({
    directory,
    providers: { fcm, apns },
    deadLetters: sink,
    metrics,
    sleep,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 },
    ...options,
  });
  const metric = (name: string, labels?: Record<string, string>) => metricValue(registry, name, labels);
  return { sends, fcm, apns, directory, sink, pipeline, delays, metric, registry };
}

describe('delivery pipeline', () => {
  it('sends to every device of the user and settles once all are delivered', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'android-1'), device('apns', 'iphone-1'), device('fcm', 'android-1'));
    const record = recordOf(request({ badge: 2 }));
    await expect(h.pipeline.process(record, contextOf())).resolves.toBe('sent');
    expect(h.fcm.sendsTo('android-1')).toBe(1); // listed twice, sent once
    expect(h.apns.sendsTo('iphone-1')).toBe(1);
    expect(h.apns.sent[0]!.notification).toMatchObject({ title: 'Ann', body: 'hello', badge: 2, data: { channel_id: '7' } });
    expect(await h.metric('push_delivered_total', { provider: 'fcm' })).toBe(1);
    expect(await h.metric('push_delivered_total', { provider: 'apns' })).toBe(1);
    expect(await h.metric('push_requests_settled_total', { result: 'sent' })).toBe(1);
    expect(await h.metric('push_requests_consumed_total')).toBe(1);
    expect(await h.metric('push_provider_latency_seconds_count', { provider: 'fcm', outcome: 'delivered' })).toBe(1);
    expect(h.sink.produced).toEqual([]);
  });

  it('settles a user without devices as no-devices', async () => {
    const h = harness();
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('no-devices');
    expect(await h.metric('push_requests_settled_total', { result: 'no-devices' })).toBe(1);
  });

  it('sends one notification for requests of the same user and collapse key within the window', async () => {
    const h = harness({ collapse: { windowMs: 60_000 } });
    h.directory.add(USER, device('fcm', 'a'));
    const t = Date.now();
    await expect(h.pipeline.process(recordOf(request({ collapseKey: 'chan-7' }), { timestamp: t }), contextOf())).resolves.toBe('sent');
    await expect(h.pipeline.process(recordOf(request({ collapseKey: 'chan-7' }), { timestamp: t + 5000 }), contextOf())).resolves.toBe('collapsed');
    await expect(h.pipeline.process(recordOf(request({ collapseKey: 'chan-8' }), { timestamp: t + 5000 }), contextOf())).resolves.toBe('sent');
    expect(h.fcm.sent).toHaveLength(2);
    expect(await h.metric('push_requests_settled_total', { result: 'collapsed' })).toBe(1);
  });

  it('drops a redelivered request id that already settled', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    const init = request();
    await h.pipeline.process(recordOf(init), contextOf());
    await expect(h.pipeline.process(recordOf(init), contextOf())).resolves.toBe('duplicate');
    expect(h.fcm.sent).toHaveLength(1);
    expect(await h.metric('push_requests_settled_total', { result: 'duplicate' })).toBe(1);
  });

  it('waits at least the Retry-After, then resends to that device only, and delivers', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'slow'), device('apns', 'fine'));
    h.fcm.script('slow', { kind: 'retry', reason: 'QUOTA_EXCEEDED', status: 429, retryAfterMs: 7_000 });
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(h.delays).toEqual([7_000]);
    expect(h.fcm.sendsTo('slow')).toBe(2);
    expect(h.apns.sendsTo('fine')).toBe(1);
    expect(h.sink.produced).toEqual([]);
    expect(await h.metric('push_retries_total', { provider: 'fcm', reason: 'QUOTA_EXCEEDED' })).toBe(1);
    expect(await h.metric('push_delivered_total', { provider: 'fcm' })).toBe(1);
  });

  it('dead-letters a device after max attempts with the reason, device and attempts in headers', async () => {
    const h = harness();
    h.directory.add(USER, device('apns', 'flaky', 'com.example.ios'));
    const unavailable = { kind: 'retry', reason: 'ServiceUnavailable', status: 503 } as const;
    h.apns.script('flaky', unavailable, unavailable, unavailable, unavailable);
    const record = recordOf(request(), { headers: { traceparent: 'tp' } });
    await expect(h.pipeline.process(record, contextOf())).resolves.toBe('sent');
    expect(h.apns.sendsTo('flaky')).toBe(3);
    expect(h.delays).toHaveLength(2);
    expect(h.sink.produced).toHaveLength(1);
    const { topic, record: letter } = h.sink.produced[0]!;
    expect(topic).toBe(`${TOPIC}.dlq`);
    expect(letter.key).toBe(record.key);
    expect(Buffer.from(letter.value).equals(record.value)).toBe(true);
    expect(letter.headers).toMatchObject({
      traceparent: 'tp',
      [PUSH_DLQ_HEADERS.reason]: 'retries-exhausted',
      [PUSH_DLQ_HEADERS.platform]: 'apns',
      [PUSH_DLQ_HEADERS.appId]: 'com.example.ios',
      [PUSH_DLQ_HEADERS.token]: 'flaky',
      [PUSH_DLQ_HEADERS.attempts]: '3',
      [PUSH_DLQ_HEADERS.status]: '503',
      [DLQ_HEADERS.offset]: record.offset,
      [DLQ_HEADERS.groupId]: 'push-test',
    });
    expect(letter.headers![PUSH_DLQ_HEADERS.detail]).toMatch(/ServiceUnavailable/);
    expect(await h.metric('push_dead_lettered_total', { provider: 'apns', reason: 'retries-exhausted' })).toBe(1);
  });

  it('removes an unregistered token and does not dead-letter it', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'gone'), device('fcm', 'alive'));
    h.fcm.script('gone', { kind: 'unregistered', reason: 'UNREGISTERED', status: 404 });
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(h.directory.removed).toEqual([device('fcm', 'gone')]);
    expect(h.fcm.sendsTo('gone')).toBe(1);
    expect(h.sink.produced).toEqual([]);
    expect(await h.metric('push_tokens_removed_total', { provider: 'fcm', reason: 'UNREGISTERED' })).toBe(1);
  });

  it('keeps an app\'s tokens and dead-letters instead when most of its answers say dead (a misconfigured app)', async () => {
    const h = harness({ tokenGuard: { minSends: 4, maxShare: 0.5 } });
    const tokens = ['t1', 't2', 't3', 't4', 't5'];
    h.directory.add(USER, ...tokens.map((t) => device('apns', t)));
    for (const t of tokens) h.apns.script(t, { kind: 'unregistered', reason: 'DeviceTokenNotForTopic', status: 400 });
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    // The first three went before the guard had seen enough answers; from the fourth on, kept.
    expect(h.directory.removed).toHaveLength(3);
    expect(h.sink.produced.map((p) => p.record.headers![PUSH_DLQ_HEADERS.reason])).toEqual(['token-removal-suspended', 'token-removal-suspended']);
    expect(await h.metric('push_dead_lettered_total', { provider: 'apns', reason: 'token-removal-suspended' })).toBe(2);
  });

  it('settles the record even when removing a dead token fails', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'gone'));
    h.directory.failRemovals = 1;
    h.fcm.script('gone', { kind: 'unregistered', reason: 'UNREGISTERED' });
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(await h.metric('push_token_removal_failures_total', { provider: 'fcm' })).toBe(1);
  });

  it('dead-letters a rejected notification at once, without retrying', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.script('a', { kind: 'rejected', reason: 'INVALID_ARGUMENT', status: 400 });
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(h.fcm.sendsTo('a')).toBe(1);
    expect(h.delays).toEqual([]);
    expect(h.sink.produced.map((p) => p.record.headers![PUSH_DLQ_HEADERS.reason])).toEqual(['rejected']);
    expect(h.sink.produced[0]!.record.headers![PUSH_DLQ_HEADERS.detail]).toBe('INVALID_ARGUMENT');
    expect(await h.metric('push_dead_lettered_total', { provider: 'fcm', reason: 'rejected' })).toBe(1);
  });

  it('dead-letters a device whose platform has no provider', async () => {
    const h = harness();
    h.directory.add(USER, device('apns', 'x'));
    const pipeline = createDeliveryPipeline({ directory: h.directory, providers: {}, deadLetters: h.sink, metrics: freshMetrics().metrics });
    await expect(pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(h.sink.produced.map((p) => p.record.headers![PUSH_DLQ_HEADERS.reason])).toEqual(['no-provider']);
  });

  it('keeps producing a dead letter until the sink takes it', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.script('a', { kind: 'rejected', reason: 'INVALID_ARGUMENT' });
    h.sink.failures = 2;
    await expect(h.pipeline.process(recordOf(request()), contextOf())).resolves.toBe('sent');
    expect(h.sink.produced).toHaveLength(1);
    expect(h.delays).toHaveLength(2);
  });

  it('uses the configured dead-letter topic', async () => {
    const h = harness({ deadLetterTopic: 'push.failed' });
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.script('a', { kind: 'rejected', reason: 'INVALID_ARGUMENT' });
    await h.pipeline.process(recordOf(request()), contextOf());
    expect(h.sink.produced.map((p) => p.topic)).toEqual(['push.failed']);
  });

  it('abandons a record whose signal aborts during a retry wait: rejects, nothing dead-lettered, redelivery sent', async () => {
    const h = harness({ sleep: undefined }); // real timers: the wait only ends by the abort
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.script('a', { kind: 'retry', reason: 'UNAVAILABLE', retryAfterMs: 60_000 });
    const controller = new AbortController();
    const init = request();
    const handled = h.pipeline.process(recordOf(init), contextOf(controller.signal));
    await until(() => h.fcm.sent.length === 1, 'the first send');
    controller.abort();
    await expect(handled).rejects.toBeInstanceOf(PushAbandonedError);
    expect(h.sink.produced).toEqual([]);
    // The redelivery of the abandoned record is sent, not dropped as a duplicate.
    await expect(h.pipeline.process(recordOf(init), contextOf())).resolves.toBe('sent');
    expect(h.fcm.sent).toHaveLength(2);
  });

  it('abandons a record whose signal aborts during a send', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'), device('apns', 'b'));
    h.fcm.hold();
    h.apns.hold();
    const controller = new AbortController();
    const handled = h.pipeline.process(recordOf(request()), contextOf(controller.signal));
    await until(() => h.fcm.inFlight === 1 && h.apns.inFlight === 1, 'both sends in flight');
    controller.abort();
    await expect(handled).rejects.toBeInstanceOf(PushAbandonedError);
    expect(h.sink.produced).toEqual([]);
    expect(h.pipeline.inFlightSends).toBe(0);
  });

  it('adds one listener to the log signal its records share, not one per record, and abandons them all when it aborts', async () => {
    const h = harness();
    const users = Array.from({ length: 40 }, (_, i) => 700n + BigInt(i));
    for (const user of users) h.directory.add(user, device('fcm', `f${user}`));
    h.fcm.hold();
    const shared = new AbortController();
    const handled = users.map((user) =>
      h.pipeline.process(recordOf(request({ userId: String(user), requestId: `8:${user}` })), contextOf(shared.signal)),
    );
    await until(() => h.fcm.inFlight === users.length, 'every send in flight');
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort();
    for (const result of handled) await expect(result).rejects.toBeInstanceOf(PushAbandonedError);
    expect(h.sink.produced).toEqual([]);
    expect(await h.metric('push_requests_in_flight')).toBe(0);
  });

  it('never has more sends in flight than its limit, and delivers everything', async () => {
    const h = harness({ maxInFlightSends: 3 });
    const users = Array.from({ length: 10 }, (_, i) => 500n + BigInt(i));
    for (const user of users) h.directory.add(user, device('fcm', `f${user}`), device('apns', `a${user}`));
    const results = await Promise.all(
      users.map((user) => h.pipeline.process(recordOf(request({ userId: String(user), requestId: `9:${user}` })), contextOf())),
    );
    expect(results).toEqual(users.map(() => 'sent'));
    expect(h.fcm.sent.length + h.apns.sent.length).toBe(20);
    // Counted by the fakes across both providers: the bound was reached and never passed.
    expect(h.sends.max).toBe(3);
    expect(await h.metric('push_sends_in_flight')).toBe(0);
  });

  it('throws PoisonRecordError for a record that is not a valid push request', async () => {
    const h = harness();
    const bad = recordOf(request({ userId: 'nobody' }));
    await expect(h.pipeline.process(bad, contextOf())).rejects.toBeInstanceOf(PoisonRecordError);
    await expect(h.pipeline.process({ ...bad, value: Buffer.from([0xff, 0xff]) }, contextOf())).rejects.toBeInstanceOf(PoisonRecordError);
    expect(await h.metric('push_requests_poison_total')).toBe(2);
  });

  it('fails the record when the device lookup fails, and sends it when the log retries', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    h.directory.failLookups = 1;
    const record = recordOf(request());
    await expect(h.pipeline.process(record, contextOf())).rejects.toThrow(/registry unavailable/);
    await expect(h.pipeline.process(record, contextOf(undefined, 2))).resolves.toBe('sent');
  });

  it('reports the age of the oldest request being handled per partition, and 0 once none is', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.hold();
    const handled = h.pipeline.process(recordOf(request(), { partition: 3, timestamp: Date.now() - 4_000 }), contextOf());
    await until(() => h.fcm.inFlight === 1, 'the send in flight');
    const lag = await h.metric('push_consumer_lag_seconds', { partition: '3' });
    expect(lag).toBeGreaterThanOrEqual(4);
    expect(lag).toBeLessThan(60);
    h.fcm.releaseAll();
    await handled;
    expect(await h.metric('push_consumer_lag_seconds', { partition: '3' })).toBe(0);
  });

  it('stop() abandons in-flight records without dead-lettering, and parks records handed over later', async () => {
    const h = harness();
    h.directory.add(USER, device('fcm', 'a'));
    h.fcm.hold();
    const controller = new AbortController();
    const handled = h.pipeline.process(recordOf(request()), contextOf(controller.signal));
    let settled = false;
    handled.catch(() => undefined).finally(() => (settled = true));
    await until(() => h.fcm.inFlight === 1, 'the send in flight');
    await h.pipeline.stop();
    expect(h.pipeline.inFlightSends).toBe(0);
    // The log still holds the record: it stays unsettled until the log abandons it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort();
    await expect(handled).rejects.toBeInstanceOf(PushAbandonedError);
    const late = new AbortController();
    const parked = h.pipeline.process(recordOf(request()), contextOf(late.signal));
    late.abort();
    await expect(parked).rejects.toBeInstanceOf(PushAbandonedError);
    expect(h.sink.produced).toEqual([]);
    expect(h.fcm.sent).toHaveLength(1);
  });
});
