// The pipelining part of the event log contract (SubscribeOptions.inFlightPerPartition,
// maxInFlight), run by event-log.contract.ts against every implementation: records of one
// partition run concurrently within the bounds, only the settled prefix is ever committed, failed
// records are dead-lettered without stalling the partition, and stop() drains what is in flight.
import { expect, it } from '@jest/globals';
import type { ConsumedRecord } from './event-log';
import { deadLetterTopicFor } from './dead-letter';
import { ContractContext, keyForPartition, Recorder, text, uniqueName, until } from './event-log.contract-support';

/**
 * Holds handlers until `releaseAt` of them are in flight together (or, should a log hand out
 * fewer at once, until none arrived for a while), counting the most in flight at once.
 */
class Gate {
  private waiting: Array<() => void> = [];
  private quiet?: NodeJS.Timeout;
  private current = 0;
  most = 0;

  constructor(private readonly releaseAt: number, private readonly quietMs = 300) {}

  async pass(): Promise<void> {
    this.current += 1;
    this.most = Math.max(this.most, this.current);
    const passed = new Promise<void>((resolve) => this.waiting.push(resolve));
    clearTimeout(this.quiet);
    if (this.waiting.length >= this.releaseAt) this.release();
    else this.quiet = setTimeout(() => this.release(), this.quietMs);
    await passed;
    this.current -= 1;
  }

  private release(): void {
    clearTimeout(this.quiet);
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const values = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

export function definePipeliningContract(ctx: ContractContext): void {
  it('runs several records of one partition at once, started in offset order, never more than inFlightPerPartition', () =>
    boundedPerPartition(ctx));
  it('never has more than maxInFlight records in flight over all partitions of a subscription', () => boundedPerSubscription(ctx));
  it('commits only the settled prefix: a slow record and the settled ones after it go to the next member', () =>
    settledPrefixOnly(ctx));
  it('dead-letters a record that fails every attempt and commits past it; stop() drains records in flight', () =>
    deadLetterAndDrain(ctx));
}

async function boundedPerPartition(ctx: ContractContext): Promise<void> {
  const { log, topic } = await ctx.newTopic(1);
  const produced = values('p', 24);
  await log.produce(topic, produced.map((v) => ({ key: 'guild-1', value: text(v) })));
  const gate = new Gate(4);
  const started: string[] = [];
  const handled = new Recorder();
  await log.subscribe({
    groupId: uniqueName('pipeline'),
    topics: [topic],
    inFlightPerPartition: 4,
    handler: async (record) => {
      started.push(record.value.toString());
      await gate.pass();
      handled.add(record);
    },
  });
  await until(() => handled.records.length === produced.length, 'every record to be handled', ctx.timings.eventMs);
  expect(gate.most).toBeGreaterThan(1);
  expect(gate.most).toBeLessThanOrEqual(4);
  expect(started).toEqual(produced);
}

async function boundedPerSubscription(ctx: ContractContext): Promise<void> {
  const { log, topic } = await ctx.newTopic(2);
  const keys = [keyForPartition(0, 2, 'guild'), keyForPartition(1, 2, 'guild')];
  await log.produce(topic, keys.flatMap((key) => values(`${key}:`, 12).map((v) => ({ key, value: text(v) }))));
  const gate = new Gate(3);
  const handled = new Recorder();
  await log.subscribe({
    groupId: uniqueName('pipeline-limit'),
    topics: [topic],
    inFlightPerPartition: 4,
    maxInFlight: 3,
    partitionConcurrency: 2,
    handler: async (record) => {
      await gate.pass();
      handled.add(record);
    },
  });
  await until(() => handled.records.length === 24, 'every record to be handled', ctx.timings.eventMs);
  expect(gate.most).toBeGreaterThan(1);
  expect(gate.most).toBeLessThanOrEqual(3);
}

async function settledPrefixOnly(ctx: ContractContext): Promise<void> {
  const { log, topic } = await ctx.newTopic(1);
  const groupId = uniqueName('pipeline-prefix');
  await log.produce(topic, values('r', 6).map((v) => ({ key: 'guild-9', value: text(v) })));

  // Member A: r1 hangs while r2 and r3 (started after it) are handled. The window (3) is then
  // full, so A starts nothing more; A goes away with r1 unsettled.
  const a = new Recorder();
  let hung: AbortSignal | undefined;
  const subA = await log.subscribe({
    groupId,
    topics: [topic],
    inFlightPerPartition: 3,
    handler: (record, rc) => {
      if (record.value.toString() !== 'r1') return a.add(record);
      hung = rc.signal;
      return new Promise<void>(() => undefined);
    },
  });
  await until(() => hung !== undefined && a.has('r2') && a.has('r3'), 'A to handle r2 and r3 while r1 hangs', ctx.timings.eventMs);
  await subA.disconnect();
  expect(hung?.aborted).toBe(true);
  expect(a.values()).toEqual(['r0', 'r2', 'r3']);

  // Member B starts right after r0, the end of A's settled prefix: r1 and the records after it again.
  const b = new Recorder();
  const other = await ctx.harness.client();
  await other.subscribe({ groupId, topics: [topic], handler: (r) => b.add(r) });
  await until(() => b.has('r5'), 'B to reach r5', ctx.timings.eventMs);
  expect(b.values()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
}

async function deadLetterAndDrain(ctx: ContractContext): Promise<void> {
  const { log, topic } = await ctx.newTopic(1, true);
  const groupId = uniqueName('pipeline-dlq');
  await log.produce(topic, ['ok-0', 'broken', 'ok-1', 'slow'].map((v) => ({ key: 'guild-3', value: text(v) })));
  const attempts: string[] = [];
  let releaseSlow!: () => void;
  const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowSignal: AbortSignal | undefined;
  const sub = await log.subscribe({
    groupId,
    topics: [topic],
    inFlightPerPartition: 8,
    maxAttempts: 2,
    retryBackoffMs: 10,
    handler: async (record: ConsumedRecord, rc) => {
      const value = record.value.toString();
      attempts.push(`${value}#${rc.attempt}`);
      if (value === 'broken') throw new Error('always broken');
      if (value === 'slow') {
        slowSignal = rc.signal;
        await slow;
      }
    },
  });
  const letters = new Recorder();
  await log.subscribe({ groupId: uniqueName('pipeline-dlq-reader'), topics: [deadLetterTopicFor(topic)], handler: (r) => letters.add(r) });
  await until(() => letters.has('broken') && slowSignal !== undefined, 'broken to be dead-lettered while slow runs', ctx.timings.eventMs);
  expect(attempts.filter((x) => x.startsWith('broken'))).toEqual(['broken#1', 'broken#2']);

  // stop() waits for the slow record (released while the member is stopping) instead of
  // abandoning it, and commits everything.
  const stopping = sub.stop();
  setTimeout(releaseSlow, 200);
  await stopping;
  expect(slowSignal?.aborted).toBe(false);

  const next = new Recorder();
  await log.subscribe({ groupId, topics: [topic], handler: (r) => next.add(r) });
  await log.produce(topic, [{ key: 'guild-3', value: text('ok-2') }]);
  await until(() => next.has('ok-2'), 'the next member to get new records', ctx.timings.eventMs);
  expect(next.values()).toEqual(['ok-2']);
}
