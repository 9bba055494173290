// The delivery pipeline's metrics, on the service's registry. Labels are bounded: provider is the
// platform (fcm, apns), reasons are the pipeline's own categories or the provider's reason code
// reduced by reasonLabel(), partition is bounded by the topic's partition count.
import { Counter, Gauge, Histogram } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';
import type { SendOutcome } from '../providers/provider';

/** How a request settled (push_requests_settled_total{result}). */
export type RequestResult = 'sent' | 'collapsed' | 'duplicate' | 'no-devices';

interface CounterChild {
  inc(value?: number): void;
}

interface HistogramChild {
  observe(value: number): void;
}

/**
 * The per-send series of one provider, looked up once instead of building and checking a labels
 * object on every send (the same series either way; a series appears only once counted).
 */
export interface ProviderSeries {
  sent: CounterChild;
  delivered: CounterChild;
  latency: Record<SendOutcome['kind'], HistogramChild>;
}

export class PushMetrics {
  readonly consumed: Counter;
  readonly poison: Counter;
  readonly settled: Counter<'result'>;
  readonly sent: Counter<'provider'>;
  readonly delivered: Counter<'provider'>;
  readonly retried: Counter<'provider' | 'reason'>;
  readonly deferred: Counter<'provider'>;
  readonly deadLettered: Counter<'provider' | 'reason'>;
  readonly tokensRemoved: Counter<'provider' | 'reason'>;
  readonly tokenRemovalFailures: Counter<'provider'>;
  readonly sendsInFlight: Gauge;
  readonly recordsInFlight: Gauge;
  readonly providerLatency: Histogram<'provider' | 'outcome'>;
  readonly consumerLag: Gauge<'partition'>;
  readonly #providers = new Map<string, ProviderSeries>();
  readonly #settledBy = new Map<RequestResult, CounterChild>();
  /** Append timestamps of the records being handled, by partition (the lag gauge's source). */
  readonly #handling = new Map<number, Map<number, number>>();
  #nextHandling = 0;
  readonly #now: () => number;

  constructor(registry: Registry, now: () => number = Date.now) {
    this.#now = now;
    const registers = [registry];
    this.consumed = new Counter({
      name: 'push_requests_consumed_total', help: 'Push request records handed to the pipeline (redeliveries included).', registers,
    });
    this.poison = new Counter({
      name: 'push_requests_poison_total', help: 'Push request records that could not be decoded or validated (dead-lettered by the log).', registers,
    });
    this.settled = new Counter({
      name: 'push_requests_settled_total',
      help: 'Push requests settled, by result: sent (every device delivered, removed or dead-lettered), collapsed (same user and collapse key within the window), duplicate (request id seen again), no-devices.',
      labelNames: ['result'], registers,
    });
    this.sent = new Counter({
      name: 'push_sends_total', help: 'Notifications sent to a provider (each attempt for each device), by provider.', labelNames: ['provider'], registers,
    });
    this.delivered = new Counter({
      name: 'push_delivered_total', help: 'Notifications the provider accepted, by provider.', labelNames: ['provider'], registers,
    });
    this.retried = new Counter({
      name: 'push_retries_total', help: 'Sends answered "try again later" and scheduled again, by provider and provider reason.',
      labelNames: ['provider', 'reason'], registers,
    });
    this.deferred = new Counter({
      name: 'push_retries_deferred_total', help: 'Retries due later than PUSH_RETRY_DEFER_AFTER, handed to the retry topic (their request settled), by provider.',
      labelNames: ['provider'], registers,
    });
    this.deadLettered = new Counter({
      name: 'push_dead_lettered_total',
      help: 'Devices whose notification went to the dead-letter topic, by provider and reason (rejected, retries-exhausted, retry-after-too-long, no-provider).',
      labelNames: ['provider', 'reason'], registers,
    });
    this.tokensRemoved = new Counter({
      name: 'push_tokens_removed_total', help: 'Device tokens removed because the provider said they are gone, by provider and provider reason.',
      labelNames: ['provider', 'reason'], registers,
    });
    this.tokenRemovalFailures = new Counter({
      name: 'push_token_removal_failures_total', help: 'Dead tokens the registry failed to remove (removed again at their next notification).',
      labelNames: ['provider'], registers,
    });
    this.sendsInFlight = new Gauge({
      name: 'push_sends_in_flight', help: 'Provider sends in flight on this instance (bounded by the in-flight limit).', registers,
    });
    this.recordsInFlight = new Gauge({
      name: 'push_requests_in_flight', help: 'Push request records being handled (not yet settled) on this instance.', registers,
    });
    this.providerLatency = new Histogram({
      name: 'push_provider_latency_seconds', help: 'Time of one provider send, by provider and outcome kind.',
      labelNames: ['provider', 'outcome'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    const handling = this.#handling;
    const clock = this.#now;
    this.consumerLag = new Gauge({
      name: 'push_consumer_lag_seconds',
      help: 'Age of the oldest push request being handled (now minus its append timestamp), by partition; 0 when none is.',
      labelNames: ['partition'], registers,
      // At scrape time, so an idle partition reads 0 instead of its last busy value.
      collect() {
        for (const [partition, records] of handling) {
          let oldest = Infinity;
          for (const timestamp of records.values()) if (timestamp < oldest) oldest = timestamp;
          this.labels({ partition: String(partition) }).set(records.size === 0 ? 0 : Math.max(0, clock() - oldest) / 1000);
        }
      },
    });
  }

  /** The per-send series of `provider` (a platform). */
  provider(provider: string): ProviderSeries {
    let series = this.#providers.get(provider);
    if (!series) {
      const latency = (outcome: SendOutcome['kind']) => this.providerLatency.labels({ provider, outcome });
      series = {
        sent: this.sent.labels({ provider }),
        delivered: this.delivered.labels({ provider }),
        latency: { delivered: latency('delivered'), unregistered: latency('unregistered'), rejected: latency('rejected'), retry: latency('retry') },
      };
      this.#providers.set(provider, series);
    }
    return series;
  }

  /** Counts a settled request (push_requests_settled_total{result}). */
  settle(result: RequestResult): void {
    let child = this.#settledBy.get(result);
    if (!child) this.#settledBy.set(result, (child = this.settled.labels({ result })));
    child.inc();
  }

  /** A record of `partition` appended at `timestamp` is being handled until the returned function is called (push_consumer_lag_seconds). */
  handling(partition: number, timestamp: number): () => void {
    let records = this.#handling.get(partition);
    if (!records) this.#handling.set(partition, (records = new Map()));
    const id = this.#nextHandling++;
    records.set(id, timestamp);
    return () => void records.delete(id);
  }
}

/** A provider's reason code as a bounded label: short identifier-like codes pass, anything else is "other". */
export function reasonLabel(reason: string): string {
  return /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/.test(reason) ? reason : 'other';
}
