// The apps the push service delivers for, as the provider clients consume them: one FCM project
// or one APNs team key + bundle per app. Devices name their app (platform + app_id), which picks
// the credentials a notification is sent with.

// The shapes are the provider registry's (providers/app-config.ts) with what the service always
// resolves when it parses PUSH_APPS: the base URL and the APNs environment.
import type { ApnsAppConfig as ProviderApnsApp, FcmAppConfig as ProviderFcmApp } from '../providers/app-config';
import type { ServiceAccount } from '../providers/fcm-auth';
import type { Platform } from '../providers/provider';

export { APNS_PRODUCTION_URL, APNS_SANDBOX_URL } from '../providers/apns-provider';
export { PLATFORMS } from '../providers/provider';
export type { Platform } from '../providers/provider';

export type ApnsEnvironment = 'production' | 'sandbox';

/** The fields of a Google service account key file (JSON) that OAuth needs. */
export type GoogleServiceAccount = ServiceAccount;

/** PUSH_FCM_BASE_URL (https://fcm.googleapis.com unless tests point it at a fake) is always resolved. */
export type FcmAppConfig = ProviderFcmApp & { baseUrl: string };

/** PUSH_APNS_BASE_URL when set, else Apple's production or sandbox host as `environment` says. */
export type ApnsAppConfig = ProviderApnsApp & { baseUrl: string; environment: ApnsEnvironment };

export type PushAppConfig = FcmAppConfig | ApnsAppConfig;

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** The configured apps, looked up by (platform, app id): the registry's check and the providers' key. */
export class PushApps {
  private readonly byKey = new Map<string, PushAppConfig>();

  constructor(readonly all: readonly PushAppConfig[]) {
    for (const app of all) this.byKey.set(key(app.platform, app.appId), app);
  }

  find(platform: Platform, appId: string): PushAppConfig | undefined {
    return this.byKey.get(key(platform, appId));
  }

  idsOf(platform: Platform): string[] {
    return this.all.filter((app) => app.platform === platform).map((app) => app.appId);
  }
}

function key(platform: Platform, appId: string): string {
  return `${platform}\u0000${appId}`;
}
