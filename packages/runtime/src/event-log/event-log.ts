// The event log port: a durable, keyed, partitioned stream of records, consumed by consumer groups
// with at-least-once delivery. Two implementations share this contract (and one test suite):
// Kafka (kafka-event-log.ts) for clusters and the in-memory log (memory-event-log.ts) for
// `make dev`, where every service runs in one process.
//
// Guarantees, in both implementations:
// - Records with the same key go to the same partition (partitionFor, Kafka's default
//   partitioner) and are delivered in the order they were produced.
// - A handler sees the records of one partition one at a time, in offset order (unless the
//   subscription asks for pipelining, inFlightPerPartition > 1: then records of one partition are
//   started in offset order while earlier ones may still be running).
// - An offset is committed only after its handler resolved, or after the record went to the
//   dead-letter topic, and (pipelined) only once every earlier record of its partition did too.
//   A record whose handler had not finished when its consumer died or lost the partition is
//   delivered again (to whichever member owns the partition next), as are, pipelined, the
//   records after it that had already settled.
// - Partition ownership moves automatically when group members join, stop or die; the
//   onAssigned/onRevoked callbacks tell a member which partitions (and so which keys) it owns.

export interface ProduceRecord {
  /** Partitioning key (e.g. a guild id): same key, same partition, same order. */
  key: string;
  value: Uint8Array | Buffer;
  headers?: Record<string, string>;
}

/** Where a produced record landed; `offset` is a decimal string (Kafka offsets are 64-bit). */
export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: string;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as stamped when the record was appended. */
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface RecordHandlerContext {
  groupId: string;
  /** 1 for the first delivery attempt of this record in this consumer, then 2, 3, ... */
  attempt: number;
  /**
   * Aborted when the consumer gives up on the record (disconnect, crash, lost partition):
   * whatever the handler does afterwards is not committed, and the record will be redelivered.
   */
  signal: AbortSignal;
}

export type RecordHandler = (record: ConsumedRecord, ctx: RecordHandlerContext) => Promise<void> | void;
export type PartitionsCallback = (partitions: TopicPartition[]) => Promise<void> | void;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: RecordHandler;
  /**
   * Called with the partitions this member gained, before any of their records is handled
   * (records of those partitions wait until the returned promise settles).
   */
  onAssigned?: PartitionsCallback;
  /**
   * Called with the partitions this member lost (rebalance, stop), after it stopped handling
   * their records. Not called when the member dies (crash): a dead process runs no code.
   */
  onRevoked?: PartitionsCallback;
  /**
   * Where records go that cannot be processed: a topic name, or a function of the source topic.
   * Default `<topic>.dlq` (deadLetterTopicFor). The topic must exist (ensureTopics with
   * `deadLetter: true` creates it).
   */
  deadLetterTopic?: string | ((topic: string) => string);
  /** Handler attempts per record before it is dead-lettered (default 3). PoisonRecordError skips the rest. */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled for each further one, capped at 5 s (default 100 ms). */
  retryBackoffMs?: number;
  /** Where a group with no committed offset starts: the beginning (default) or the end of each partition. */
  fromBeginning?: boolean;
  /** How long stop() waits for in-flight records before abandoning them (default 10 s). */
  drainTimeoutMs?: number;
  /**
   * How many partitions this member handles at once (records within one partition stay one at a
   * time, in order). Default: the log's setting (Kafka: 1; the in-memory log runs every owned
   * partition concurrently). Raise it when a handler waits on a network round trip.
   */
  partitionConcurrency?: number;
  /**
   * Pipelining: how many records of ONE partition may be started and not yet committable at once
   * (default 1: one at a time, each committed as soon as it settles). With N > 1 the handler is
   * started for the records of a partition in offset order without waiting for earlier ones, so
   * it must not rely on a key's earlier record being finished. A record settles when it was
   * handled or dead-lettered; the committed offset only moves over the longest run of settled
   * records from the front, so a slow record holds back the commit of the (at most N - 1) records
   * after it, and those are delivered again if the member dies or loses the partition first
   * (at-least-once). When the window is full the member stops taking records of that partition
   * until the oldest one settles. Kafka: a fetched batch is finished before the partition is
   * fetched again, and other partitions run at once only with partitionConcurrency > 1.
   */
  inFlightPerPartition?: number;
  /** Pipelining: records of this subscription in flight at once over all its partitions (default: no bound). */
  maxInFlight?: number;
  /** Called if the consumer stops for good after an unrecoverable error. */
  onError?: (err: Error) => void;
}

export interface Subscription {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The partitions this member owns right now. */
  assignment(): TopicPartition[];
  /**
   * Graceful: finish the in-flight records (up to drainTimeoutMs, then abandon them uncommitted),
   * commit the settled ones, call onRevoked, leave the group so the others take over at once.
   */
  stop(): Promise<void>;
  /** Immediate: abandon the in-flight record (uncommitted, redelivered elsewhere), then as stop(). */
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Kafka topic configuration, e.g. { 'retention.ms': '604800000' } (ignored in memory). */
  config?: Record<string, string>;
  /** Also create the dead-letter topic `<name>.dlq` with the same partitions and config. */
  deadLetter?: boolean;
}

export interface EventLog {
  readonly kind: 'kafka' | 'memory';
  /**
   * Creates the topics that do not exist yet; idempotent. Fails with TopicConfigError when a topic
   * exists with another partition count (that would silently move keys between partitions).
   */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** Partition count of an existing topic (UnknownTopicError otherwise). */
  partitionCount(topic: string): Promise<number>;
  /**
   * Appends records; resolves once they are durable (Kafka: acknowledged by all in-sync
   * replicas) with where each landed, in input order. Injects the active trace context
   * (W3C traceparent/tracestate) into each record's headers.
   */
  produce(topic: string, records: ProduceRecord[]): Promise<ProducedRecord[]>;
  /** Joins a consumer group; resolves once the member has joined and consumption started. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription (as disconnect()) and releases connections. */
  close(): Promise<void>;
  /**
   * Simulates the abrupt death of this client (for tests and chaos drills): in-flight records are
   * abandoned uncommitted, no callbacks run, and the group is not told (Kafka: connections are
   * cut, so the broker notices only after the session timeout).
   */
  crash(): Promise<void>;
}
