// The coalescer's metrics: how many owner changes went in, how many user presences went out to
// the guilds, and their ratio (the coalescing ratio: changes per published presence).
import { Counter, Gauge } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';

export class CoalescerMetrics {
  readonly changesTaken: Counter;
  readonly published: Counter;
  readonly suppressed: Counter;
  readonly flushes: Counter;
  readonly flushFailures: Counter;
  readonly pendingUsers: Gauge;
  readonly ratio: Gauge;
  #changesFlushed = 0;
  #publishedTotal = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.changesTaken = new Counter({ name: 'presence_coalescer_changes_total', help: 'Aggregated presence changes taken by the coalescer.', registers });
    this.published = new Counter({
      name: 'presence_updates_published_total', help: 'User presences published to the guild service (one per user per window at most).', registers,
    });
    this.suppressed = new Counter({
      name: 'presence_updates_suppressed_total', help: 'Users whose window ended on the presence it started with: nothing published.', registers,
    });
    this.flushes = new Counter({ name: 'presence_coalescer_flushes_total', help: 'Windows published to the guild service.', registers });
    this.flushFailures = new Counter({ name: 'presence_coalescer_flush_failures_total', help: 'Windows the guild service did not accept (retried).', registers });
    this.pendingUsers = new Gauge({ name: 'presence_coalescer_pending_users', help: 'Users with a change waiting for the next window.', registers });
    this.ratio = new Gauge({
      name: 'presence_coalescing_ratio', help: 'Changes taken per presence published, since start (1 = no coalescing; higher = more saved).', registers,
    });
  }

  recordFlush(changes: number, published: number, suppressed: number): void {
    this.flushes.inc();
    this.published.inc(published);
    this.suppressed.inc(suppressed);
    this.#changesFlushed += changes;
    this.#publishedTotal += published;
    if (this.#publishedTotal > 0) this.ratio.set(this.#changesFlushed / this.#publishedTotal);
  }
}
