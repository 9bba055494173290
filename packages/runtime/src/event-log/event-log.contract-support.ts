// Helpers for the event log contract suite (event-log.contract.ts): unique names, a recorder of
// deliveries, waiting on conditions instead of sleeping, and a minimal AsyncLocalStorage context
// manager so trace context can be observed without starting the OpenTelemetry SDK.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Context, ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ConsumedRecord, EventLog, TopicPartition } from './event-log';
import type { EventLogLogger } from './logger';
import { partitionFor } from './partitioner';

export interface EventLogHarness {
  /** A new client of the same log (think: a new process); all clients share topics and groups. */
  client(): Promise<EventLog>;
  /** Closes every client made by client() so far (after each test). */
  closeClients(): Promise<void>;
}

/** How long the contract suite waits for things to happen. */
export interface ContractTimings {
  /** How long a dead member may take to be noticed (Kafka: the session timeout plus a rebalance). */
  deathMs: number;
  /** How long any other awaited event may take. */
  eventMs: number;
}

/** What each contract test gets. */
export interface ContractContext {
  harness: EventLogHarness;
  timings: ContractTimings;
  /** A fresh client and a topic unique to this run. */
  newTopic(partitions?: number, deadLetter?: boolean): Promise<{ log: EventLog; topic: string }>;
}

/** Part of every name made by uniqueName in this test run (for cleaning up afterwards). */
export const RUN_ID = randomBytes(4).toString('hex');
let counter = 0;

/** A topic or group name unique to this test run, so reruns against one broker never interfere. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${RUN_ID}-${counter}`;
}

/** Polls `condition` until it holds (no fixed sleeps); fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A key that partitionFor maps to `partition` (so a test can aim records at a partition). */
export function keyForPartition(partition: number, partitionCount: number, prefix = 'key'): string {
  for (let i = 0; ; i += 1) {
    const key = `${prefix}-${i}`;
    if (partitionFor(key, partitionCount) === partition) return key;
  }
}

export const text = (value: string): Buffer => Buffer.from(value, 'utf8');

/** Collects what a consumer handled and the assignment callbacks it got, in order. */
export class Recorder {
  readonly records: ConsumedRecord[] = [];
  readonly events: Array<{ type: 'assigned' | 'revoked'; partitions: TopicPartition[] }> = [];

  add(record: ConsumedRecord): void {
    this.records.push(record);
  }

  readonly onAssigned = (partitions: TopicPartition[]): void => {
    this.events.push({ type: 'assigned', partitions });
  };

  readonly onRevoked = (partitions: TopicPartition[]): void => {
    this.events.push({ type: 'revoked', partitions });
  };

  count(type: 'assigned' | 'revoked'): number {
    return this.events.filter((e) => e.type === type).length;
  }

  /** What the callbacks say this member owns now: every assigned, minus every revoked, in order. */
  owned(): TopicPartition[] {
    const owned = new Map<string, TopicPartition>();
    for (const { type, partitions } of this.events) {
      for (const tp of partitions) {
        if (type === 'assigned') owned.set(`${tp.topic}/${tp.partition}`, tp);
        else owned.delete(`${tp.topic}/${tp.partition}`);
      }
    }
    return sortPartitions([...owned.values()]);
  }

  values(): string[] {
    return this.records.map((r) => r.value.toString('utf8'));
  }

  valuesOf(key: string): string[] {
    return this.records.filter((r) => r.key === key).map((r) => r.value.toString('utf8'));
  }

  has(value: string): boolean {
    return this.records.some((r) => r.value.toString('utf8') === value);
  }
}

export function sortPartitions(list: TopicPartition[]): TopicPartition[] {
  return [...list].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/** Enough of a ContextManager for context.with/active to work across awaits. */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

/** Warnings are expected (handlers fail on purpose); errors are printed. */
export const testLogger: EventLogLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (obj, msg) => process.stderr.write(`[event-log error] ${msg ?? ''} ${describe(obj)}\n`),
};

function describe(obj: Record<string, unknown>): string {
  return JSON.stringify(obj, (_key, value: unknown) =>
    value instanceof Error ? `${value.name}: ${value.message}${value.cause ? ` <- ${String(value.cause)}` : ''}` : value,
  );
}
