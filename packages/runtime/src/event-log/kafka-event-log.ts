// The event log on Apache Kafka (kafkajs). Produce: idempotent producer, acks=-1 (all in-sync
// replicas), explicit partitions from partitionFor, concurrent calls grouped into one request
// (ProduceBatcher). Consume: one kafkajs consumer per subscription (KafkaSubscription).
import type { Admin, Producer } from 'kafkajs';
import { logLevel as kafkaLogLevel } from 'kafkajs';
import type { EventLog, ProduceRecord, ProducedRecord, SubscribeOptions, Subscription, TopicSpec } from './event-log';
import { EventLogClosedError, ProduceError, TopicAdminError, UnknownTopicError } from './errors';
import { createKafkaClient, KafkaClientConfig, SeverableSockets } from './kafka-client';
import { KafkaConsumerSettings, KafkaSubscription } from './kafka-subscription';
import { defaultEventLogLogger, EventLogLogger } from './logger';
import { partitionFor } from './partitioner';
import { ProduceBatcher } from './produce-batcher';
import { ensureKafkaTopics } from './topics';
import { withTraceHeaders } from './trace-context';

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId?: string;
  logger?: EventLogLogger;
  /** kafkajs log entries less severe than this are dropped (default WARN). */
  kafkaLogLevel?: kafkaLogLevel;
  /** Consumer group timing; defaults suit production. Tests shorten them. */
  consumer?: Partial<KafkaConsumerSettings>;
  producer?: {
    /** Upper bound of one grouped produce request (default 512 KiB). */
    maxBatchBytes?: number;
    /** Retries of a failed produce request before produce() rejects (default 10, ~30 s). */
    retries?: number;
  };
  /** TLS/SASL and timeouts for managed clusters. */
  kafka?: KafkaClientConfig;
}

const DEFAULT_CONSUMER: KafkaConsumerSettings = {
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 30_000,
  maxWaitTimeInMs: 500,
  partitionsConsumedConcurrently: 1,
  autoCommitInterval: 1_000,
  joinTimeoutMs: 60_000,
};

function kafkaErrorType(err: unknown): string | undefined {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type) return e.type;
  }
  return undefined;
}

function asBuffer(value: Uint8Array | Buffer): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly kafka;
  private readonly sockets = new SeverableSockets();
  private readonly logger: EventLogLogger;
  private readonly settings: KafkaConsumerSettings;
  private readonly batcher: ProduceBatcher;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly partitionCounts = new Map<string, Promise<number>>();
  private producerReady?: Promise<Producer>;
  private adminReady?: Promise<Admin>;
  private state: 'open' | 'closing' | 'closed' = 'open';

  constructor(private readonly options: KafkaEventLogOptions) {
    this.logger = options.logger ?? defaultEventLogLogger;
    this.settings = { ...DEFAULT_CONSUMER, ...options.consumer };
    this.kafka = createKafkaClient({
      brokers: options.brokers,
      clientId: options.clientId ?? 'switchboard',
      logger: this.logger,
      minLogLevel: options.kafkaLogLevel ?? kafkaLogLevel.WARN,
      quiet: () => this.state !== 'open',
      sockets: this.sockets,
      config: options.kafka,
    });
    this.batcher = new ProduceBatcher(
      async (topicMessages) => (await this.producer()).sendBatch({ topicMessages, acks: -1 }),
      options.producer?.maxBatchBytes,
    );
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    this.assertOpen();
    await ensureKafkaTopics(await this.admin(), specs, this.logger);
    for (const spec of specs) this.partitionCounts.delete(spec.name);
  }

  partitionCount(topic: string): Promise<number> {
    let count = this.partitionCounts.get(topic);
    if (!count) {
      count = this.fetchPartitionCount(topic);
      this.partitionCounts.set(topic, count);
      count.catch(() => this.partitionCounts.delete(topic));
    }
    return count;
  }

  private async fetchPartitionCount(topic: string): Promise<number> {
    let count: number;
    try {
      const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] });
      count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    } catch (err) {
      if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') throw new UnknownTopicError(topic, { cause: err });
      throw new TopicAdminError([topic], { cause: err });
    }
    if (count === 0) throw new UnknownTopicError(topic);
    return count;
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<ProducedRecord[]> {
    this.assertOpen();
    if (records.length === 0) return [];
    // Headers now (the caller's trace context); partitions once the count is known. The batcher
    // queues this call in call order either way.
    const unpartitioned = records.map((r) => ({ key: r.key, value: asBuffer(r.value), headers: withTraceHeaders(r.headers) }));
    const messages = this.partitionCount(topic).then((count) =>
      unpartitioned.map((m) => ({ ...m, partition: partitionFor(m.key, count) })),
    );
    try {
      return await this.batcher.enqueue(topic, messages);
    } catch (err) {
      if (err instanceof UnknownTopicError) throw err;
      this.partitionCounts.delete(topic);
      if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') throw new UnknownTopicError(topic, { cause: err });
      throw new ProduceError(topic, records.length, { cause: err });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    for (const topic of options.topics) await this.partitionCount(topic); // UnknownTopicError early
    const subscription = new KafkaSubscription(options, {
      kafka: this.kafka,
      logger: this.logger,
      settings: this.settings,
      deliveryDeps: { produce: (topic, records) => this.produce(topic, records), logger: this.logger },
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (err) {
      this.subscriptions.delete(subscription);
      throw err;
    }
    return subscription;
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    await Promise.all([...this.subscriptions].map((s) => s.disconnect()));
    await this.disconnectClients();
  }

  async crash(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.sockets.sever();
    await Promise.all([...this.subscriptions].map((s) => s.crash()));
    await this.disconnectClients();
  }

  private async disconnectClients(): Promise<void> {
    this.subscriptions.clear();
    const producer = this.producerReady?.catch(() => undefined);
    const admin = this.adminReady?.catch(() => undefined);
    await Promise.all([(await producer)?.disconnect().catch(() => undefined), (await admin)?.disconnect().catch(() => undefined)]);
    this.state = 'closed';
  }

  private producer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: this.options.producer?.retries ?? 10, initialRetryTime: 200, maxRetryTime: 5_000 },
        // Partitions are set explicitly (partitionFor); this only guards records without one.
        createPartitioner: () => ({ message, partitionMetadata }) =>
          message.partition ?? partitionFor(String(message.key ?? ''), partitionMetadata.length),
      });
      await producer.connect();
      return producer;
    })();
    this.producerReady.catch(() => (this.producerReady = undefined));
    return this.producerReady;
  }

  private admin(): Promise<Admin> {
    this.adminReady ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 3, initialRetryTime: 100 } });
      await admin.connect();
      return admin;
    })();
    this.adminReady.catch(() => (this.adminReady = undefined));
    return this.adminReady;
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new EventLogClosedError();
  }
}
