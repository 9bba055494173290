// One consumer group member on Kafka (kafkajs consumer). Records of a partition are handled one at
// a time in offset order (eachBatch, resolving offsets ourselves), or pipelined
// (kafka-pipelined-batch.ts); an offset is resolved only after its record (and, pipelined, every
// earlier one) was handled or dead-lettered, and kafkajs commits resolved offsets only (after each
// batch, every autoCommitInterval, before rejoining a rebalancing group, and on stop).
import { setMaxListeners } from 'node:events';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { PartitionsCallback, SubscribeOptions, Subscription, TopicPartition } from './event-log';
import { deliverRecord, DeliveryDeps, DeliveryPolicy, deliveryPolicy } from './delivery';
import { SubscribeError, SubscriptionCrashedError } from './errors';
import { handlePipelinedBatch } from './kafka-pipelined-batch';
import { toConsumedRecord } from './kafka-records';
import type { EventLogLogger } from './logger';
import { PipelineSettings, pipelineSettings } from './partition-pipeline';

export interface KafkaConsumerSettings {
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
  maxWaitTimeInMs: number;
  partitionsConsumedConcurrently: number;
  autoCommitInterval: number;
  joinTimeoutMs: number;
}

export interface KafkaSubscriptionDeps {
  kafka: Kafka;
  logger: EventLogLogger;
  deliveryDeps: DeliveryDeps;
  settings: KafkaConsumerSettings;
}

const tpKey = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

function without(list: TopicPartition[], remove: TopicPartition[]): TopicPartition[] {
  const drop = new Set(remove.map(tpKey));
  return list.filter((tp) => !drop.has(tpKey(tp)));
}

export class KafkaSubscription implements Subscription {
  readonly groupId: string;
  readonly topics: readonly string[];
  private readonly consumer: Consumer;
  private readonly policy: DeliveryPolicy;
  private readonly abandon = new AbortController();
  /** Aborted when the member stops or dies: pipelined batches start no more records. */
  private readonly stopped = new AbortController();
  private readonly pipeline: PipelineSettings | undefined;
  private owned: TopicPartition[] = [];
  private callbacks: Promise<void> = Promise.resolve();
  private stopping = false;
  private crashed = false;
  private ending?: Promise<void>;
  private joined!: { resolve(): void; reject(err: Error): void };

  constructor(private readonly options: SubscribeOptions, private readonly deps: KafkaSubscriptionDeps) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.policy = deliveryPolicy(options);
    this.pipeline = pipelineSettings(options);
    // Pipelined, every record in flight (and every concurrent batch) listens to these: not a leak.
    setMaxListeners(0, this.abandon.signal, this.stopped.signal);
    const s = deps.settings;
    const config: ConsumerConfig = {
      groupId: options.groupId,
      sessionTimeout: s.sessionTimeout,
      heartbeatInterval: s.heartbeatInterval,
      rebalanceTimeout: s.rebalanceTimeout,
      maxWaitTimeInMs: s.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
      retry: { restartOnFailure: async () => !this.stopping },
    };
    this.consumer = deps.kafka.consumer(config);
  }

  /** Connects, joins the group and starts consuming; resolves after the first assignment. */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => (this.joined = { resolve, reject }));
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onGroupJoin(payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => this.onCrash(payload.error, payload.restart));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: this.options.fromBeginning ?? true });
      const s = this.deps.settings;
      await this.consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        autoCommitInterval: s.autoCommitInterval,
        partitionsConsumedConcurrently: this.options.partitionConcurrency ?? s.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload),
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no group assignment within ${s.joinTimeoutMs} ms`)), s.joinTimeoutMs);
      });
      await Promise.race([joined, timeout]);
    } catch (err) {
      this.stopping = true;
      await this.consumer.disconnect().catch(() => undefined);
      throw new SubscribeError(this.groupId, [...this.topics], { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  assignment(): TopicPartition[] {
    return this.owned.map((tp) => ({ ...tp }));
  }

  stop(): Promise<void> {
    return this.end(this.options.drainTimeoutMs ?? 10_000);
  }

  disconnect(): Promise<void> {
    return this.end(0);
  }

  /** Dies with the process: abandons in-flight records, runs no callback. Sockets are cut by the caller. */
  async crash(): Promise<void> {
    this.crashed = true;
    this.stopping = true;
    this.stopped.abort();
    this.abandon.abort();
    await this.consumer.disconnect().catch(() => undefined);
  }

  private end(drainMs: number): Promise<void> {
    if (!this.ending) {
      this.stopping = true;
      this.stopped.abort();
      this.ending = (async () => {
        const timer = setTimeout(() => this.abandon.abort(), drainMs);
        if (drainMs <= 0) this.abandon.abort();
        try {
          await this.consumer.disconnect();
        } catch (err) {
          this.deps.logger.warn({ err, groupId: this.groupId }, 'consumer did not disconnect cleanly');
        } finally {
          clearTimeout(timer);
        }
        this.revokeAll();
        await this.callbacks;
      })();
    }
    return this.ending;
  }

  private onGroupJoin(memberAssignment: Record<string, number[]>): void {
    if (this.crashed) return;
    const next = Object.entries(memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    const lost = without(this.owned, next);
    const gained = without(next, this.owned);
    this.owned = next;
    // eachBatch waits on this chain, so no record of a gained partition is handled before onAssigned settled.
    this.chain('onRevoked', this.options.onRevoked, lost);
    this.chain('onAssigned', this.options.onAssigned, gained);
    this.joined.resolve();
  }

  private onCrash(error: Error, restart: boolean): void {
    if (this.crashed || this.stopping) return;
    // kafkajs disconnects the crashed consumer (it leaves the group) and maybe starts a new one.
    this.revokeAll();
    const fields = { err: error, groupId: this.groupId, restart };
    if (restart) this.deps.logger.warn(fields, 'consumer crashed; kafkajs restarts it');
    else this.deps.logger.error(fields, 'consumer crashed for good');
    if (!restart) {
      const crashed = new SubscriptionCrashedError(this.groupId, { cause: error });
      this.joined.reject(crashed);
      this.options.onError?.(crashed);
    }
  }

  private revokeAll(): void {
    if (this.crashed) return;
    const lost = this.owned;
    this.owned = [];
    this.chain('onRevoked', this.options.onRevoked, lost);
  }

  private chain(name: string, fn: PartitionsCallback | undefined, partitions: TopicPartition[]): void {
    if (!fn || partitions.length === 0) return;
    const copy = partitions.map((tp) => ({ ...tp }));
    this.callbacks = this.callbacks.then(async () => {
      try {
        await fn(copy);
      } catch (err) {
        this.deps.logger.error({ err, groupId: this.groupId, partitions: copy }, `${name} callback failed`);
      }
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    await this.callbacks;
    const deps: DeliveryDeps = { ...this.deps.deliveryDeps, heartbeat };
    if (this.pipeline) {
      return handlePipelinedBatch({
        payload,
        settings: this.pipeline,
        deliver: (record) => deliverRecord(record, this.policy, deps, this.abandon.signal),
        stopped: this.stopped.signal,
        heartbeatIntervalMs: this.deps.settings.heartbeatInterval,
      });
    }
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) return;
      const record = toConsumedRecord(batch.topic, batch.partition, message);
      const outcome = await deliverRecord(record, this.policy, deps, this.abandon.signal);
      if (outcome === 'abandoned') return;
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }
}
