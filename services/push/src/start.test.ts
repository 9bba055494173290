// The push service as `make dev` and a cluster start it: embedded mode (PGlite, in-memory event
// log), its device RPCs served over gRPC with the apps of PUSH_APPS, and without any app.
import { pushV1 } from '@switchboard/proto';
import { closeClient, createClient, createServiceContext, InvalidArgumentError } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { loadPushConfig } from './config';
import { startPush } from './start';
import type { RunningPush } from './start';
import { apnsEntry, fcmEntry } from './apps/__tests__/test-keys';

async function startEmbedded(env: Record<string, string>): Promise<RunningPush> {
  const config = loadPushConfig({ PUSH_GRPC_PORT: '0', PUSH_HTTP_PORT: '0', SWITCHBOARD_BIND_HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  return startPush(createServiceContext('push', config, { processMetrics: false }));
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('push service, embedded, with apps configured', () => {
  let push: RunningPush;
  let client: ServiceClient<typeof pushV1.PushService>;
  beforeAll(async () => {
    push = await startEmbedded({ PUSH_APPS: JSON.stringify([fcmEntry(), apnsEntry()]) });
    client = createClient(pushV1.PushService, `127.0.0.1:${push.grpcPort}`);
  });
  afterAll(async () => {
    closeClient(client);
    await push?.context.lifecycle.shutdown('test');
  });

  it('registers, lists and unregisters a device over gRPC', async () => {
    const userId = '175928847299117063';
    const token = 'ef'.repeat(32);
    const { device } = await client.registerDevice({ userId, platform: pushV1.Platform.APNS, appId: 'ios', token, locale: 'en-GB' });
    expect(device).toMatchObject({ userId, platform: pushV1.Platform.APNS, appId: 'ios', token, locale: 'en-GB' });
    expect((await client.listDevices({ userIds: [userId] })).devices).toHaveLength(1);
    expect(await push.devices.count()).toBe(1);
    expect((await client.unregisterDevice({ platform: pushV1.Platform.APNS, appId: 'ios', token, userId })).removed).toBe(true);
    expect((await client.listDevices({ userIds: [userId] })).devices).toEqual([]);
  });

  it('exposes the configured apps for the delivery pipeline', () => {
    expect(push.apps.all.map((app) => `${app.platform}/${app.appId}`)).toEqual(['fcm/android', 'apns/ios']);
  });

  it('answers INVALID_ARGUMENT naming app_id for an app it does not have', async () => {
    const error = await rejection(client.registerDevice({ userId: '1', platform: pushV1.Platform.FCM, appId: 'web', token: 't' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field: 'app_id' });
  });
});

describe('push service, embedded, without apps (make dev)', () => {
  let push: RunningPush;
  let client: ServiceClient<typeof pushV1.PushService>;
  beforeAll(async () => {
    push = await startEmbedded({});
    client = createClient(pushV1.PushService, `127.0.0.1:${push.grpcPort}`);
  });
  afterAll(async () => {
    closeClient(client);
    await push?.context.lifecycle.shutdown('test');
  });

  it('starts and describes itself', async () => {
    expect((await client.describe({})).instance?.service).toBe('push');
  });

  it('refuses registration, naming app_id and the missing configuration', async () => {
    const error = await rejection(client.registerDevice({ userId: '1', platform: pushV1.Platform.FCM, appId: 'android', token: 't' }));
    expect(error).toMatchObject({ field: 'app_id', description: expect.stringContaining('no fcm apps are configured (PUSH_APPS / PUSH_APPS_FILE)') });
  });
});
