// What the provider registry needs of each push app. The service's app configuration
// (src/apps/push-app.ts, parsed and validated from PUSH_APPS) is these types with the base URL and
// the APNs environment resolved; here they are optional, as is the local quota rate.
import type { ServiceAccount } from './fcm-auth';

export interface FcmAppConfig {
  platform: 'fcm';
  appId: string;
  projectId: string;
  serviceAccount: ServiceAccount;
  /** Default: the registry's FCM base URL. */
  baseUrl?: string;
  /** Local quota of the app's project (default: the platform's). */
  ratePerMinute?: number;
}

export interface ApnsAppConfig {
  platform: 'apns';
  appId: string;
  teamId: string;
  keyId: string;
  /** The .p8 key (PKCS#8 PEM, EC P-256). */
  privateKeyPem: string;
  /** apns-topic. */
  bundleId: string;
  environment?: 'production' | 'sandbox';
  /** Default: the registry's APNs base URL, else Apple's host for `environment`. */
  baseUrl?: string;
  ratePerMinute?: number;
}

export type PushAppConfig = FcmAppConfig | ApnsAppConfig;

/** An app cannot be served as configured (bad key, duplicate id, ...): the service must not start. */
export class ProviderConfigError extends Error {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(`push app ${JSON.stringify(appId)}: ${message}`);
    this.name = 'ProviderConfigError';
  }
}
