// The device RPCs' validation and their effect on the registry, calling the handlers directly
// on a PGlite registry (the wire mapping of the errors is the runtime's, tested there and in
// start.test.ts).
import { create, pushV1 } from '@switchboard/proto';
import { InvalidArgumentError } from '@switchboard/runtime';
import type { PushAppConfig } from '../apps';
import { PushApps } from '../apps';
import { DeviceStore } from '../registry';
import { openPglitePushDatabase } from '../registry/__tests__/push-database';
import type { TestPushDatabase } from '../registry/__tests__/push-database';
import { deviceHandlers } from './devices';

const { FCM, APNS, UNSPECIFIED } = pushV1.Platform;
const APNS_TOKEN = 'AB'.repeat(32);
const FCM_TOKEN = 'dGVzdC10b2tlbg:APA91bH' + 'x'.repeat(140);

const apps: PushAppConfig[] = [
  { platform: 'fcm', appId: 'android', projectId: 'p', serviceAccount: { client_email: 'a@b', private_key: 'k', token_uri: 'https://t' }, baseUrl: 'https://f' },
  { platform: 'apns', appId: 'ios', teamId: 'ABCDE12345', keyId: 'KEY1234567', privateKeyPem: 'k', bundleId: 'com.x', environment: 'production', baseUrl: 'https://a' },
];

let fixture: TestPushDatabase;
let api: ReturnType<typeof deviceHandlers>;
let nextUser = 5_000_000n;
const newUser = () => (nextUser++).toString();

beforeAll(async () => {
  fixture = await openPglitePushDatabase();
  api = deviceHandlers({ store: new DeviceStore(fixture.database), apps: new PushApps(apps) });
});
afterAll(() => fixture?.teardown());

type Fields<T> = Partial<Omit<T, '$typeName' | '$unknown'>>;

function register(fields: Fields<pushV1.RegisterDeviceRequest>) {
  return api.registerDevice(create(pushV1.RegisterDeviceRequestSchema, { userId: newUser(), platform: FCM, appId: 'android', token: FCM_TOKEN, ...fields }));
}

function unregister(fields: Fields<pushV1.UnregisterDeviceRequest>) {
  return api.unregisterDevice(create(pushV1.UnregisterDeviceRequestSchema, { platform: FCM, appId: 'android', token: FCM_TOKEN, ...fields }));
}

function list(userIds: string[]) {
  return api.listDevices(create(pushV1.ListDevicesRequestSchema, { userIds }));
}

