// One member of an in-memory consumer group: a worker per owned partition
// (memory-partition-worker.ts) that hands its records to the handler in offset order and commits
// what was handled (or dead-lettered). Revoked partitions are drained (bounded by a timeout, then
// abandoned); abandoned records stay uncommitted and go to the partition's next owner.
import { randomUUID } from 'node:crypto';
import type { PartitionsCallback, SubscribeOptions, Subscription, TopicPartition } from './event-log';
import { deliverRecord, DeliveryDeps, DeliveryPolicy, deliveryPolicy } from './delivery';
import { GroupMember, MemoryBroker, MemoryGroup, tpKey } from './memory-broker';
import type { EventLogLogger } from './logger';
import { Deliver, PartitionWorker } from './memory-partition-worker';
import { PipelineSettings, pipelineSettings } from './partition-pipeline';

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
  private readonly pipeline: PipelineSettings | undefined;
  private readonly workers = new Map<string, { tp: TopicPartition; worker: PartitionWorker }>();
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private ending?: Promise<void>;

  constructor(private readonly options: SubscribeOptions, private readonly deps: MemorySubscriptionDeps) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.group = deps.broker.group(options.groupId);
    this.policy = deliveryPolicy(options);
    this.pipeline = pipelineSettings(options);
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
    const worker = new PartitionWorker({ tp, partition, start, deliver, commit, logger: this.deps.logger, pipeline: this.pipeline });
    this.workers.set(tpKey(tp), { tp, worker });
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
