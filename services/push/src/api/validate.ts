// Request validation for the device API: every failure is an InvalidArgumentError naming the
// proto field, so the app's backend can point at what it sent wrong.
import { pushV1 } from '@switchboard/proto';
import { InvalidArgumentError, isSnowflake } from '@switchboard/runtime';
import type { Platform, PushApps } from '../apps';

/** FCM registration tokens are ~160 characters today; Google documents no bound, so leave room. */
export const MAX_FCM_TOKEN_LENGTH = 4096;
/** APNs device tokens are 32 bytes (64 hex characters); Apple warns they may grow, so allow some. */
export const MIN_APNS_TOKEN_LENGTH = 64;
export const MAX_APNS_TOKEN_LENGTH = 200;
export const MAX_LOCALE_LENGTH = 35;
export const MAX_APP_ID_LENGTH = 128;
export const MAX_LIST_USERS = 1000;

export function userId(value: string, field = 'user_id'): bigint {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  // parseSnowflake also accepts 0; no user has id 0, so it is rejected like garbage.
  if (!isSnowflake(value) || BigInt(value) === 0n) throw new InvalidArgumentError(field, `must be a snowflake (decimal string), got "${value}"`);
  return BigInt(value);
}

export function optionalUserId(value: string, field = 'user_id'): bigint | undefined {
  return value === '' ? undefined : userId(value, field);
}

export function platform(value: pushV1.Platform, field = 'platform'): Platform {
  if (value === pushV1.Platform.FCM) return 'fcm';
  if (value === pushV1.Platform.APNS) return 'apns';
  if (value === pushV1.Platform.UNSPECIFIED) throw new InvalidArgumentError(field, 'is required (PLATFORM_FCM or PLATFORM_APNS)');
  throw new InvalidArgumentError(field, `must be PLATFORM_FCM or PLATFORM_APNS, got ${value}`);
}

export function toProtoPlatform(value: Platform): pushV1.Platform {
  return value === 'fcm' ? pushV1.Platform.FCM : pushV1.Platform.APNS;
}

/** An app the service is configured with for the platform (tokens of other apps could never be sent). */
export function configuredApp(apps: PushApps, on: Platform, value: string, field = 'app_id'): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (apps.find(on, value)) return value;
  const known = apps.idsOf(on);
  const hint = known.length === 0 ? `no ${on} apps are configured (PUSH_APPS / PUSH_APPS_FILE)` : `configured ${on} apps: ${known.join(', ')}`;
  throw new InvalidArgumentError(field, `"${truncate(value)}" is not a configured ${on} app; ${hint}`);
}

/** Unregistering does not require the app to be configured still: removing an app's leftovers must work. */
export function anyAppId(value: string, field = 'app_id'): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (value.length > MAX_APP_ID_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_APP_ID_LENGTH} characters`);
  return value;
}

/** The token in its stored form: APNs hex in lower case (Apple accepts either; one row per device). */
export function token(on: Platform, value: string, field = 'token'): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (on === 'apns') {
    if (!/^[0-9a-fA-F]+$/.test(value) || value.length % 2 !== 0) {
      throw new InvalidArgumentError(field, 'must be the APNs device token as hex (an even number of 0-9 a-f)');
    }
    if (value.length < MIN_APNS_TOKEN_LENGTH || value.length > MAX_APNS_TOKEN_LENGTH) {
      throw new InvalidArgumentError(field, `must be ${MIN_APNS_TOKEN_LENGTH}–${MAX_APNS_TOKEN_LENGTH} hex characters, got ${value.length}`);
    }
    return value.toLowerCase();
  }
  if (value.length > MAX_FCM_TOKEN_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_FCM_TOKEN_LENGTH} characters, got ${value.length}`);
  // Printable ASCII without spaces: FCM tokens are URL-safe text; anything else is a client bug.
  if (!/^[\x21-\x7e]+$/.test(value)) throw new InvalidArgumentError(field, 'must be printable ASCII without spaces');
  return value;
}

// A BCP 47 shape (language, then subtags such as script, region, variant), not the full grammar:
// enough to keep garbage out of the rows and the providers' localisation keys.
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** '' means unknown; Android's `en_US` is accepted as `en-US`. */
export function locale(value: string, field = 'locale'): string | undefined {
  if (value === '') return undefined;
  if (value.length > MAX_LOCALE_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_LOCALE_LENGTH} characters, got ${value.length}`);
  const normalized = value.replace(/_/g, '-');
  if (!LOCALE.test(normalized)) throw new InvalidArgumentError(field, `must be a BCP 47 language tag such as "en-US", got "${value}"`);
  return normalized;
}

export function userIds(values: readonly string[], field = 'user_ids'): bigint[] {
  if (values.length > MAX_LIST_USERS) throw new InvalidArgumentError(field, `at most ${MAX_LIST_USERS} ids per call, got ${values.length}`);
  return values.map((value, i) => userId(value, `${field}[${i}]`));
}

function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
