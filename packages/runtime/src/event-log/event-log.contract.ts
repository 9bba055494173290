// The event log contract: one suite, run against every implementation (memory-event-log.test.ts,
// kafka-event-log.test.ts). Each test uses its own topics and groups (unique per run), waits on
// conditions rather than sleeping, and simulates failures the way they happen in production:
// a handler that never returns, a consumer that goes away before committing, a member that dies
// without leaving its group (EventLog.crash: connections cut, no LeaveGroup, no commit).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PoisonRecordError, TopicConfigError, UnknownTopicError } from './errors';
import { deadLetterTopicFor, DLQ_HEADERS } from './dead-letter';
import { partitionFor } from './partitioner';
import { definePipeliningContract } from './event-log-pipelining.contract';
import {
  ContractContext,
  ContractTimings,
  EventLogHarness,
  keyForPartition,
  partitionsOf,
  Recorder,
  sortPartitions,
  TestContextManager,
  text,
  uniqueName,
  until,
} from './event-log.contract-support';

export type { ContractTimings, EventLogHarness } from './event-log.contract-support';
type Ctx = ContractContext;

export function defineEventLogContract(name: string, makeHarness: () => EventLogHarness, timings: ContractTimings): void {
  describe(name, () => {
    const harness = makeHarness();
    const ctx: Ctx = {
      harness,
      timings,
      async newTopic(partitions = 4, deadLetter = false) {
        const log = await harness.client();
        const topic = uniqueName('topic');
        await log.ensureTopics([{ name: topic, partitions, deadLetter }]);
        return { log, topic };
      },
    };
    afterEach(() => harness.closeClients());

    it('creates topics idempotently, refuses to change a partition count, and rejects unknown topics', () => topicAdmin(ctx));
    it('delivers the records of each key in produce order, on the partition partitionFor picks', () => orderPerKey(ctx));
    it('redelivers a record whose handler never finished to the next member of the group', () => redeliveryAfterDisconnect(ctx));
    it('moves the partitions of a member that dies to the survivor, which resumes after the last commit', () => failoverAfterMemberDeath(ctx));
    it('dead-letters poison and exhausted records with their origin in headers and goes on', () => deadLetters(ctx));
    it('tells members which partitions they gain and lose as the group changes', () => assignmentCallbacks(ctx));
    describe('pipelined consumption (inFlightPerPartition)', () => definePipeliningContract(ctx));

    describe('trace context', () => {
      beforeAll(() => {
        context.setGlobalContextManager(new TestContextManager());
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      });
      afterAll(() => {
        context.disable();
        propagation.disable();
      });
      it("runs the handler in the producer's trace context, carried as W3C headers", () => traceContext(ctx));
    });
  });
}

async function topicAdmin(ctx: Ctx): Promise<void> {
  const log = await ctx.harness.client();
  const topic = uniqueName('admin');
  await log.ensureTopics([{ name: topic, partitions: 3, deadLetter: true }]);
  await log.ensureTopics([{ name: topic, partitions: 3, deadLetter: true }]);
  expect(await log.partitionCount(topic)).toBe(3);
  expect(await log.partitionCount(deadLetterTopicFor(topic))).toBe(3);
  await expect(log.ensureTopics([{ name: topic, partitions: 5 }])).rejects.toBeInstanceOf(TopicConfigError);
  await expect(log.produce(uniqueName('missing'), [{ key: 'k', value: text('v') }])).rejects.toBeInstanceOf(UnknownTopicError);
}

async function orderPerKey(ctx: Ctx): Promise<void> {
  const { log, topic } = await ctx.newTopic(4);
  const keys = ['guild-1', 'guild-2', 'guild-3', 'guild-4', 'guild-5', 'guild-6'];
  const rounds = 15;
  // Concurrent produce calls: order per key is the order of the calls.
  const produced = await Promise.all(
    Array.from({ length: rounds }, (_, i) => log.produce(topic, keys.map((key) => ({ key, value: text(`${key}:${i}`) })))),
  );
  const seen = new Recorder();
  await log.subscribe({ groupId: uniqueName('order'), topics: [topic], handler: (r) => seen.add(r) });
  await until(() => seen.records.length >= keys.length * rounds, 'every record to arrive', ctx.timings.eventMs);

  for (const key of keys) {
    expect(seen.valuesOf(key)).toEqual(Array.from({ length: rounds }, (_, i) => `${key}:${i}`));
  }
  const landed = new Map(produced.flat().map((p, i) => [`${keys[i % keys.length]}:${Math.floor(i / keys.length)}`, p]));
  for (const record of seen.records) {
    expect(record.partition).toBe(partitionFor(record.key, 4));
    expect(landed.get(record.value.toString())).toEqual({ topic, partition: record.partition, offset: record.offset });
  }
}

