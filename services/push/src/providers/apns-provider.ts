// APNs client: POST {baseUrl}/3/device/{token} over persistent HTTP/2 sessions with a provider JWT,
// answers classified into SendOutcome.
import { ApnsProviderToken } from './apns-auth';
import { apnsHeaders, apnsReason, buildApnsPayload, classifyApnsResponse } from './apns-message';
import { poolFor, type Http2Response, type Http2SessionPool, type PoolChoice } from './http2-pool';
import { quotaWait, transportOutcome } from './outcomes';
import type { DeviceTarget, PushProvider, RenderedNotification, SendOutcome } from './provider';
import type { TokenBucket } from './quota';

export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';
export const APNS_SANDBOX_URL = 'https://api.sandbox.push.apple.com';

/** baseUrl defaults to https://api.push.apple.com (the tests point it at the fake); `pool` is one shared with other apps of the same team. */
export interface ApnsProviderOptions extends PoolChoice {
  teamId: string;
  keyId: string;
  privateKeyPem: string;
  /** apns-topic: the app's bundle id. */
  bundleId: string;
  /** Provider JWT renewal period, 20–60 minutes (default 40). */
  tokenRenewMinutes?: number;
  /** A provider token shared by apps using the same key (one renewal schedule per key); else built here. */
  token?: ApnsProviderToken;
  /** apns-expiration = now + this (default 1 day): APNs keeps trying an offline device that long; 0 = try once. */
  expirationSeconds?: number;
  quota?: TokenBucket;
  /** Wall clock (JWT iat, apns-expiration); tests step it. */
  now?: () => number;
}

export class ApnsProvider implements PushProvider {
  readonly platform = 'apns' as const;
  readonly token: ApnsProviderToken;
  private readonly pool: Http2SessionPool;
  private readonly ownsPool: boolean;
  private readonly quota: TokenBucket | undefined;
  private readonly now: () => number;
  private readonly expirationSeconds: number;

  constructor(private readonly options: ApnsProviderOptions) {
    if (options.bundleId.trim() === '') throw new Error('bundleId is required (the apns-topic)');
    this.now = options.now ?? Date.now;
    this.token = options.token ?? new ApnsProviderToken({
      teamId: options.teamId,
      keyId: options.keyId,
      privateKeyPem: options.privateKeyPem,
      renewMinutes: options.tokenRenewMinutes,
      now: this.now,
    });
    this.expirationSeconds = options.expirationSeconds ?? 86_400;
    ({ pool: this.pool, owned: this.ownsPool } = poolFor(options, APNS_PRODUCTION_URL));
    this.quota = options.quota;
  }

  async send(target: DeviceTarget, notification: RenderedNotification, signal?: AbortSignal): Promise<SendOutcome> {
    if (target.platform !== 'apns') return { kind: 'rejected', reason: `an ${target.platform} device cannot be sent through APNs` };
    if (target.token === '') return { kind: 'unregistered', reason: 'empty device token' };
    const waiting = quotaWait(this.quota, signal);
    if (waiting) {
      const stop = await waiting;
      if (stop) return stop;
    }
    const body = JSON.stringify(buildApnsPayload(notification));
    const first = await this.attempt(target.token, notification.collapseId, body, signal);
    // ExpiredProviderToken: our token aged past APNs' hour (clock drift, a long pause): renew, try once more.
    if (first.response?.status === 403 && apnsReason(first.response.body).reason === 'ExpiredProviderToken') {
      this.token.renewIfCurrent(first.jwt);
      return (await this.attempt(target.token, notification.collapseId, body, signal)).outcome;
    }
    return first.outcome;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }

  private async attempt(
    deviceToken: string,
    collapseId: string,
    body: string,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: SendOutcome; jwt: string; response?: Http2Response }> {
    const jwt = this.token.current();
    const headers = apnsHeaders({
      jwt,
      topic: this.options.bundleId,
      collapseId,
      // 0 asks APNs to try once and not store the notification.
      expiresAt: this.expirationSeconds === 0 ? 0 : Math.floor(this.now() / 1000) + this.expirationSeconds,
    });
    const started = performance.now();
    let response: Http2Response;
    try {
      response = await this.pool.request({ path: `/3/device/${encodeURIComponent(deviceToken)}`, headers, body, signal });
    } catch (error) {
      return { outcome: transportOutcome(error), jwt };
    }
    return { outcome: classifyApnsResponse(response, performance.now() - started), jwt, response };
  }
}
