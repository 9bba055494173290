// The event log: a durable, keyed, partitioned stream with consumer groups (see event-log.ts).
// KafkaEventLog for clusters, MemoryEventLog for `make dev`; both pass event-log.contract.ts.
export type {
  ConsumedRecord,
  EventLog,
  RecordHandlerContext,
  PartitionsCallback,
  ProducedRecord,
  ProduceRecord,
  RecordHandler,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicSpec,
} from './event-log';
export {
  DeadLetterError,
  EventLogClosedError,
  EventLogError,
  isPoisonRecordError,
  PoisonRecordError,
  ProduceError,
  SubscribeError,
  SubscriptionCrashedError,
  TopicAdminError,
  TopicConfigError,
  UnknownTopicError,
} from './errors';
export { partitionFor, murmur2 } from './partitioner';
export { DEAD_LETTER_SUFFIX, DLQ_HEADERS, deadLetterTopicFor } from './dead-letter';
export { ensureKafkaTopics, expandTopicSpecs } from './topics';
export { KafkaEventLog } from './kafka-event-log';
export type { KafkaEventLogOptions } from './kafka-event-log';
export type { KafkaConsumerSettings } from './kafka-subscription';
export { MemoryEventLog } from './memory-event-log';
export type { MemoryEventLogOptions } from './memory-event-log';
export { MemoryBroker } from './memory-broker';
export type { EventLogLogger } from './logger';
export { defaultEventLogLogger, silentEventLogLogger } from './logger';
