import { FakeApns } from '../testing/fake-apns';
import { FakeFcm } from '../testing/fake-fcm';
import { generateApnsKey, generateServiceAccount, randomApnsToken, randomFcmToken } from '../testing/test-credentials';
import { device, notification } from './__tests__/notifications';
import { ProviderConfigError, type PushAppConfig } from './app-config';
import { ProviderRegistry } from './provider-registry';

const account = generateServiceAccount({ tokenUri: 'http://unused', projectId: 'switchboard-test' });
const apnsKey = generateApnsKey();

describe('ProviderRegistry', () => {
  let fcm: FakeFcm;
  let apns: FakeApns;
  let registry: ProviderRegistry | undefined;

  beforeEach(async () => {
    fcm = await FakeFcm.start();
    apns = await FakeApns.start();
    fcm.addServiceAccount(account.serviceAccount.client_email, account.publicKey, ['switchboard-test']);
    apns.addKey({ teamId: apnsKey.teamId, keyId: apnsKey.keyId, publicKey: apnsKey.publicKey, topics: ['chat.switchboard', 'chat.switchboard.beta'] });
  });

  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    await fcm.close();
    await apns.close();
  });

  function apps(): PushAppConfig[] {
    const key = { teamId: apnsKey.teamId, keyId: apnsKey.keyId, privateKeyPem: apnsKey.privateKeyPem };
    return [
      { platform: 'fcm', appId: 'main', projectId: 'switchboard-test', serviceAccount: { ...account.serviceAccount, token_uri: fcm.tokenUri } },
      { platform: 'apns', appId: 'main', bundleId: 'chat.switchboard', ...key },
      { platform: 'apns', appId: 'beta', bundleId: 'chat.switchboard.beta', ...key },
    ];
  }

  test('routes each device by platform and app id, the same app id on both platforms', async () => {
    registry = new ProviderRegistry({ apps: apps(), fcm: { baseUrl: fcm.url }, apns: { baseUrl: apns.url } });
    const android = randomFcmToken();
    const iphone = randomApnsToken();
    const beta = randomApnsToken();
    expect((await registry.send(device('fcm', android, 'main'), notification())).kind).toBe('delivered');
    expect((await registry.send(device('apns', iphone, 'main'), notification())).kind).toBe('delivered');
    expect((await registry.send(device('apns', beta, 'beta'), notification())).kind).toBe('delivered');
    expect(fcm.deliveries(android)).toBe(1);
    expect(apns.messages.map((m) => [m.token, m.topic])).toEqual([
      [iphone, 'chat.switchboard'],
      [beta, 'chat.switchboard.beta'],
    ]);
    // Apps of one team share the connection and the provider token.
    expect(apns.stats().sessions).toBe(1);
    expect(apns.providerTokens.size).toBe(1);
  });

  test('an unknown app is rejected without a request', async () => {
    registry = new ProviderRegistry({ apps: apps(), fcm: { baseUrl: fcm.url }, apns: { baseUrl: apns.url } });
    const outcome = await registry.send(device('fcm', randomFcmToken(), 'beta'), notification());
    expect(outcome).toEqual({ kind: 'rejected', reason: 'no fcm push app "beta" is configured' });
    expect(fcm.stats().requests).toBe(0);
  });

  test('per-platform providers route by app id and refuse the other platform', async () => {
    registry = new ProviderRegistry({ apps: apps(), fcm: { baseUrl: fcm.url }, apns: { baseUrl: apns.url } });
    const { fcm: fcmProvider, apns: apnsProvider } = registry.byPlatform();
    expect(fcmProvider.platform).toBe('fcm');
    expect((await apnsProvider.send(device('apns', randomApnsToken(), 'beta'), notification())).kind).toBe('delivered');
    expect((await fcmProvider.send(device('apns', randomApnsToken(), 'main'), notification())).kind).toBe('rejected');
  });

  test("an app's own base URL wins over the platform's", async () => {
    const own = apps().map((app) => (app.platform === 'fcm' ? { ...app, baseUrl: fcm.url } : app));
    registry = new ProviderRegistry({ apps: own, fcm: { baseUrl: 'http://127.0.0.1:1' }, apns: { baseUrl: apns.url } });
    expect((await registry.send(device('fcm', randomFcmToken(), 'main'), notification())).kind).toBe('delivered');
  });

  test('refuses an app configured twice and a bad key, naming the app', () => {
    const [first] = apps();
    expect(() => new ProviderRegistry({ apps: [first!, first!] })).toThrow(ProviderConfigError);
    expect(() => new ProviderRegistry({ apps: [first!, first!] })).toThrow('push app "main": configured twice for fcm');
    const badKey: PushAppConfig = { platform: 'apns', appId: 'ios', teamId: apnsKey.teamId, keyId: apnsKey.keyId, privateKeyPem: 'nope', bundleId: 'b' };
    expect(() => new ProviderRegistry({ apps: [badKey] })).toThrow(/^push app "ios": /);
  });
});
