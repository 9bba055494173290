// The in-memory event log for `make dev` (every service in one process) and unit tests: the same
// contract as the Kafka log for one process — partitions chosen by Kafka's partitioner, offsets,
// consumer groups spread over the subscribers of a group, rebalance when one stops or dies,
// redelivery of uncommitted records, dead-letter topics, trace context in headers. Not durable
// across restarts. Several clients may share one MemoryBroker, like processes sharing a cluster.
import type { EventLog, ProduceRecord, ProducedRecord, SubscribeOptions, Subscription, TopicSpec } from './event-log';
import { EventLogClosedError, SubscribeError, UnknownTopicError } from './errors';
import { defaultEventLogLogger, EventLogLogger } from './logger';
import { MemoryBroker } from './memory-broker';
import { MemorySubscription } from './memory-subscription';
import { partitionFor } from './partitioner';
import { expandTopicSpecs } from './topics';
import { withTraceHeaders } from './trace-context';

export interface MemoryEventLogOptions {
  /** Share one broker between clients to model several processes; a new one by default. */
  broker?: MemoryBroker;
  logger?: EventLogLogger;
  /** How long a rebalance waits for a member's in-flight record before abandoning it (default 10 s). */
  rebalanceTimeoutMs?: number;
}

export class MemoryEventLog implements EventLog {
  readonly kind = 'memory' as const;
  readonly broker: MemoryBroker;
  private readonly logger: EventLogLogger;
  private readonly rebalanceTimeoutMs: number;
  private readonly subscriptions = new Set<MemorySubscription>();
  private closed = false;

  constructor(options: MemoryEventLogOptions = {}) {
    this.broker = options.broker ?? new MemoryBroker();
    this.logger = options.logger ?? defaultEventLogLogger;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 10_000;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    this.assertOpen();
    this.broker.ensureTopics(expandTopicSpecs(specs));
  }

  async partitionCount(topic: string): Promise<number> {
    return this.broker.topic(topic).partitions.length;
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<ProducedRecord[]> {
    this.assertOpen();
    const target = this.broker.topic(topic);
    const timestamp = Date.now();
    return records.map((record) => {
      const partition = partitionFor(record.key, target.partitions.length);
      const offset = target.partitions[partition]!.append({
        key: record.key,
        value: Buffer.from(record.value),
        headers: withTraceHeaders(record.headers),
        timestamp,
      });
      return { topic, partition, offset: String(offset) };
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    try {
      for (const topic of options.topics) this.broker.topic(topic);
    } catch (err) {
      if (err instanceof UnknownTopicError) throw err;
      throw new SubscribeError(options.groupId, options.topics, { cause: err });
    }
    const subscription = new MemorySubscription(options, {
      broker: this.broker,
      logger: this.logger,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      deliveryDeps: { produce: (topic, records) => this.produce(topic, records), logger: this.logger },
    });
    this.subscriptions.add(subscription);
    await subscription.join();
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.disconnect()));
    this.subscriptions.clear();
  }

  async crash(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.crash()));
    this.subscriptions.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventLogClosedError();
  }
}
