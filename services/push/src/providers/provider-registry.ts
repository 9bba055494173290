// All push providers of an instance, built from its apps: one FCM client per app (apps share the
// HTTP/2 pool to their FCM host, and a quota per FCM project), one APNs client per app (a pool per
// host and team, a provider token per team key, a quota per app). Devices are routed by
// (platform, appId): the same app id may exist on both platforms.
import type { ConnectionOptions } from 'node:tls';
import { ApnsProviderToken } from './apns-auth';
import { APNS_PRODUCTION_URL, APNS_SANDBOX_URL, ApnsProvider } from './apns-provider';
import { ProviderConfigError, type ApnsAppConfig, type FcmAppConfig, type PushAppConfig } from './app-config';
import { FCM_DEFAULT_BASE_URL, FcmProvider } from './fcm-provider';
import { Http2SessionPool } from './http2-pool';
import type { DeviceTarget, Platform, PushProvider, RenderedNotification, SendOutcome } from './provider';
import { QuotaLimiters, type Clock } from './quota';

export const DEFAULT_RATE_PER_MINUTE = 600_000;

export interface PlatformSettings {
  /** For apps without their own baseUrl. */
  baseUrl?: string;
  maxSessions?: number;
  maxStreamsPerSession?: number;
  requestTimeoutMs?: number;
  connectOptions?: ConnectionOptions;
  /** Local quota per FCM project / per APNs app (default 600,000 a minute). */
  ratePerMinute?: number;
  /** Back-to-back sends allowed after idle (default one second's worth). */
  quotaBurst?: number;
  /** Sends allowed to wait for the quota before being turned away as retries (default 10,000). */
  maxQuotaWaiting?: number;
}

export interface ProviderRegistryOptions {
  apps: readonly PushAppConfig[];
  fcm?: PlatformSettings & { credentialFailureHoldMs?: number };
  apns?: PlatformSettings & { tokenRenewMinutes?: number; expirationSeconds?: number };
  /** Wall clock for credentials (tests step it). */
  now?: () => number;
  /** Clock for the quotas (tests step it). */
  quotaClock?: Clock;
}

export class ProviderRegistry {
  private readonly providers = new Map<string, PushProvider>();
  private readonly pools = new Map<string, Http2SessionPool>();
  private readonly quotas: QuotaLimiters[] = [];
  private readonly routers: Record<Platform, PushProvider>;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ProviderRegistryOptions) {
    const fcmQuotas = this.quotaSet(options.fcm ?? {});
    const apnsQuotas = this.quotaSet(options.apns ?? {});
    const apnsTokens = new Map<string, ApnsProviderToken>();
    for (const app of options.apps) {
      const key = routeKey(app.platform, app.appId);
      if (this.providers.has(key)) throw new ProviderConfigError(app.appId, `configured twice for ${app.platform}`);
      try {
        this.providers.set(key, app.platform === 'fcm' ? this.fcm(app, fcmQuotas) : this.apns(app, apnsQuotas, apnsTokens));
      } catch (error) {
        if (error instanceof ProviderConfigError) throw error;
        throw new ProviderConfigError(app.appId, error instanceof Error ? error.message : String(error));
      }
    }
    this.routers = { fcm: this.router('fcm'), apns: this.router('apns') };
  }

  /** One PushProvider per platform, routing by appId (what the delivery pipeline takes). */
  byPlatform(): Record<Platform, PushProvider> {
    return this.routers;
  }

  provider(platform: Platform, appId: string): PushProvider | undefined {
    return this.providers.get(routeKey(platform, appId));
  }

  /** Sends through the device's app; an unknown app is a rejected outcome. */
  send(target: DeviceTarget, notification: RenderedNotification, signal?: AbortSignal): Promise<SendOutcome> {
    const provider = this.providers.get(routeKey(target.platform, target.appId));
    if (!provider) return Promise.resolve({ kind: 'rejected', reason: `no ${target.platform} push app ${JSON.stringify(target.appId)} is configured` });
    return provider.send(target, notification, signal);
  }

  /** Closes every provider and connection (once, whichever router or caller asks). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const quota of this.quotas) quota.close();
      await Promise.all([...this.providers.values()].map((p) => p.close()));
      await Promise.all([...this.pools.values()].map((p) => p.close()));
    })();
    return this.closing;
  }

  private router(platform: Platform): PushProvider {
    return {
      platform,
      send: (target, notification, signal) =>
        target.platform === platform
          ? this.send(target, notification, signal)
          : Promise.resolve({ kind: 'rejected', reason: `an ${target.platform} device was handed to the ${platform} provider` }),
      close: () => this.close(),
    };
  }

  private fcm(app: FcmAppConfig, quotas: QuotaLimiters): FcmProvider {
    const settings = this.options.fcm ?? {};
    return new FcmProvider({
      projectId: app.projectId,
      serviceAccount: app.serviceAccount,
      pool: this.pool(app.baseUrl ?? settings.baseUrl ?? FCM_DEFAULT_BASE_URL, '', settings),
      requestTimeoutMs: settings.requestTimeoutMs,
      connectOptions: settings.connectOptions,
      credentialFailureHoldMs: settings.credentialFailureHoldMs,
      // Google's quota is per project, whichever app sends.
      quota: quotas.bucket(`fcm:${app.projectId}`, app.ratePerMinute),
      now: this.options.now,
    });
  }

  private apns(app: ApnsAppConfig, quotas: QuotaLimiters, tokens: Map<string, ApnsProviderToken>): ApnsProvider {
    const settings = this.options.apns ?? {};
    const baseUrl = app.baseUrl ?? settings.baseUrl ?? (app.environment === 'sandbox' ? APNS_SANDBOX_URL : APNS_PRODUCTION_URL);
    // One renewal schedule per key: APNs refuses a key's token renewed more often than every 20 minutes.
    const tokenKey = `${app.teamId}/${app.keyId}`;
    let token = tokens.get(tokenKey);
    if (!token) {
      token = new ApnsProviderToken({
        teamId: app.teamId,
        keyId: app.keyId,
        privateKeyPem: app.privateKeyPem,
        renewMinutes: settings.tokenRenewMinutes,
        now: this.options.now,
      });
      tokens.set(tokenKey, token);
    }
    return new ApnsProvider({
      teamId: app.teamId,
      keyId: app.keyId,
      privateKeyPem: app.privateKeyPem,
      bundleId: app.bundleId,
      token,
      // Connections carry one team's tokens.
      pool: this.pool(baseUrl, app.teamId, settings),
      expirationSeconds: settings.expirationSeconds,
      quota: quotas.bucket(`apns:${app.appId}`, app.ratePerMinute),
      now: this.options.now,
    });
  }

  private pool(baseUrl: string, partition: string, settings: PlatformSettings): Http2SessionPool {
    const key = `${new URL(baseUrl).origin} ${partition}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Http2SessionPool({
        origin: baseUrl,
        maxSessions: settings.maxSessions,
        maxStreamsPerSession: settings.maxStreamsPerSession,
        requestTimeoutMs: settings.requestTimeoutMs,
        connectOptions: settings.connectOptions,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private quotaSet(settings: PlatformSettings): QuotaLimiters {
    const quotas = new QuotaLimiters({
      ratePerMinute: settings.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
      burst: settings.quotaBurst,
      maxWaiting: settings.maxQuotaWaiting,
      clock: this.options.quotaClock,
    });
    this.quotas.push(quotas);
    return quotas;
  }
}

function routeKey(platform: Platform, appId: string): string {
  return `${platform}\u0000${appId}`;
}
