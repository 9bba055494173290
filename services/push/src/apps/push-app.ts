// The apps the push service delivers for, as the provider clients consume them: one FCM project
// or one APNs team key + bundle per app. Devices name their app (platform + app_id), which picks
// the credentials a notification is sent with.

export type Platform = 'fcm' | 'apns';
export const PLATFORMS: readonly Platform[] = ['fcm', 'apns'];

export type ApnsEnvironment = 'production' | 'sandbox';

/** The fields of a Google service account key file (JSON) that OAuth needs. */
export interface GoogleServiceAccount {
  client_email: string;
  /** PKCS#8 PEM of the account's RSA key. */
  private_key: string;
  /** Where the signed JWT is exchanged for an access token. */
  token_uri: string;
}

export interface FcmAppConfig {
  platform: 'fcm';
  appId: string;
  /** The Firebase project: messages go to `{baseUrl}/v1/projects/{projectId}/messages:send`. */
  projectId: string;
  serviceAccount: GoogleServiceAccount;
  /** PUSH_FCM_BASE_URL (https://fcm.googleapis.com unless tests point it at a fake). */
  baseUrl: string;
}

export interface ApnsAppConfig {
  platform: 'apns';
  appId: string;
  /** The Apple developer team (JWT `iss`). */
  teamId: string;
  /** The id of the .p8 signing key (JWT `kid`). */
  keyId: string;
  /** The .p8 key: PKCS#8 PEM of a P-256 EC key (ES256). */
  privateKeyPem: string;
  /** The app's bundle id: the `apns-topic` header. */
  bundleId: string;
  environment: ApnsEnvironment;
  /** PUSH_APNS_BASE_URL when set; else Apple's production or sandbox host, as `environment` says. */
  baseUrl: string;
}

export type PushAppConfig = FcmAppConfig | ApnsAppConfig;

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';
export const APNS_SANDBOX_URL = 'https://api.sandbox.push.apple.com';

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
