// The providers of a bench run: the FCM and APNs fakes (services/push/src/testing) with a fixed
// answer latency and without recording messages, the PUSH_APPS entries pointing the push process
// at them, and a timeline of their delivery counts sampled every few milliseconds (the bench's
// clock for "first delivery" … "last delivery").
import { performance } from 'node:perf_hooks';
import { FakeApns, FakeFcm, generateApnsKey, generateServiceAccount } from '../../services/push/src/testing';
import { APNS_APP, APNS_BUNDLE, FCM_APP } from './setup';

/** Connections the providers accepted (FCM's includes its OAuth token endpoint's) and the most streams open at once. */
export interface ProviderStats { fcmConnections: number; fcmMaxStreams: number; apnsConnections: number; apnsMaxStreams: number }

export interface Fakes {
  /** Which implementation answers: the TypeScript fakes of services/push/src/testing, or the Go sink. */
  kind: 'node' | 'go';
  /** PUSH_APPS, PUSH_FCM_BASE_URL and PUSH_APNS_BASE_URL for the push process. */
  env: Record<string, string>;
  /** Deliveries so far; read synchronously by the timeline every few milliseconds. */
  delivered(): number;
  stats(): ProviderStats;
  /** CPU (user + system, seconds) the providers used so far. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

export async function startFakes(latencyMs: number): Promise<Fakes> {
  // Streams per connection are the client's setting (PUSH_CONNECTION_CONCURRENCY): the fakes allow plenty.
  const fcm = await FakeFcm.start({ latencyMs, recordMessages: false, maxConcurrentStreams: 10_000 });
  const apns = await FakeApns.start({ latencyMs, recordMessages: false, maxConcurrentStreams: 10_000 });
  const account = generateServiceAccount({ tokenUri: fcm.tokenUri, projectId: 'switchboard-bench' });
  fcm.addServiceAccount(account.serviceAccount.client_email, account.publicKey, [account.projectId]);
  const key = generateApnsKey();
  apns.addKey({ teamId: key.teamId, keyId: key.keyId, publicKey: key.publicKey, topics: [APNS_BUNDLE] });
  const apps = [
    { app_id: FCM_APP, platform: 'fcm', service_account: account.serviceAccount },
    { app_id: APNS_APP, platform: 'apns', team_id: key.teamId, key_id: key.keyId, private_key: key.privateKeyPem, bundle_id: APNS_BUNDLE, environment: 'sandbox' },
  ];
  return {
    kind: 'node',
    env: { PUSH_APPS: JSON.stringify(apps), PUSH_FCM_BASE_URL: fcm.url, PUSH_APNS_BASE_URL: apns.url },
    delivered: () => fcm.delivered + apns.delivered,
    stats: () => {
      const [f, a] = [fcm.stats(), apns.stats()];
      return { fcmConnections: f.sessions, fcmMaxStreams: f.maxActiveStreams, apnsConnections: a.sessions, apnsMaxStreams: a.maxActiveStreams };
    },
    // The fakes run on the bench's own event loop: its CPU (the timeline's sampling is small beside them).
    cpuSeconds: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
    close: async () => {
      await fcm.close();
      await apns.close();
    },
  };
}

/** Deliveries counted by the fakes over time: (ms, count) whenever the count moved. */
export class DeliveryTimeline {
  readonly samples: { at: number; count: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly count: () => number, intervalMs = 20) {
    const base = count();
    this.samples.push({ at: performance.now(), count: 0 });
    this.#timer = setInterval(() => {
      const now = count() - base;
      if (now !== this.samples[this.samples.length - 1]!.count) this.samples.push({ at: performance.now(), count: now });
    }, intervalMs);
  }

  get delivered(): number {
    return this.samples[this.samples.length - 1]!.count;
  }

  get lastChangeAt(): number {
    return this.samples[this.samples.length - 1]!.at;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** When the count first reached `target` (interpolated between samples); NaN if it never did. */
  timeOf(target: number): number {
    for (let i = 1; i < this.samples.length; i++) {
      const [a, b] = [this.samples[i - 1]!, this.samples[i]!];
      if (b.count >= target) return a.at + ((target - a.count) / (b.count - a.count)) * (b.at - a.at);
    }
    return Number.NaN;
  }

  /** Highest rate (per second) over any window of `windowMs`. */
  peakRate(windowMs: number): number {
    let best = 0;
    let j = 0;
    for (let i = 0; i < this.samples.length; i++) {
      while (this.samples[i]!.at - this.samples[j]!.at > windowMs) j++;
      const span = this.samples[i]!.at - this.samples[j]!.at;
      if (span >= windowMs * 0.5) best = Math.max(best, ((this.samples[i]!.count - this.samples[j]!.count) / span) * 1000);
    }
    return best;
  }
}
