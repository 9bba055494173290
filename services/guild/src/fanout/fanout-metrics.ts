// The fan-out's metrics, on the service's registry. Labels are bounded: the event type is one of
// the known dispatch names, else "other" (product Dispatch events may carry any name).
import { Counter, Gauge, Histogram } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';

const KNOWN_TYPES = new Set([
  'GUILD_CREATE', 'GUILD_UPDATE', 'GUILD_DELETE',
  'CHANNEL_CREATE', 'CHANNEL_UPDATE', 'CHANNEL_DELETE',
  'GUILD_ROLE_CREATE', 'GUILD_ROLE_UPDATE', 'GUILD_ROLE_DELETE',
  'GUILD_MEMBER_ADD', 'GUILD_MEMBER_UPDATE', 'GUILD_MEMBER_REMOVE', 'GUILD_MEMBERS_CHUNK',
  'MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE', 'MESSAGE_REACTION_ADD', 'MESSAGE_REACTION_REMOVE',
  'TYPING_START', 'USER_UPDATE',
]);

export function eventTypeLabel(type: string): string {
  return KNOWN_TYPES.has(type) ? type : 'other';
}

export class FanoutMetrics {
  readonly eventsApplied: Counter<'type'>;
  readonly messagesSent: Counter;
  readonly visibleDeliveries: Counter;
  readonly gatewayStreams: Gauge;
  readonly ackWaitSeconds: Histogram;
  readonly ackTimeouts: Counter;
  readonly redeliveries: Counter;
  readonly pushRequests: Counter;
  readonly partitionsOwned: Gauge;
  readonly memberLists: Gauge;
  readonly memberListSubscriptions: Gauge;
  readonly memberListUpdatesSent: Counter;
  readonly memberListOpsSent: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.eventsApplied = new Counter({
      name: 'guild_fanout_events_applied_total', help: 'Guild events handled by their owner, by type.', labelNames: ['type'], registers,
    });
    this.messagesSent = new Counter({
      name: 'guild_fanout_messages_sent_total', help: 'FanoutEvent messages sent to gateway streams.', registers,
    });
    this.visibleDeliveries = new Counter({
      name: 'guild_fanout_visible_deliveries_total', help: 'Users who may see the events sent (summed over gateway streams).', registers,
    });
    this.gatewayStreams = new Gauge({
      name: 'guild_fanout_gateway_streams', help: 'Gateway Fanout streams connected (after hello).', registers,
    });
    this.ackWaitSeconds = new Histogram({
      name: 'guild_fanout_ack_wait_seconds', help: 'From sending an event to every gateway stream acking it.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers,
    });
    this.ackTimeouts = new Counter({
      name: 'guild_fanout_ack_timeouts_total', help: 'Gateway streams ended because they did not ack in time.', registers,
    });
    this.redeliveries = new Counter({
      name: 'guild_fanout_redeliveries_total', help: 'Records retried because a gateway stream was cut before acking them (sent again once it is back).', registers,
    });
    this.pushRequests = new Counter({
      name: 'guild_fanout_push_requests_total', help: 'Push requests produced for users without a session.', registers,
    });
    this.partitionsOwned = new Gauge({
      name: 'guild_fanout_partitions_owned', help: 'Guild event partitions this instance owns.', registers,
    });
    this.memberLists = new Gauge({
      name: 'guild_fanout_member_lists', help: 'Member lists held (one per guild and visibility with a subscriber; owner only).', registers,
    });
    this.memberListSubscriptions = new Gauge({
      name: 'guild_fanout_member_list_subscriptions', help: 'Member-list subscriptions the gateways declared to this instance.', registers,
    });
    this.memberListUpdatesSent = new Counter({
      name: 'guild_fanout_member_list_updates_sent_total', help: 'GUILD_MEMBER_LIST_UPDATE FanoutEvents sent to gateway streams.', registers,
    });
    this.memberListOpsSent = new Counter({
      name: 'guild_fanout_member_list_ops_sent_total', help: 'Member-list ops (SYNC, INSERT, UPDATE, DELETE) in the updates sent.', registers,
    });
  }
}
