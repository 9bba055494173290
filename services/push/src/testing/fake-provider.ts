// What the two provider fakes share: the HTTP/2 server under them, the fault injector, the tokens
// they answer as unregistered, and the per-token delivery counts tests and benches read.
import type { FakeHttp2Server, FakeServerStats } from './fake-http2-server';
import type { FaultInjector } from './fault-injector';

export abstract class FakeProvider {
  /** Tokens answered as unregistered (FCM UNREGISTERED, APNs 410 Unregistered). */
  readonly unregistered = new Set<string>();
  protected readonly deliveriesByToken = new Map<string, number>();
  protected server!: FakeHttp2Server;

  protected constructor(readonly faults: FaultInjector) {}

  /** Where clients reach it (h2c). */
  get url(): string {
    return this.server.url;
  }

  /** Accepted sends to the token. */
  deliveries(token: string): number {
    return this.deliveriesByToken.get(token) ?? 0;
  }

  stats(): FakeServerStats {
    return this.server.stats();
  }

  /** GOAWAY on every connection (clients must reconnect). */
  goawayAll(): void {
    this.server.goawayAll();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  protected countDelivery(token: string): void {
    this.deliveriesByToken.set(token, this.deliveries(token) + 1);
  }
}
