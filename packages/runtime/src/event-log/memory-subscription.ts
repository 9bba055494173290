// One member of an in-memory consumer group: a worker per owned partition that hands records to
// the handler one at a time, in offset order, and commits each offset once it was handled (or
// dead-lettered). Revoked partitions are drained (bounded by a timeout, then abandoned);
// abandoned records stay uncommitted and go to the partition's next owner.
import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, PartitionsCallback, SubscribeOptions, Subscription, TopicPartition } from './event-log';
import { deliverRecord, DeliveryDeps, DeliveryPolicy, deliveryPolicy, sleep } from './delivery';
import { GroupMember, MemoryBroker, MemoryGroup, MemoryPartition, tpKey } from './memory-broker';
import type { EventLogLogger } from './logger';

type Deliver = (record: ConsumedRecord, signal: AbortSignal) => Promise<'handled' | 'dead-lettered' | 'abandoned'>;

class PartitionWorker {
  private readonly abandonController = new AbortController();
  private readonly stopController = new AbortController();
  readonly done: Promise<void>;

  constructor(
    private readonly tp: TopicPartition,
    private readonly partition: MemoryPartition,
    start: number,
    private readonly deliver: Deliver,
    private readonly commit: (nextOffset: number) => void,
    private readonly logger: EventLogLogger,
  ) {
    this.done = this.run(start);
  }

  private async run(start: number): Promise<void> {
    const stopped = () => this.stopController.signal.aborted;
    for (let position = start; !stopped(); ) {
      if (position >= this.partition.records.length) {
        await this.partition.waitFor(position, this.stopController.signal);
        continue;
      }
      const record = this.consumed(position);
      let outcome;
      try {
        outcome = await this.deliver(record, this.abandonController.signal);
      } catch (err) {
        this.logger.error({ err, topic: this.tp.topic, partition: this.tp.partition }, 'delivery failed; retrying');
        await sleep(500, this.stopController.signal);
        continue;
      }
      if (outcome === 'abandoned') return;
      this.commit(position + 1);
      position += 1;
    }
  }

  private consumed(offset: number): ConsumedRecord {
    const stored = this.partition.records[offset]!;
    return {
      topic: this.tp.topic,
      partition: this.tp.partition,
      offset: String(offset),
      key: stored.key,
      value: Buffer.from(stored.value),
      headers: { ...stored.headers },
      timestamp: stored.timestamp,
    };
  }

  /** Stops after the in-flight record; abandons it if that takes longer than `drainMs`. */
  async stop(drainMs: number): Promise<void> {
    this.stopController.abort();
    const timer = setTimeout(() => this.abandon(), drainMs);
    try {
      await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops at once; the in-flight record (if any) stays uncommitted. */
  abandon(): void {
    this.abandonController.abort();
    this.stopController.abort();
  }
}

export interface MemorySubscriptionDeps {
  broker: MemoryBroker;
  deliveryDeps: DeliveryDeps;
  logger: EventLogLogger;
  rebalanceTimeoutMs: number;
}

export class MemorySubscription implements Subscription, GroupMember {
  readonly memberId = randomUUID();
  readonly groupId: string;
  readonly topics: readonly string[];
  private readonly group: MemoryGroup;
  private readonly policy: DeliveryPolicy;
  private readonly workers = new Map<string, { tp: TopicPartition; worker: PartitionWorker }>();
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private ending?: Promise<void>;

  constructor(private readonly options: SubscribeOptions, private readonly deps: MemorySubscriptionDeps) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.group = deps.broker.group(options.groupId);
    this.policy = deliveryPolicy(options);
  }

  join(): Promise<void> {
    return this.group.join(this);
  }

  assignment(): TopicPartition[] {
    return [...this.workers.values()].map(({ tp }) => ({ ...tp }));
  }

  async assign(partitions: TopicPartition[]): Promise<void> {
    if (this.state !== 'running') return;
    await this.callback('onAssigned', this.options.onAssigned, partitions);
    if (this.state !== 'running') return;
    for (const tp of partitions) this.startWorker(tp);
  }

  async revoke(partitions: TopicPartition[]): Promise<void> {
    const stopping = partitions.map((tp) => this.workers.get(tpKey(tp))).filter((w) => w !== undefined);
    if (stopping.length === 0) return;
    await Promise.all(stopping.map(({ worker }) => worker.stop(this.deps.rebalanceTimeoutMs)));
    for (const { tp } of stopping) this.workers.delete(tpKey(tp));
    await this.callback('onRevoked', this.options.onRevoked, stopping.map(({ tp }) => tp));
  }

  stop(): Promise<void> {
    return this.end((worker) => worker.stop(this.options.drainTimeoutMs ?? 10_000));
  }

  disconnect(): Promise<void> {
    return this.end(async (worker) => {
      worker.abandon();
      await worker.done;
    });
  }

  /** Dies: abandons every record in flight, runs no callback; the group notices and rebalances. */
  crash(): Promise<void> {
    if (this.state === 'running') {
      this.state = 'stopped';
      for (const { worker } of this.workers.values()) worker.abandon();
      this.workers.clear();
      this.ending = this.group.leave(this);
    }
    return this.ending ?? Promise.resolve();
  }

  private end(stopWorker: (worker: PartitionWorker) => Promise<void>): Promise<void> {
    if (!this.ending) {
      this.state = 'stopping';
      this.ending = (async () => {
        const owned = [...this.workers.values()];
        await Promise.all(owned.map(({ worker }) => stopWorker(worker)));
        this.workers.clear();
        await this.callback('onRevoked', this.options.onRevoked, owned.map(({ tp }) => tp));
        await this.group.leave(this);
        this.state = 'stopped';
      })();
    }
    return this.ending;
  }

  private startWorker(tp: TopicPartition): void {
    const partition = this.deps.broker.topic(tp.topic).partitions[tp.partition]!;
    const committed = this.group.committedOffset(tp);
    const start = committed ?? (this.options.fromBeginning === false ? partition.records.length : 0);
    const deliver: Deliver = (record, signal) => deliverRecord(record, this.policy, this.deps.deliveryDeps, signal);
    const commit = (next: number) => void this.group.commit(this, tp, next);
    this.workers.set(tpKey(tp), { tp, worker: new PartitionWorker(tp, partition, start, deliver, commit, this.deps.logger) });
  }

  private async callback(name: string, fn: PartitionsCallback | undefined, partitions: TopicPartition[]): Promise<void> {
    if (!fn || partitions.length === 0) return;
    try {
      await fn(partitions.map((tp) => ({ ...tp })));
    } catch (err) {
      this.deps.logger.error({ err, groupId: this.groupId, partitions }, `${name} callback failed`);
    }
  }
}