async function redeliveryAfterDisconnect(ctx: Ctx): Promise<void> {
  const { log, topic } = await ctx.newTopic(4);
  const groupId = uniqueName('redeliver');
  const key = 'guild-42';
  await log.produce(topic, ['r0', 'r1', 'r2', 'r3', 'r4'].map((v) => ({ key, value: text(v) })));

  // Consumer A handles r0 and r1, then its handler hangs on r2 and A is disconnected: r2 was
  // never committed.
  const a = new Recorder();
  let hung: AbortSignal | undefined;
  const subA = await log.subscribe({
    groupId,
    topics: [topic],
    handler: (record, rc) => {
      a.add(record);
      if (record.value.toString() !== 'r2') return undefined;
      hung = rc.signal;
      return new Promise<void>(() => undefined);
    },
  });
  await until(() => hung !== undefined, 'consumer A to start r2', ctx.timings.eventMs);
  await subA.disconnect();
  expect(hung?.aborted).toBe(true);

  // Consumer B, same group, another client: starts at the first uncommitted record.
  const b = new Recorder();
  const other = await ctx.harness.client();
  await other.subscribe({ groupId, topics: [topic], handler: (r) => b.add(r) });
  await until(() => b.has('r4'), 'consumer B to reach r4', ctx.timings.eventMs);
  expect(a.values()).toEqual(['r0', 'r1', 'r2']);
  expect(b.values()).toEqual(['r2', 'r3', 'r4']);
}

async function failoverAfterMemberDeath(ctx: Ctx): Promise<void> {
  const partitions = 4;
  const { log: producer, topic } = await ctx.newTopic(partitions);
  const groupId = uniqueName('failover');
  const keys = Array.from({ length: partitions }, (_, p) => keyForPartition(p, partitions, 'guild'));
  const [logA, logB] = [await ctx.harness.client(), await ctx.harness.client()];
  const a = new Recorder();
  const b = new Recorder();
  let wedged: string | undefined;
  const subA = await logA.subscribe({
    groupId,
    topics: [topic],
    onAssigned: a.onAssigned,
    onRevoked: a.onRevoked,
    handler: (record) => {
      if (!record.value.toString().startsWith('second')) return a.add(record);
      wedged ??= record.value.toString();
      return new Promise<void>(() => undefined); // A is stuck here when it dies
    },
  });
  const subB = await logB.subscribe({ groupId, topics: [topic], onAssigned: b.onAssigned, onRevoked: b.onRevoked, handler: (r) => b.add(r) });
  await until(() => subA.assignment().length === 2 && subB.assignment().length === 2, 'two members with two partitions each', ctx.timings.eventMs);
  const ofA = subA.assignment().map((tp) => tp.partition);

  await producer.produce(topic, keys.map((key, p) => ({ key, value: text(`first-${p}`) })));
  await until(() => a.records.length + b.records.length === partitions, 'the first round to be handled', ctx.timings.eventMs);
  await producer.produce(topic, keys.map((key, p) => ({ key, value: text(`second-${p}`) })));
  await until(() => wedged !== undefined, 'member A to be stuck on a second-round record', ctx.timings.eventMs);

  const eventsOfA = a.events.length;
  await logA.crash(); // dies: no LeaveGroup, no commit; Kafka notices after the session timeout
  await until(() => subB.assignment().length === partitions, 'the survivor to own every partition', ctx.timings.deathMs);
  await until(() => ofA.every((p) => b.has(`second-${p}`)), "the survivor to handle the dead member's records", ctx.timings.eventMs);

  expect(b.owned()).toEqual(partitionsOf(topic, partitions));
  expect(b.values()).toContain(wedged);
  // Resumed after A's last commit: A's first-round records are not handled again.
  expect(b.values().filter((v) => v.startsWith('first-')).sort()).toEqual(
    [0, 1, 2, 3].filter((p) => !ofA.includes(p)).map((p) => `first-${p}`),
  );
  expect(a.events.length).toBe(eventsOfA); // a dead member runs no callbacks
}

