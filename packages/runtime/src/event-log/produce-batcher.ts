// Group commit for the Kafka producer. kafkajs's idempotent producer sends one request per broker
// at a time, so concurrent produce() calls would queue behind each other's round trips. Instead,
// calls made while a request is in flight are gathered and sent together as the next request
// (bounded in bytes), and each caller learns where its own records landed. Order is kept: per
// partition, records are appended in the order produce() was called, even when a call must first
// look up its topic's partition count (its place in the queue is taken at call time).
import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';
import type { ProducedRecord } from './event-log';

export type PartitionedMessage = Message & { partition: number };

interface Pending {
  topic: string;
  /** Undefined until the caller's messages are ready (partitions computed). */
  messages?: PartitionedMessage[];
  bytes: number;
  resolve(produced: ProducedRecord[]): void;
  reject(err: unknown): void;
}

export type SendBatch = (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>;

const tp = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function sizeOf(messages: PartitionedMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += (m.value?.length ?? 0) + String(m.key ?? '').length + 64;
  return bytes;
}

export class ProduceBatcher {
  private queue: Pending[] = [];
  private inFlight = false;
  private scheduled = false;

  constructor(private readonly send: SendBatch, private readonly maxBatchBytes = 512 * 1024) {}

  /** Takes a place in the queue now; `messages` may still be in preparation. */
  enqueue(topic: string, messages: PartitionedMessage[] | Promise<PartitionedMessage[]>): Promise<ProducedRecord[]> {
    return new Promise((resolve, reject) => {
      const entry: Pending = { topic, bytes: 0, resolve, reject };
      this.queue.push(entry);
      const ready = (list: PartitionedMessage[]) => {
        entry.messages = list;
        entry.bytes = sizeOf(list);
        this.schedule();
      };
      if (Array.isArray(messages)) return ready(messages);
      messages.then(ready, (err: unknown) => {
        this.queue = this.queue.filter((e) => e !== entry);
        reject(err);
        this.schedule();
      });
    });
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled || !this.queue[0]?.messages) return;
    this.scheduled = true;
    // A microtask later: calls made in the same turn share the request.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (!next.messages) break; // keep call order: wait for the head to be ready
      if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.inFlight) return;
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight = true;
    try {
      const byTopic = new Map<string, PartitionedMessage[]>();
      for (const entry of batch) {
        const list = byTopic.get(entry.topic) ?? [];
        list.push(...entry.messages!);
        byTopic.set(entry.topic, list);
      }
      const metadata = await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      settle(batch, metadata);
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}

/** Gives every caller the offsets of its records: base offset of the partition + position. */
function settle(batch: Pending[], metadata: RecordMetadata[]): void {
  const base = new Map<string, bigint>();
  for (const m of metadata) {
    if (m.baseOffset !== undefined) base.set(tp(m.topicName, m.partition), BigInt(m.baseOffset));
  }
  const used = new Map<string, bigint>();
  for (const entry of batch) {
    const produced: ProducedRecord[] = [];
    let missing = false;
    for (const message of entry.messages!) {
      const key = tp(entry.topic, message.partition);
      const first = base.get(key);
      if (first === undefined) {
        missing = true;
        continue;
      }
      const index = used.get(key) ?? 0n;
      used.set(key, index + 1n);
      produced.push({ topic: entry.topic, partition: message.partition, offset: String(first + index) });
    }
    if (missing) entry.reject(new Error(`broker acknowledged no offset for part of the batch to "${entry.topic}"`));
    else entry.resolve(produced);
  }
}
