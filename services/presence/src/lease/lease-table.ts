// The gateway leases as this presence instance heard them: when each gateway last renewed and for
// how long. Times are this instance's clock at receipt (never the gateway's `at`), so clock skew
// between machines cannot shorten or stretch a lease. Pure logic; the clock is passed in.

export interface LeaseTableOptions {
  /** When this instance started listening: gateways never heard of are not judged before startedAt + graceMs. */
  startedAt: number;
  /** One lease TTL: by then every live gateway has renewed at least once. */
  graceMs: number;
}

interface Lease {
  lastSeen: number;
  ttlMs: number;
}

export class LeaseTable {
  readonly #leases = new Map<string, Lease>();
  readonly #options: LeaseTableOptions;

  constructor(options: LeaseTableOptions) {
    this.#options = options;
  }

  /** A lease record arrived (ttlMs 0: the gateway said goodbye; it expires at the next check). */
  renew(gatewayInstanceId: string, ttlMs: number, now: number): void {
    this.#leases.set(gatewayInstanceId, { lastSeen: now, ttlMs: Math.max(0, ttlMs) });
  }

  /** Gateways whose lease ran out (now > lastSeen + ttl, or a goodbye), removed from the table. */
  takeExpired(now: number): string[] {
    const expired: string[] = [];
    for (const [gateway, lease] of this.#leases) {
      if (lease.ttlMs === 0 || now > lease.lastSeen + lease.ttlMs) expired.push(gateway);
    }
    for (const gateway of expired) this.#leases.delete(gateway);
    return expired;
  }

  /**
   * Of the gateways that hold sessions (as PostgreSQL says), those without a live lease here: a
   * gateway that died before this instance started, or whose expiry was missed. None until the
   * grace period after start is over (a live gateway may not have renewed yet).
   */
  unleased(holders: Iterable<string>, now: number): string[] {
    if (now < this.#options.startedAt + this.#options.graceMs) return [];
    return [...holders].filter((gateway) => !this.isLive(gateway, now));
  }

  isLive(gatewayInstanceId: string, now: number): boolean {
    const lease = this.#leases.get(gatewayInstanceId);
    return lease !== undefined && lease.ttlMs > 0 && now <= lease.lastSeen + lease.ttlMs;
  }

  /** Gateways holding a lease (live or not yet collected). */
  get size(): number {
    return this.#leases.size;
  }
}
