// One error class per failure mode of the event log. Each keeps the underlying failure as
// `cause` (kafkajs error, handler error, ...) so logs show the whole chain.

export class EventLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The topic does not exist (topics are created by `ensureTopics`, never implicitly). */
export class UnknownTopicError extends EventLogError {
  constructor(readonly topic: string, options?: { cause?: unknown }) {
    super(`topic "${topic}" does not exist; create it with ensureTopics() first`, options);
  }
}

/** A topic exists with settings that differ from its spec (e.g. its partition count). */
export class TopicConfigError extends EventLogError {
  constructor(readonly topic: string, detail: string, options?: { cause?: unknown }) {
    super(`topic "${topic}": ${detail}`, options);
  }
}

/** Creating or describing topics failed. */
export class TopicAdminError extends EventLogError {
  constructor(readonly topics: string[], options?: { cause?: unknown }) {
    super(`topic administration failed for ${topics.join(', ')}`, options);
  }
}

/** Records could not be made durable; the caller must treat them as not published. */
export class ProduceError extends EventLogError {
  constructor(readonly topic: string, readonly count: number, options?: { cause?: unknown }) {
    super(`producing ${count} record(s) to "${topic}" failed`, options);
  }
}

/** A consumer group subscription could not be started. */
export class SubscribeError extends EventLogError {
  constructor(readonly groupId: string, readonly topics: string[], options?: { cause?: unknown }) {
    super(`subscribing group "${groupId}" to ${topics.join(', ')} failed`, options);
  }
}

/** A consumer stopped for good after an error it could not recover from. */
export class SubscriptionCrashedError extends EventLogError {
  constructor(readonly groupId: string, options?: { cause?: unknown }) {
    super(`consumer of group "${groupId}" crashed and will not restart`, options);
  }
}

/** A record could not be written to its dead-letter topic (it stays uncommitted and is retried). */
export class DeadLetterError extends EventLogError {
  constructor(
    readonly deadLetterTopic: string,
    readonly source: { topic: string; partition: number; offset: string },
    options?: { cause?: unknown },
  ) {
    super(
      `dead-lettering ${source.topic}[${source.partition}]@${source.offset} to "${deadLetterTopic}" failed`,
      options,
    );
  }
}

/** The event log (or one of its subscriptions) was closed; no more work is accepted. */
export class EventLogClosedError extends EventLogError {
  constructor(what = 'event log') {
    super(`${what} is closed`);
  }
}

/**
 * Thrown by a record handler to say the record can never be processed (malformed, unknown
 * schema, ...): it goes to the dead-letter topic at once, without further attempts.
 */
export class PoisonRecordError extends EventLogError {}

/** True for a PoisonRecordError, also across module copies (matched by name). */
export function isPoisonRecordError(err: unknown): boolean {
  return err instanceof PoisonRecordError || (err instanceof Error && err.name === 'PoisonRecordError');
}
