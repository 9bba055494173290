// The presence owner's metrics, on the service's registry.
import { Counter, Gauge } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';

export class PresenceMetrics {
  readonly changesIn: Counter<'kind'>;
  readonly changesOut: Counter;
  readonly usersOnline: Gauge;
  readonly deadLettered: Counter;
  readonly partitionsOwned: Gauge;
  readonly leaseExpiries: Counter;
  readonly gatewaysLeased: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.changesIn = new Counter({
      name: 'presence_changes_in_total', help: 'Session presence events handled by their owner, by kind (connected, updated, disconnected).',
      labelNames: ['kind'], registers,
    });
    this.changesOut = new Counter({
      name: 'presence_changes_out_total', help: 'Changes of a user\'s aggregated presence handed to the sink (identical ones are not).', registers,
    });
    this.usersOnline = new Gauge({
      name: 'presence_users_online', help: 'Users this instance owns whose aggregated presence is not offline.', registers,
    });
    this.deadLettered = new Counter({
      name: 'presence_events_dead_lettered_total', help: 'Session presence events sent to the dead-letter topic (poison, or out of attempts).', registers,
    });
    this.partitionsOwned = new Gauge({
      name: 'presence_partitions_owned', help: 'Partitions of the session presence topic this instance owns.', registers,
    });
    this.leaseExpiries = new Counter({
      name: 'presence_lease_expiries_total', help: 'Gateway leases that ran out or ended (goodbye): their sessions were taken offline.', registers,
    });
    this.gatewaysLeased = new Gauge({
      name: 'presence_gateways_leased', help: 'Gateway instances holding a live lease with this presence instance.', registers,
    });
  }
}
