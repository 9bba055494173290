// Jest-only fixtures for the pipeline tests: push request records, a scripted in-memory provider
// that counts its concurrency, a device directory, a dead-letter sink, and a recording sleep.
import { create, toBinary } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import { onAbort, Registry } from '@switchboard/runtime';
import type { ConsumedRecord, ProduceRecord, RecordHandlerContext } from '@switchboard/runtime';
import type { DeviceTarget, Platform, PushProvider, RenderedNotification, SendOutcome } from '../../providers/provider';
import { PushAbandonedError } from '../abort';
import type { Sleep } from '../abort';
import type { DeviceDirectory } from '../device-directory';
import { PushMetrics } from '../push-metrics';

export const TOPIC = 'switchboard.push.requests';

/** The fields of a PushRequest, all optional (strings as on the wire). */
export type RequestInit = Partial<Omit<pushV1.PushRequest, '$typeName' | '$unknown'>>;

export function requestBytes(init: RequestInit): Buffer {
  return Buffer.from(toBinary(pushV1.PushRequestSchema, create(pushV1.PushRequestSchema, init)));
}

let offset = 0;

export function recordOf(init: RequestInit, extra: Partial<ConsumedRecord> = {}): ConsumedRecord {
  return {
    topic: TOPIC,
    partition: 0,
    offset: String(offset++),
    key: String(init.userId ?? ''),
    value: requestBytes(init),
    headers: {},
    timestamp: Date.now(),
    ...extra,
  };
}

export function contextOf(signal: AbortSignal = new AbortController().signal, attempt = 1): RecordHandlerContext {
  return { groupId: 'push-test', attempt, signal };
}

export function device(platform: Platform, token: string, appId = 'app.switchboard'): DeviceTarget {
  return { platform, appId, token };
}

export interface SentNotification {
  target: DeviceTarget;
  notification: RenderedNotification;
}

/** Sends in flight at once, counted across every provider sharing it. */
export class Concurrency {
  current = 0;
  max = 0;

  enter(): void {
    this.current += 1;
    this.max = Math.max(this.max, this.current);
  }

  leave(): void {
    this.current -= 1;
  }
}

/**
 * A provider answering from a script per token (then 'delivered'); counts how many sends are in
 * flight at once. `hold()` keeps every send pending until `releaseAll()`; held sends end on abort.
 */
export class FakeProvider implements PushProvider {
  readonly sent: SentNotification[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #scripts = new Map<string, SendOutcome[]>();
  #held = false;
  #waiting: (() => void)[] = [];

  constructor(
    readonly platform: Platform,
    readonly shared: Concurrency = new Concurrency(),
  ) {}

  script(token: string, ...outcomes: SendOutcome[]): this {
    this.#scripts.set(token, outcomes);
    return this;
  }

  hold(): void {
    this.#held = true;
  }

  releaseAll(): void {
    this.#held = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    waiting.forEach((go) => go());
  }

  sendsTo(token: string): number {
    return this.sent.filter((s) => s.target.token === token).length;
  }

  async send(target: DeviceTarget, notification: RenderedNotification, signal?: AbortSignal): Promise<SendOutcome> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.shared.enter();
    try {
      this.sent.push({ target, notification });
      if (this.#held) {
        await new Promise<void>((resolve) => {
          this.#waiting.push(resolve);
          if (signal) onAbort(signal, resolve);
        });
      } else {
        // A real round trip yields to the event loop; so does the fake, letting other sends start.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (signal?.aborted) return { kind: 'retry', reason: 'aborted' };
      return this.#scripts.get(target.token)?.shift() ?? { kind: 'delivered', latencyMs: 1 };
    } finally {
      this.inFlight -= 1;
      this.shared.leave();
    }
  }

  async close(): Promise<void> {}
}

export class FakeDirectory implements DeviceDirectory {
  readonly devices = new Map<bigint, DeviceTarget[]>();
  readonly removed: DeviceTarget[] = [];
  lookups: bigint[][] = [];
  failLookups = 0;
  failRemovals = 0;

  add(userId: bigint, ...targets: DeviceTarget[]): this {
    this.devices.set(userId, [...(this.devices.get(userId) ?? []), ...targets]);
    return this;
  }

  async devicesOf(userIds: bigint[]): Promise<Map<bigint, DeviceTarget[]>> {
    this.lookups.push(userIds);
    if (this.failLookups > 0) {
      this.failLookups -= 1;
      throw new Error('registry unavailable');
    }
    const found = new Map<bigint, DeviceTarget[]>();
    for (const id of userIds) {
      const list = this.devices.get(id);
      if (list) found.set(id, [...list]);
    }
    return found;
  }

  async removeToken(target: DeviceTarget): Promise<void> {
    if (this.failRemovals > 0) {
      this.failRemovals -= 1;
      throw new Error('registry unavailable');
    }
    this.removed.push(target);
  }
}

export class RecordingSink {
  readonly produced: { topic: string; record: ProduceRecord }[] = [];
  failures = 0;

  async produce(topic: string, records: ProduceRecord[]): Promise<unknown> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker unavailable');
    }
    for (const record of records) this.produced.push({ topic, record });
    return [];
  }
}

/** A sleep that records each delay and returns at once (still ending on abort). */
export function recordingSleep(): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  const sleep: Sleep = async (ms, signal) => {
    delays.push(ms);
    if (signal.aborted) throw new PushAbandonedError();
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) throw new PushAbandonedError();
  };
  return { sleep, delays };
}

export function freshMetrics(): { metrics: PushMetrics; registry: Registry } {
  const registry = new Registry();
  return { metrics: new PushMetrics(registry), registry };
}

/** A metric's value for one label set (or summed over all when labels are omitted). */
export async function metricValue(registry: Registry, name: string, labels?: Record<string, string>): Promise<number> {
  // A histogram's _count and _sum are samples of the histogram itself.
  const base = registry.getSingleMetric(name) ? name : name.replace(/_(count|sum)$/, '');
  const metric = registry.getSingleMetric(base);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => ((v as { metricName?: string }).metricName ?? base) === name)
    .filter((v) => !labels || Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Runs queued callbacks until `condition` holds (bounded, so a bug fails instead of hanging). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
