// This gateway instance's lease with the presence service: a GatewayLease record (keyed by the
// instance id) at start and every interval, each saying "my sessions are alive for ttl more"; a
// last one with ttl 0 on graceful shutdown (the goodbye), so the presence service takes the
// remaining sessions offline at once. A killed instance just stops renewing: its sessions go
// offline when the TTL runs out. A failed renewal is logged; the next one may still make it
// (the TTL spans several intervals). An instance that was alive but could not renew for about a TTL
// (a partition from Kafka, a long pause) may have had its sessions taken offline meanwhile: each
// acknowledged renewal reports how long it has been since the previous one (onRenewed), and the
// owner re-announces its sessions when that gap came close to the TTL.
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { presenceV1 } from '@switchboard/proto';
import type { EventLog, Logger } from '@switchboard/runtime';

export const PRESENCE_LEASES_TOPIC = 'switchboard.presence.leases';
export const DEFAULT_LEASE_INTERVAL_MS = 5_000;
export const DEFAULT_LEASE_TTL_MS = 15_000;

export interface GatewayLeaseOptions {
  eventLog: EventLog;
  instanceId: string;
  logger: Pick<Logger, 'warn'>;
  topic?: string;
  /** Between renewals (default 5 s). */
  intervalMs?: number;
  /** The TTL each renewal grants (default 15 s: three missed renewals). */
  ttlMs?: number;
  /** After each acknowledged renewal: ms since the previous acknowledged one (undefined for the first). */
  onRenewed?: (gapMs: number | undefined) => void;
  now?: () => number;
}

export class GatewayLease {
  readonly #options: GatewayLeaseOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastAcked: number | undefined;

  private constructor(options: GatewayLeaseOptions) {
    this.#options = options;
  }

  /** Renews at once (resolves when that first renewal was acknowledged or failed), then every interval. */
  static async start(options: GatewayLeaseOptions): Promise<GatewayLease> {
    const lease = new GatewayLease(options);
    await lease.#renew(options.ttlMs ?? DEFAULT_LEASE_TTL_MS);
    lease.#timer = setInterval(() => void lease.#renew(options.ttlMs ?? DEFAULT_LEASE_TTL_MS), options.intervalMs ?? DEFAULT_LEASE_INTERVAL_MS);
    lease.#timer.unref();
    return lease;
  }

  /** Graceful shutdown: no more renewals, then the goodbye (ttl 0). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#renew(0);
  }

  /** One renewal now, outside the interval (tests drive renewals with it). */
  renewNow(): Promise<void> {
    return this.#renew(this.#options.ttlMs ?? DEFAULT_LEASE_TTL_MS);
  }

  /** Stops renewing without a goodbye (tests: as if the process was killed). */
  abandon(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #renew(ttlMs: number): Promise<void> {
    if (this.#stopped && ttlMs > 0) return;
    const { eventLog, instanceId, topic = PRESENCE_LEASES_TOPIC, now = Date.now } = this.#options;
    const lease = create(presenceV1.GatewayLeaseSchema, { gatewayInstanceId: instanceId, ttlMs: BigInt(ttlMs), at: timestampFromMs(now()) });
    try {
      await eventLog.produce(topic, [{ key: instanceId, value: Buffer.from(toBinary(presenceV1.GatewayLeaseSchema, lease)) }]);
      if (ttlMs === 0) return;
      const acked = now();
      const gap = this.#lastAcked === undefined ? undefined : acked - this.#lastAcked;
      this.#lastAcked = acked;
      this.#options.onRenewed?.(gap);
    } catch (err) {
      this.#options.logger.warn({ err, ttlMs }, 'gateway presence lease not renewed');
    }
  }
}