async function deadLetters(ctx: Ctx): Promise<void> {
  const { log, topic } = await ctx.newTopic(4, true);
  const groupId = uniqueName('dlq');
  const key = 'guild-7';
  const values = ['ok-1', 'poison', 'flaky', 'broken', 'ok-2'];
  const produced = await log.produce(topic, values.map((v) => ({ key, value: text(v), headers: { 'x-origin': 'contract' } })));
  const attempts: string[] = [];
  const sub = await log.subscribe({
    groupId,
    topics: [topic],
    maxAttempts: 3,
    retryBackoffMs: 10,
    handler: (record, rc) => {
      const value = record.value.toString();
      attempts.push(`${value}#${rc.attempt}`);
      if (value === 'poison') throw new PoisonRecordError('cannot decode');
      if (value === 'flaky' && rc.attempt < 2) throw new Error('transient');
      if (value === 'broken') throw new Error('always broken');
    },
  });
  await until(() => attempts.includes('ok-2#1'), 'the consumer to go past the bad records', ctx.timings.eventMs);
  expect(attempts).toEqual(['ok-1#1', 'poison#1', 'flaky#1', 'flaky#2', 'broken#1', 'broken#2', 'broken#3', 'ok-2#1']);

  const letters = new Recorder();
  await log.subscribe({ groupId: uniqueName('dlq-reader'), topics: [deadLetterTopicFor(topic)], handler: (r) => letters.add(r) });
  await until(() => letters.records.length === 2, 'two dead letters', ctx.timings.eventMs);
  const [poison, broken] = letters.records;
  expect(poison?.value.toString()).toBe('poison');
  expect(poison?.key).toBe(key);
  expect(poison?.headers).toMatchObject({
    'x-origin': 'contract',
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: String(produced[1]?.partition),
    [DLQ_HEADERS.offset]: produced[1]?.offset,
    [DLQ_HEADERS.groupId]: groupId,
    [DLQ_HEADERS.errorName]: 'PoisonRecordError',
    [DLQ_HEADERS.error]: 'cannot decode',
    [DLQ_HEADERS.attempts]: '1',
  });
  expect(broken?.headers).toMatchObject({
    [DLQ_HEADERS.offset]: produced[3]?.offset,
    [DLQ_HEADERS.errorName]: 'Error',
    [DLQ_HEADERS.error]: 'always broken',
    [DLQ_HEADERS.attempts]: '3',
  });

  // Dead-lettered records were committed: the group's next member starts after them.
  await sub.stop();
  const next = new Recorder();
  await log.subscribe({ groupId, topics: [topic], handler: (r) => next.add(r) });
  await log.produce(topic, [{ key, value: text('ok-3') }]);
  await until(() => next.has('ok-3'), 'the next member to get new records', ctx.timings.eventMs);
  expect(next.values()).toEqual(['ok-3']);
}

async function assignmentCallbacks(ctx: Ctx): Promise<void> {
  const { topic } = await ctx.newTopic(4);
  const groupId = uniqueName('callbacks');
  const [logA, logB] = [await ctx.harness.client(), await ctx.harness.client()];
  const a = new Recorder();
  const b = new Recorder();
  const subA = await logA.subscribe({ groupId, topics: [topic], onAssigned: a.onAssigned, onRevoked: a.onRevoked, handler: () => undefined });
  await until(() => a.owned().length === 4, 'the only member to get every partition', ctx.timings.eventMs);
  expect(sortPartitions(subA.assignment())).toEqual(partitionsOf(topic, 4));

  const subB = await logB.subscribe({ groupId, topics: [topic], onAssigned: b.onAssigned, onRevoked: b.onRevoked, handler: () => undefined });
  await until(() => a.owned().length === 2 && b.owned().length === 2, 'the partitions to be split', ctx.timings.eventMs);
  expect(a.count('revoked')).toBeGreaterThan(0);
  expect(sortPartitions([...a.owned(), ...b.owned()])).toEqual(partitionsOf(topic, 4));
  expect(sortPartitions(subA.assignment())).toEqual(a.owned());
  expect(sortPartitions(subB.assignment())).toEqual(b.owned());

  await subB.stop(); // leaves the group: its partitions go back to A at once
  await until(() => a.owned().length === 4, 'the remaining member to get every partition back', ctx.timings.eventMs);
  expect(b.owned()).toEqual([]);
  expect(sortPartitions(subA.assignment())).toEqual(partitionsOf(topic, 4));
}

async function traceContext(ctx: Ctx): Promise<void> {
  const { log, topic } = await ctx.newTopic(4);
  const span = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED };
  await context.with(trace.setSpanContext(context.active(), span), () => log.produce(topic, [{ key: 'k', value: text('traced') }]));
  const seen: Array<{ traceId?: string; traceparent?: string }> = [];
  await log.subscribe({
    groupId: uniqueName('trace'),
    topics: [topic],
    handler: async (record) => {
      await Promise.resolve();
      seen.push({ traceId: trace.getSpanContext(context.active())?.traceId, traceparent: record.headers.traceparent });
    },
  });
  await until(() => seen.length === 1, 'the traced record', ctx.timings.eventMs);
  expect(seen[0]).toEqual({ traceId: span.traceId, traceparent: `00-${span.traceId}-${span.spanId}-01` });
}
