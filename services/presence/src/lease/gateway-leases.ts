// Gateway leases: every gateway instance renews its lease on the lease topic every few seconds;
// every presence instance hears all of them (its own consumer group, starting at the end: only
// fresh renewals matter) and, when a gateway's lease runs out (it died without a goodbye) or it
// says goodbye (ttl 0), takes that gateway's sessions offline in the partitions it owns — the
// other presence instances do the same for theirs. A gateway that comes back simply renews its
// lease, and its sessions' next events are applied as usual.
import { fromBinary } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import type { ConsumedRecord, EventLog, Logger, Subscription } from '@switchboard/runtime';
import type { PresenceOwner, PresenceMetrics } from '../owner';
import type { SessionStore } from '../store';
import { LeaseTable } from './lease-table';

export const PRESENCE_LEASES_TOPIC = 'switchboard.presence.leases';
const DEFAULT_SWEEP_INTERVAL_MS = 1_000;

export interface GatewayLeasesOptions {
  eventLog: EventLog;
  owner: Pick<PresenceOwner, 'expireGateway' | 'retryUnannounced' | 'ownedPartitions'>;
  store: Pick<SessionStore, 'gatewaysIn'>;
  metrics: Pick<PresenceMetrics, 'leaseExpiries' | 'gatewaysLeased'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Unique per presence instance: each one must hear every lease. */
  groupId: string;
  /** One lease TTL: how long after start gateways holding sessions but never heard of are spared. */
  graceMs: number;
  /** Default PRESENCE_LEASES_TOPIC. */
  topic?: string;
  /** How often leases are checked (default 1 s): the slack on top of the TTL. */
  sweepIntervalMs?: number;
  now?: () => number;
}

export class GatewayLeases {
  readonly #options: GatewayLeasesOptions;
  readonly #now: () => number;
  readonly #table: LeaseTable;
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #sweepAgain = false;
  #nextUnleasedCheck: number;

  private constructor(options: GatewayLeasesOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const startedAt = this.#now();
    this.#table = new LeaseTable({ startedAt, graceMs: options.graceMs });
    this.#nextUnleasedCheck = startedAt + options.graceMs;
  }

  static async start(options: GatewayLeasesOptions): Promise<GatewayLeases> {
    const leases = new GatewayLeases(options);
    leases.#subscription = await options.eventLog.subscribe({
      groupId: options.groupId,
      topics: [options.topic ?? PRESENCE_LEASES_TOPIC],
      handler: (record) => leases.#received(record),
      fromBeginning: false,
      onError: (err) => options.logger.error({ err }, 'gateway lease consumer stopped for good'),
    });
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    leases.#timer = setInterval(() => void leases.sweep(), interval);
    leases.#timer.unref();
    return leases;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.stop();
    await this.#sweeping;
  }

  #received(record: ConsumedRecord): void {
    let lease: presenceV1.GatewayLease;
    try {
      lease = fromBinary(presenceV1.GatewayLeaseSchema, record.value);
    } catch (err) {
      // Nothing to retry: the next renewal of that gateway carries the same information.
      this.#options.logger.warn({ err, offset: record.offset }, 'unreadable gateway lease ignored');
      return;
    }
    if (lease.gatewayInstanceId === '') return;
    this.#table.renew(lease.gatewayInstanceId, Number(lease.ttlMs), this.#now());
    this.#options.metrics.gatewaysLeased.set(this.#table.size);
    if (lease.ttlMs <= 0n) void this.sweep();
  }

  /** Expires what ran out; one sweep at a time (a request during one runs another after it). */
  sweep(): Promise<void> {
    if (this.#sweeping) {
      this.#sweepAgain = true;
      return this.#sweeping;
    }
    this.#sweeping = this.#sweepOnce()
      .catch((err: unknown) => this.#options.logger.warn({ err }, 'gateway lease sweep failed'))
      .finally(() => {
        this.#sweeping = undefined;
        if (this.#sweepAgain) {
          this.#sweepAgain = false;
          void this.sweep();
        }
      });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    const now = this.#now();
    const expired = this.#table.takeExpired(now);
    if (now >= this.#nextUnleasedCheck) {
      // Gateways that hold sessions here but never renewed since this instance started (they died
      // before it, or between two owners): checked once per TTL, it is a scan of the owned rows.
      this.#nextUnleasedCheck = now + this.#options.graceMs;
      const partitions = this.#options.owner.ownedPartitions();
      const holders = partitions.length > 0 ? await this.#options.store.gatewaysIn(partitions) : [];
      for (const gateway of this.#table.unleased(holders, now)) if (!expired.includes(gateway)) expired.push(gateway);
    }
    this.#options.metrics.gatewaysLeased.set(this.#table.size);
    for (const gateway of expired) {
      // Counted when decided (before the announcements it causes).
      this.#options.metrics.leaseExpiries.inc();
      const users = await this.#options.owner.expireGateway(gateway);
      this.#options.logger.info({ gateway, users }, 'gateway lease expired: its sessions are offline');
    }
    await this.#options.owner.retryUnannounced();
  }

  /** Whether the gateway holds a live lease as this instance heard it. */
  isLive(gatewayInstanceId: string): boolean {
    return this.#table.isLive(gatewayInstanceId, this.#now());
  }
}
