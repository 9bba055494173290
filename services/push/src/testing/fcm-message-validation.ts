// What the fake FCM accepts as a v1 `messages:send` body: the fields this service sends, checked
// the way FCM does (unknown fields, non-string data values, reserved data keys are errors).

const MESSAGE_FIELDS = new Set(['name', 'token', 'topic', 'condition', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options']);
const NOTIFICATION_FIELDS = new Set(['title', 'body', 'image']);
const ANDROID_FIELDS = new Set(['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok']);
const ANDROID_NOTIFICATION_FIELDS = new Set([
  'title', 'body', 'icon', 'color', 'sound', 'tag', 'click_action', 'body_loc_key', 'body_loc_args', 'title_loc_key',
  'title_loc_args', 'channel_id', 'ticker', 'sticky', 'event_time', 'local_only', 'notification_priority',
  'default_sound', 'default_vibrate_timings', 'default_light_settings', 'vibrate_timings', 'visibility', 'notification_count', 'image',
]);
const APNS_FIELDS = new Set(['headers', 'payload', 'fcm_options', 'live_activity_token']);
const RESERVED_DATA_KEYS = new Set(['from', 'notification', 'message_type']);

/** The parsed message, or the INVALID_ARGUMENT message FCM would give. */
export function validateFcmRequest(body: unknown): { ok: true; message: Record<string, unknown> } | { ok: false; error: string } {
  if (!isObject(body)) return fail('Invalid JSON payload received. Expected an object.');
  for (const key of Object.keys(body)) if (key !== 'message' && key !== 'validate_only') return fail(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  const message = body.message;
  if (!isObject(message)) return fail('Request contains an invalid argument: message is required.');
  const problem =
    unknownField(message, MESSAGE_FIELDS, 'message') ??
    checkTarget(message) ??
    checkNotification(message.notification) ??
    checkData(message.data, 'message.data') ??
    checkAndroid(message.android) ??
    checkApns(message.apns);
  return problem === undefined ? { ok: true, message } : fail(problem);
}

function checkTarget(message: Record<string, unknown>): string | undefined {
  const targets = ['token', 'topic', 'condition'].filter((k) => message[k] !== undefined);
  if (targets.length !== 1) return 'Exactly one of message.token, message.topic or message.condition must be set.';
  if (message.token !== undefined && (typeof message.token !== 'string' || message.token === '')) {
    return 'The registration token is not a valid FCM registration token';
  }
  return undefined;
}

function checkNotification(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'Invalid value at \'message.notification\': expected an object.';
  return unknownField(value, NOTIFICATION_FIELDS, 'message.notification') ?? stringFields(value, 'message.notification');
}

function checkData(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `Invalid value at '${where}': expected a map of strings.`;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') return `Invalid value at '${where}[${key}]': expected a string.`;
    if (RESERVED_DATA_KEYS.has(key) || key.startsWith('google.') || key.startsWith('gcm.')) return `Invalid data payload key: ${key}`;
  }
  return undefined;
}

function checkAndroid(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'Invalid value at \'message.android\': expected an object.';
  const problem = unknownField(value, ANDROID_FIELDS, 'message.android') ?? checkData(value.data, 'message.android.data');
  if (problem) return problem;
  if (value.collapse_key !== undefined && typeof value.collapse_key !== 'string') return 'Invalid value at \'message.android.collapse_key\'.';
  const notification = value.notification;
  if (notification === undefined) return undefined;
  if (!isObject(notification)) return 'Invalid value at \'message.android.notification\': expected an object.';
  const count = notification.notification_count;
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 0)) {
    return 'Invalid value at \'message.android.notification.notification_count\': expected a non-negative integer.';
  }
  if (notification.tag !== undefined && typeof notification.tag !== 'string') return 'Invalid value at \'message.android.notification.tag\'.';
  return unknownField(notification, ANDROID_NOTIFICATION_FIELDS, 'message.android.notification');
}

function checkApns(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'Invalid value at \'message.apns\': expected an object.';
  const problem = unknownField(value, APNS_FIELDS, 'message.apns');
  if (problem) return problem;
  if (value.headers !== undefined) {
    if (!isObject(value.headers)) return 'Invalid value at \'message.apns.headers\'.';
    const bad = stringFields(value.headers, 'message.apns.headers');
    if (bad) return bad;
  }
  if (value.payload !== undefined && !isObject(value.payload)) return 'Invalid value at \'message.apns.payload\'.';
  return undefined;
}

function unknownField(value: Record<string, unknown>, known: Set<string>, where: string): string | undefined {
  const unknown = Object.keys(value).find((k) => !known.has(k));
  return unknown === undefined ? undefined : `Invalid JSON payload received. Unknown name "${unknown}" at '${where}': Cannot find field.`;
}

function stringFields(value: Record<string, unknown>, where: string): string | undefined {
  const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
  return bad === undefined ? undefined : `Invalid value at '${where}.${bad[0]}': expected a string.`;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
