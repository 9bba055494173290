import { describe, expect, it } from '@jest/globals';
import type { SubscribeOptions } from './event-log';
import { InFlightLimit, PartitionPipeline, pipelineSettings } from './partition-pipeline';

const live = () => new AbortController().signal;

/** True if `promise` has settled once every queued microtask and timer tick ran. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

async function started(pipeline: PartitionPipeline, ...offsets: string[]): Promise<void> {
  for (const offset of offsets) expect(await pipeline.reserve(offset, live())).toBe(true);
}

describe('PartitionPipeline', () => {
  it('commits through a record as soon as it and every earlier one settled', async () => {
    const pipeline = new PartitionPipeline(4);
    await started(pipeline, '10', '11', '12');
    expect(pipeline.finish('10', true)).toBe('10');
    expect(pipeline.finish('11', true)).toBe('11');
    expect(pipeline.size).toBe(1);
  });

  it('holds back later settled records until the slow one before them settles, then commits them all', async () => {
    const pipeline = new PartitionPipeline(4);
    await started(pipeline, '0', '1', '2', '3');
    expect(pipeline.finish('1', true)).toBeUndefined();
    expect(pipeline.finish('3', true)).toBeUndefined();
    expect(pipeline.finish('0', true)).toBe('1');
    expect(pipeline.finish('2', true)).toBe('3');
    expect(pipeline.size).toBe(0);
  });

  it('follows offsets with gaps (compacted or transactional topics)', async () => {
    const pipeline = new PartitionPipeline(4);
    await started(pipeline, '5', '9', '20');
    expect(pipeline.finish('9', true)).toBeUndefined();
    expect(pipeline.finish('5', true)).toBe('9');
    expect(pipeline.finish('20', true)).toBe('20');
  });

  it('never commits past a record that ended unsettled (abandoned)', async () => {
    const pipeline = new PartitionPipeline(4);
    await started(pipeline, '0', '1', '2');
    expect(pipeline.finish('0', true)).toBe('0');
    expect(pipeline.finish('1', false)).toBeUndefined();
    expect(pipeline.finish('2', true)).toBeUndefined();
    expect(pipeline.size).toBe(2);
    expect(pipeline.inFlight).toBe(0);
  });

  it('counts settled records waiting behind a slow one against the window, and makes room once the front settles', async () => {
    const pipeline = new PartitionPipeline(2);
    await started(pipeline, '0', '1');
    pipeline.finish('1', true);
    const next = pipeline.reserve('2', live());
    expect(await hasSettled(next)).toBe(false);
    pipeline.finish('0', true);
    expect(await next).toBe(true);
    expect(pipeline.size).toBe(1);
  });

  it('gives up waiting for room when its signal aborts, starting nothing', async () => {
    const pipeline = new PartitionPipeline(1);
    await started(pipeline, '0');
    const stop = new AbortController();
    const next = pipeline.reserve('1', stop.signal);
    stop.abort();
    expect(await next).toBe(false);
    expect(pipeline.size).toBe(1);
    expect(pipeline.inFlight).toBe(1);
  });

  it('starts a record without waiting only while there is room', async () => {
    const limit = new InFlightLimit(2);
    const pipeline = new PartitionPipeline(3, limit);
    expect(pipeline.tryReserve('0')).toBe(true);
    expect(pipeline.tryReserve('1')).toBe(true);
    expect(pipeline.tryReserve('2')).toBe(false); // the shared limit is full
    pipeline.finish('1', true);
    expect(pipeline.tryReserve('2')).toBe(true);
    expect(pipeline.tryReserve('3')).toBe(false); // the window (0, 1 settled, 2) is full
    expect(pipeline.size).toBe(3);
    expect(limit.inUse).toBe(2);
  });

  it('starts nothing once its signal aborted, even with room', async () => {
    const pipeline = new PartitionPipeline(2);
    const stop = new AbortController();
    stop.abort();
    expect(await pipeline.reserve('0', stop.signal)).toBe(false);
    expect(pipeline.size).toBe(0);
  });

  it('is idle once every started delivery ended', async () => {
    const pipeline = new PartitionPipeline(3);
    await started(pipeline, '0', '1');
    const idle = pipeline.idle();
    pipeline.finish('1', false);
    expect(await hasSettled(idle)).toBe(false);
    pipeline.finish('0', true);
    await expect(idle).resolves.toBeUndefined();
  });

  it('refuses to finish a record it did not start', async () => {
    const pipeline = new PartitionPipeline(2);
    await started(pipeline, '0');
    expect(() => pipeline.finish('7', true)).toThrow('offset 7 was not started');
  });
});

describe('InFlightLimit shared by partitions', () => {
  it('bounds records in flight across pipelines and hands a freed slot to the longest waiter', async () => {
    const limit = new InFlightLimit(2);
    const a = new PartitionPipeline(4, limit);
    const b = new PartitionPipeline(4, limit);
    await started(a, '0', '1');
    const bFirst = b.reserve('0', live());
    const aThird = a.reserve('2', live());
    expect(await hasSettled(bFirst)).toBe(false);
    a.finish('0', true);
    expect(await bFirst).toBe(true);
    expect(await hasSettled(aThird)).toBe(false);
    expect(limit.inUse).toBe(2);
    b.finish('0', true);
    expect(await aThird).toBe(true);
  });

  it('takes no slot for a waiter whose signal aborted', async () => {
    const limit = new InFlightLimit(1);
    expect(await limit.acquire(live())).toBe(true);
    const stop = new AbortController();
    const waiting = limit.acquire(stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
    limit.release();
    expect(limit.inUse).toBe(0);
  });
});

describe('pipelineSettings', () => {
  const base: SubscribeOptions = { groupId: 'g', topics: ['t'], handler: () => undefined };

  it('keeps the default one-at-a-time consumption when neither option is set', () => {
    expect(pipelineSettings(base)).toBeUndefined();
  });

  it('pipelines with the asked window and a shared limit', () => {
    const settings = pipelineSettings({ ...base, inFlightPerPartition: 64, maxInFlight: 500 });
    expect(settings?.perPartition).toBe(64);
    expect(settings?.limit?.max).toBe(500);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %p as inFlightPerPartition or maxInFlight', (bad) => {
    expect(() => pipelineSettings({ ...base, inFlightPerPartition: bad })).toThrow('inFlightPerPartition must be a positive integer');
    expect(() => pipelineSettings({ ...base, maxInFlight: bad })).toThrow('maxInFlight must be a positive integer');
  });
});
