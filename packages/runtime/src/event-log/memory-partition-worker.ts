// The worker of one owned partition in the in-memory log. By default it hands records to the
// handler one at a time, in offset order, and commits each offset once it was handled (or
// dead-lettered). Pipelined (SubscribeOptions.inFlightPerPartition > 1) it starts records in
// offset order while earlier ones still run, up to the window, and commits only the settled
// prefix (partition-pipeline.ts). Stopping drains in-flight records (bounded by a timeout, then
// abandons them); abandoned records stay uncommitted and go to the partition's next owner.
import { setMaxListeners } from 'node:events';
import type { ConsumedRecord, TopicPartition } from './event-log';
import { DeliveryOutcome, sleep } from './delivery';
import type { EventLogLogger } from './logger';
import type { MemoryPartition } from './memory-broker';
import { PartitionPipeline, PipelineSettings } from './partition-pipeline';

export type Deliver = (record: ConsumedRecord, signal: AbortSignal) => Promise<DeliveryOutcome>;

export interface PartitionWorkerOptions {
  tp: TopicPartition;
  partition: MemoryPartition;
  /** First offset to deliver. */
  start: number;
  deliver: Deliver;
  /** Everything before `nextOffset` is done. */
  commit: (nextOffset: number) => void;
  logger: EventLogLogger;
  /** Undefined: one record at a time. */
  pipeline?: PipelineSettings;
}

const RETRY_DELIVERY_MS = 500;

export class PartitionWorker {
  private readonly abandonController = new AbortController();
  private readonly stopController = new AbortController();
  readonly done: Promise<void>;

  constructor(private readonly options: PartitionWorkerOptions) {
    const { start, pipeline } = options;
    // Pipelined, every record in flight listens to these: not a leak.
    setMaxListeners(0, this.abandonController.signal, this.stopController.signal);
    this.done = pipeline
      ? this.runPipelined(start, new PartitionPipeline(pipeline.perPartition, pipeline.limit))
      : this.run(start);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(start: number): Promise<void> {
    const { partition, deliver, commit } = this.options;
    for (let position = start; !this.stopped; ) {
      if (position >= partition.records.length) {
        await partition.waitFor(position, this.stopController.signal);
        continue;
      }
      const record = this.consumed(position);
      let outcome;
      try {
        outcome = await deliver(record, this.abandonController.signal);
      } catch (err) {
        this.deliveryFailed(err);
        await sleep(RETRY_DELIVERY_MS, this.stopController.signal);
        continue;
      }
      if (outcome === 'abandoned') return;
      commit(position + 1);
      position += 1;
    }
  }

  private async runPipelined(start: number, pipeline: PartitionPipeline): Promise<void> {
    const { partition } = this.options;
    const stop = this.stopController.signal;
    for (let position = start; !this.stopped; ) {
      if (position >= partition.records.length) {
        await partition.waitFor(position, stop);
        continue;
      }
      if (!(await pipeline.reserve(String(position), stop))) break;
      void this.settle(pipeline, position);
      position += 1;
    }
    await pipeline.idle();
  }

  /** Delivers the record at `position` and commits the settled prefix it may complete. */
  private async settle(pipeline: PartitionPipeline, position: number): Promise<void> {
    const record = this.consumed(position);
    let outcome: DeliveryOutcome = 'abandoned';
    while (!this.stopped) {
      try {
        outcome = await this.options.deliver(record, this.abandonController.signal);
        break;
      } catch (err) {
        this.deliveryFailed(err);
        await sleep(RETRY_DELIVERY_MS, this.stopController.signal);
      }
    }
    // Abandoned deliveries only happen once the worker is stopping; nothing more starts then.
    const through = pipeline.finish(String(position), outcome !== 'abandoned');
    if (through !== undefined) this.options.commit(Number(through) + 1);
  }

  private deliveryFailed(err: unknown): void {
    const { tp, logger } = this.options;
    logger.error({ err, topic: tp.topic, partition: tp.partition }, 'delivery failed; retrying');
  }

  private consumed(offset: number): ConsumedRecord {
    const { tp, partition } = this.options;
    const stored = partition.records[offset]!;
    return {
      topic: tp.topic,
      partition: tp.partition,
      offset: String(offset),
      key: stored.key,
      value: Buffer.from(stored.value),
      headers: { ...stored.headers },
      timestamp: stored.timestamp,
    };
  }

  /** Stops after the in-flight records; abandons them if that takes longer than `drainMs`. */
  async stop(drainMs: number): Promise<void> {
    this.stopController.abort();
    const timer = setTimeout(() => this.abandon(), drainMs);
    try {
      await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops at once; in-flight records (if any) stay uncommitted. */
  abandon(): void {
    this.abandonController.abort();
    this.stopController.abort();
  }
}
