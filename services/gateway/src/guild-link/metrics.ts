// The guild link's metrics: fan-out events received / applied / deduplicated, streams connected,
// interest pairs held, and how long READY waits for the guild instances (sync latency).
import { Counter, Gauge, Histogram } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';

export class GuildLinkMetrics {
  readonly eventsReceived: Counter;
  readonly eventsApplied: Counter;
  readonly eventsDeduplicated: Counter;
  readonly streamsConnected: Gauge;
  readonly streamReconnects: Counter;
  readonly interestPairs: Gauge;
  readonly syncLatency: Histogram;
  readonly syncTimeouts: Counter;
  readonly memberRequestsRateLimited: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.eventsReceived = new Counter({ name: 'gateway_fanout_events_received_total', help: 'FanoutEvents received from guild instances.', registers });
    this.eventsApplied = new Counter({ name: 'gateway_fanout_events_applied_total', help: 'FanoutEvents dispatched to sessions.', registers });
    this.eventsDeduplicated = new Counter({
      name: 'gateway_fanout_events_deduplicated_total', help: 'FanoutEvents dropped: at or below the highest offset applied for their partition.', registers,
    });
    this.streamsConnected = new Gauge({ name: 'gateway_fanout_streams_connected', help: 'Fanout streams to guild instances that answered their snapshot.', registers });
    this.streamReconnects = new Counter({ name: 'gateway_fanout_stream_reconnects_total', help: 'Fanout streams that ended or failed and were retried.', registers });
    this.interestPairs = new Gauge({ name: 'gateway_interest_pairs', help: '(scope, user) interest pairs announced to the guild instances.', registers });
    this.syncLatency = new Histogram({
      name: 'gateway_interest_sync_seconds', help: 'From an interest sync to every guild instance applying it.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers,
    });
    this.syncTimeouts = new Counter({ name: 'gateway_interest_sync_timeouts_total', help: 'Interest syncs a guild instance did not answer in time.', registers });
    this.memberRequestsRateLimited = new Counter({
      name: 'gateway_member_requests_rate_limited_total', help: 'op 8 requests answered with RATE_LIMITED.', registers,
    });
  }
}
