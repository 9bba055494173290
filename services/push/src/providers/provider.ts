// The seam between the delivery pipeline and the push providers (FCM HTTP v1, APNs): one send of
// one rendered notification to one device, answered with what the pipeline must do next. The
// provider clients classify the provider's answer; the pipeline decides retries, dead letters and
// token removal from the outcome alone, so it never parses a provider's error format.

export type Platform = 'fcm' | 'apns';
export const PLATFORMS: readonly Platform[] = ['fcm', 'apns'];

/** Whether `value` names a platform (text from a header, a config file). */
export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** One device of a user, as the registry holds it. */
export interface DeviceTarget {
  platform: Platform;
  /** The app the token belongs to (selects the provider credentials: an FCM project or APNs team/topic). */
  appId: string;
  token: string;
  locale?: string;
}

/** A notification rendered for the providers (already truncated to provider limits). */
export interface RenderedNotification {
  title: string;
  body: string;
  /** Passed through when set. */
  badge?: number;
  /** Same id → the device shows one notification (FCM `collapse_key`/`tag`, APNs `apns-collapse-id` ≤ 64 bytes). */
  collapseId: string;
  /** Extra string data for the app (ids of the guild, channel, message, author). */
  data: Record<string, string>;
}

export type SendOutcome =
  /** The provider accepted it. */
  | { kind: 'delivered'; latencyMs: number }
  /**
   * Try again later: 429 or 503 (retryAfterMs from Retry-After when the provider gave one), other
   * 5xx, timeouts and connection errors.
   */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  /** The token is dead (FCM UNREGISTERED / 404, APNs 410 or BadDeviceToken): remove it, no retry. */
  | { kind: 'unregistered'; reason: string; status?: number }
  /** The request itself is wrong (400-class payload errors, auth misconfiguration): dead-letter, no retry. */
  | { kind: 'rejected'; reason: string; status?: number };

export interface PushProvider {
  readonly platform: Platform;
  /**
   * Sends one notification; never throws for a provider or network failure (those are outcomes).
   * `signal` is shared by every send in flight: wait on it with onAbort (@switchboard/runtime),
   * whose add and dispose stay O(1), not with a listener of its own.
   */
  send(target: DeviceTarget, notification: RenderedNotification, signal?: AbortSignal): Promise<SendOutcome>;
  /** Closes connections. */
  close(): Promise<void>;
}