async function invalidField(call: Promise<unknown>): Promise<{ field: string; description: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return { field: error.field, description: error.description };
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('RegisterDevice', () => {
  it('registers a device and answers it as stored', async () => {
    const userId = newUser();
    const { device } = await register({ userId, platform: APNS, appId: 'ios', token: APNS_TOKEN, locale: 'pt_BR' });
    expect(device).toMatchObject({ userId, platform: APNS, appId: 'ios', token: APNS_TOKEN.toLowerCase(), locale: 'pt-BR' });
    expect(device!.registeredAt).toBeDefined();
    const { devices } = await list([userId]);
    expect(devices.map((d) => d.token)).toEqual([APNS_TOKEN.toLowerCase()]);
  });

  it.each<[string, Fields<pushV1.RegisterDeviceRequest>, string, RegExp]>([
    ['a missing user id', { userId: '' }, 'user_id', /is required/],
    ['a user id that is not a snowflake', { userId: 'abc' }, 'user_id', /must be a snowflake/],
    ['user id 0', { userId: '0' }, 'user_id', /must be a snowflake/],
    ['a user id beyond 64 bits', { userId: '18446744073709551616' }, 'user_id', /must be a snowflake/],
    ['an unspecified platform', { platform: UNSPECIFIED }, 'platform', /is required/],
    ['an unknown platform number', { platform: 7 as pushV1.Platform }, 'platform', /PLATFORM_FCM or PLATFORM_APNS, got 7/],
    ['a missing app id', { appId: '' }, 'app_id', /is required/],
    ['an app not configured', { appId: 'web' }, 'app_id', /"web" is not a configured fcm app; configured fcm apps: android/],
    ['an app of the other platform', { platform: APNS, appId: 'android', token: APNS_TOKEN }, 'app_id', /configured apns apps: ios/],
    ['a missing token', { token: '' }, 'token', /is required/],
    ['an FCM token over 4096 characters', { token: 'x'.repeat(4097) }, 'token', /at most 4096 characters, got 4097/],
    ['an FCM token with spaces', { token: 'abc def' }, 'token', /printable ASCII/],
    ['an APNs token that is not hex', { platform: APNS, appId: 'ios', token: 'zz'.repeat(32) }, 'token', /as hex/],
    ['an APNs token of odd length', { platform: APNS, appId: 'ios', token: 'a'.repeat(65) }, 'token', /as hex/],
    ['a short APNs token', { platform: APNS, appId: 'ios', token: 'ab'.repeat(16) }, 'token', /64–200 hex characters, got 32/],
    ['a locale that is not a language tag', { locale: 'english please' }, 'locale', /BCP 47/],
    ['a locale over 35 characters', { locale: `en-${'a'.repeat(40)}` }, 'locale', /at most 35 characters/],
  ])('rejects %s, naming the field', async (_what, fields, field, description) => {
    const error = await invalidField(register(fields));
    expect(error.field).toBe(field);
    expect(error.description).toMatch(description);
  });

  it('names the missing configuration when no app of the platform is configured', async () => {
    const bare = deviceHandlers({ store: new DeviceStore(fixture.database), apps: new PushApps([]) });
    const call = bare.registerDevice(create(pushV1.RegisterDeviceRequestSchema, { userId: newUser(), platform: FCM, appId: 'android', token: FCM_TOKEN }));
    const error = await invalidField(call);
    expect(error).toEqual({ field: 'app_id', description: '"android" is not a configured fcm app; no fcm apps are configured (PUSH_APPS / PUSH_APPS_FILE)' });
  });
});

describe('UnregisterDevice', () => {
  it('removes the device, matching APNs tokens in any case, and answers whether it did', async () => {
    const userId = newUser();
    await register({ userId, platform: APNS, appId: 'ios', token: APNS_TOKEN });
    expect(await unregister({ platform: APNS, appId: 'ios', token: APNS_TOKEN.toLowerCase(), userId })).toMatchObject({ removed: true });
    expect(await unregister({ platform: APNS, appId: 'ios', token: APNS_TOKEN })).toMatchObject({ removed: false });
    expect((await list([userId])).devices).toEqual([]);
  });

  it('keeps a device that now belongs to another user', async () => {
    const [previous, current] = [newUser(), newUser()];
    const token = `moved:${FCM_TOKEN}`;
    await register({ userId: previous, token });
    await register({ userId: current, token });
    expect(await unregister({ token, userId: previous })).toMatchObject({ removed: false });
    expect((await list([current])).devices).toHaveLength(1);
  });

  it('accepts an app that is no longer configured (cleaning up its leftovers)', async () => {
    expect(await unregister({ appId: 'retired-app' })).toMatchObject({ removed: false });
  });

  it.each<[string, Fields<pushV1.UnregisterDeviceRequest>, string]>([
    ['an unspecified platform', { platform: UNSPECIFIED }, 'platform'],
    ['a missing app id', { appId: '' }, 'app_id'],
    ['an overlong app id', { appId: 'a'.repeat(129) }, 'app_id'],
    ['a missing token', { token: '' }, 'token'],
    ['a non-hex APNs token', { platform: APNS, appId: 'ios', token: 'not-hex' }, 'token'],
    ['a bad user id', { userId: '-1' }, 'user_id'],
  ])('rejects %s, naming the field', async (_what, fields, field) => {
    expect((await invalidField(unregister(fields))).field).toBe(field);
  });
});

describe('ListDevices', () => {
  it('answers the devices grouped by user in request order, each user once', async () => {
    const [a, b, none] = [newUser(), newUser(), newUser()];
    await register({ userId: a, token: `a1:${FCM_TOKEN}` });
    await register({ userId: b, token: `b1:${FCM_TOKEN}` });
    await register({ userId: a, platform: APNS, appId: 'ios', token: 'cd'.repeat(32) });
    const { devices } = await list([b, none, a, b]);
    expect(devices.map((d) => [d.userId, d.token])).toEqual([
      [b, `b1:${FCM_TOKEN}`],
      [a, `a1:${FCM_TOKEN}`],
      [a, 'cd'.repeat(32)],
    ]);
  });

  it.each<[string, string[], string]>([
    ['a bad id, by its index', ['1', 'x'], 'user_ids[1]'],
    ['more than 1000 ids', Array.from({ length: 1001 }, (_, i) => String(i + 1)), 'user_ids'],
  ])('rejects %s', async (_what, ids, field) => {
    expect((await invalidField(list(ids))).field).toBe(field);
  });
});
