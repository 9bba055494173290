import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from '../../../../test/support/wait';
import { FakeFcm, type FakeFcmOptions } from '../testing/fake-fcm';
import { FaultInjector } from '../testing/fault-injector';
import { generateServiceAccount, randomFcmToken, type TestServiceAccount } from '../testing/test-credentials';
import { ManualClock, flush } from './__tests__/manual-clock';
import { device, notification } from './__tests__/notifications';
import { FcmProvider, type FcmProviderOptions } from './fcm-provider';
import { TokenBucket } from './quota';

const PROJECT = 'switchboard-test';
// One RSA key for the whole file (generation is the slow part); each test gets its own fake.
const account: TestServiceAccount = generateServiceAccount({ tokenUri: 'http://unused', projectId: PROJECT });

describe('FcmProvider against the fake FCM', () => {
  let fake: FakeFcm;
  let provider: FcmProvider;
  let wall: number;

  async function setup(fakeOptions: FakeFcmOptions = {}, providerOptions: Partial<FcmProviderOptions> = {}): Promise<void> {
    wall = Date.now();
    fake = await FakeFcm.start({ now: () => wall, ...fakeOptions });
    fake.addServiceAccount(account.serviceAccount.client_email, account.publicKey, [PROJECT]);
    provider = new FcmProvider({
      projectId: PROJECT,
      serviceAccount: { ...account.serviceAccount, token_uri: fake.tokenUri },
      baseUrl: fake.url,
      now: () => wall,
      ...providerOptions,
    });
  }

  afterEach(async () => {
    await provider.close();
    await fake.close();
  });

  test('delivers the notification with its collapse key, tag, badge and data', async () => {
    await setup();
    const token = randomFcmToken();
    const outcome = await provider.send(device('fcm', token), notification({ badge: 3 }));
    expect(outcome.kind).toBe('delivered');
    expect(fake.deliveries(token)).toBe(1);
    expect(fake.messages).toEqual([
      {
        projectId: PROJECT,
        token,
        title: 'alice in #general',
        body: 'hello @bob',
        collapseKey: 'channel:41771983423143937',
        tag: 'channel:41771983423143937',
        notificationCount: 3,
        apnsCollapseId: 'channel:41771983423143937',
        data: notification().data,
      },
    ]);
  });

  test('a service account signed with the wrong key is refused by the token endpoint and classified rejected', async () => {
    await setup();
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = new FcmProvider({
      projectId: PROJECT,
      serviceAccount: { ...account.serviceAccount, token_uri: fake.tokenUri, private_key: wrongKey },
      baseUrl: fake.url,
    });
    try {
      const outcome = await impostor.send(device('fcm', randomFcmToken()), notification());
      expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
      expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/credentials.*Invalid JWT Signature/);
      expect(fake.tokensIssued).toBe(0);
      expect(fake.delivered).toBe(0);
      // The refusal is remembered for a while instead of hammering the token endpoint.
      await impostor.send(device('fcm', randomFcmToken()), notification());
      expect(fake.tokenRequests).toBe(1);
    } finally {
      await impostor.close();
    }
  });

  test('a project the service account may not use is rejected as a credentials problem', async () => {
    await setup();
    const other = new FcmProvider({
      projectId: 'someone-elses-project',
      serviceAccount: { ...account.serviceAccount, token_uri: fake.tokenUri },
      baseUrl: fake.url,
    });
    try {
      const outcome = await other.send(device('fcm', randomFcmToken()), notification());
      expect(outcome).toMatchObject({ kind: 'rejected', status: 403 });
      expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/^credentials: PERMISSION_DENIED/);
    } finally {
      await other.close();
    }
  });

  test('concurrent sends share one access token request', async () => {
    await setup();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => provider.send(device('fcm', randomFcmToken()), notification())));
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(fake.tokenRequests).toBe(1);
  });

  test('refreshes the access token in the background before it expires, keeping sends going', async () => {
    await setup({ accessTokenTtlSeconds: 60 });
    await provider.send(device('fcm', randomFcmToken()), notification());
    wall += 40_000;
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    expect(fake.tokenRequests).toBe(1);
    // Past 80 % of the lifetime: the send uses the still-valid token while a new one is fetched.
    wall += 9_000;
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    await waitFor(() => fake.tokensIssued === 2, 10_000, 'a second token');
    // Past the first token's expiry: the new token is in use, so nothing is refused.
    wall += 21_000;
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    expect(fake.tokenRequests).toBe(2);
    // Two token requests and four sends: no send was refused and retried.
    expect(fake.stats().requests).toBe(6);
  });

  test('an expired token is never used: the send waits for a new one', async () => {
    await setup({ accessTokenTtlSeconds: 60 });
    await provider.send(device('fcm', randomFcmToken()), notification());
    wall += 61_000;
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    expect(fake.tokenRequests).toBe(2);
    // Two token requests and two sends: the expired token was never sent (no 401 and retry).
    expect(fake.stats().requests).toBe(4);
  });

  test('while the token endpoint refuses us, the still-valid token keeps working until it expires', async () => {
    await setup({ accessTokenTtlSeconds: 60 });
    await provider.send(device('fcm', randomFcmToken()), notification());
    // The key is rotated away at Google: new assertions fail from now on.
    fake.addServiceAccount(account.serviceAccount.client_email, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, [PROJECT]);
    // Due for refresh (48 s), still valid (60 s, less a 10 s safety margin).
    wall += 49_000;
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    await waitFor(() => fake.tokenRequests === 2, 10_000, 'the background refresh');
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    wall += 11_000;
    expect(await provider.send(device('fcm', randomFcmToken()), notification())).toMatchObject({ kind: 'rejected', status: 400 });
  });

  test('a 401 invalidates the cached token once and the send goes through with a new one', async () => {
    await setup();
    await provider.send(device('fcm', randomFcmToken()), notification());
    fake.revokeAccessTokens();
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    expect(fake.tokenRequests).toBe(2);
  });

  test('a 401 that persists with a fresh token is rejected, after one retry', async () => {
    // Tokens that are dead on arrival.
    await setup({ accessTokenTtlSeconds: 0 });
    const outcome = await provider.send(device('fcm', randomFcmToken()), notification());
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/^credentials: UNAUTHENTICATED/);
    expect(fake.tokenRequests).toBe(2);
  });

  test('a payload FCM refuses (reserved data key) is rejected as INVALID_ARGUMENT', async () => {
    await setup();
    const outcome = await provider.send(device('fcm', randomFcmToken()), notification({ data: { from: 'x' } }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/^INVALID_ARGUMENT: Invalid data payload key: from/);
  });

  test('a token in the unregistered set is classified unregistered', async () => {
    await setup();
    const token = randomFcmToken();
    fake.unregistered.add(token);
    expect(await provider.send(device('fcm', token), notification())).toMatchObject({ kind: 'unregistered', status: 404 });
    expect(fake.deliveries(token)).toBe(0);
  });

  const retryAt = new Date(Date.now() + 120_000).toUTCString();
  test.each([
    ['bad-token', {}, { kind: 'rejected', status: 400 }],
    ['rate-limited', { retryAfter: 7 }, { kind: 'retry', status: 429, retryAfterMs: 7000 }],
    ['unavailable', { retryAfter: 3 }, { kind: 'retry', status: 503, retryAfterMs: 3000 }],
    ['rate-limited', {}, { kind: 'retry', status: 429 }],
    ['internal', {}, { kind: 'retry', status: 500 }],
    ['reset', {}, { kind: 'retry' }],
  ] as const)('fault %s %j is classified %j', async (kind, extra, expected) => {
    await setup({ faults: new FaultInjector([{ kind, ...extra }]) });
    const outcome = await provider.send(device('fcm', randomFcmToken()), notification());
    expect(outcome).toEqual(expect.objectContaining(expected));
    if (!('retryAfterMs' in expected)) expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  test('a Retry-After HTTP date becomes the wait until that date', async () => {
    await setup({ faults: new FaultInjector([{ kind: 'unavailable', retryAfter: retryAt }]) });
    const outcome = await provider.send(device('fcm', randomFcmToken()), notification());
    expect(outcome).toMatchObject({ kind: 'retry', status: 503 });
    const wait = outcome.kind === 'retry' ? outcome.retryAfterMs : undefined;
    // The date is about two minutes ahead (whole seconds; some of that time has passed).
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120_000);
  });

  test('no answer within the request timeout is a retry', async () => {
    await setup({ faults: new FaultInjector([{ kind: 'stall' }]) }, { requestTimeoutMs: 200 });
    const outcome = await provider.send(device('fcm', randomFcmToken()), notification());
    expect(outcome.kind).toBe('retry');
    expect(outcome.kind === 'retry' && outcome.reason).toMatch(/^timeout/);
  });

  test('faults only for chosen tokens leave the others delivered', async () => {
    const bad = randomFcmToken();
    await setup({ faults: new FaultInjector([{ kind: 'internal', tokens: [bad] }]) });
    expect((await provider.send(device('fcm', bad), notification())).kind).toBe('retry');
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
  });

  test('many sends reuse one persistent connection', async () => {
    await setup({}, { maxSessions: 4, maxStreamsPerSession: 100 });
    for (let round = 0; round < 5; round += 1) {
      const outcomes = await Promise.all(Array.from({ length: 40 }, () => provider.send(device('fcm', randomFcmToken()), notification())));
      expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    }
    expect(fake.delivered).toBe(200);
    // One connection for messages:send and one for the token endpoint (the fake serves both).
    expect(fake.stats().sessions).toBe(2);
  });

  test('in-flight streams stay within sessions × streams per session', async () => {
    await setup({ latencyMs: 100 }, { maxSessions: 2, maxStreamsPerSession: 3 });
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => provider.send(device('fcm', randomFcmToken()), notification())));
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(fake.stats().maxActiveStreams).toBeLessThanOrEqual(6);
    expect(fake.stats().maxActiveStreams).toBeGreaterThan(3);
  });

  test('reconnects after the server closes the connection with GOAWAY', async () => {
    await setup({ faults: new FaultInjector([{ kind: 'goaway', times: 1 }]) });
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    await waitFor(() => fake.stats().openSessions === 1, 10_000, 'the message connection closed');
    expect((await provider.send(device('fcm', randomFcmToken()), notification())).kind).toBe('delivered');
    expect(fake.stats().sessions).toBe(3);
  });

  test('the local quota smooths a burst: sends wait their turn and go out in order', async () => {
    const clock = new ManualClock();
    await setup({}, { quota: new TokenBucket(`fcm:${PROJECT}`, { ratePerMinute: 60, burst: 2, clock }) });
    const tokens = Array.from({ length: 5 }, () => randomFcmToken());
    const outcomes = tokens.map((t) => provider.send(device('fcm', t), notification()));
    await waitFor(() => fake.delivered === 2, 10_000, 'the burst');
    await flush();
    expect(fake.delivered).toBe(2);
    clock.advance(1000);
    await waitFor(() => fake.delivered === 3, 10_000, 'one more after a second');
    clock.advance(2000);
    expect((await Promise.all(outcomes)).every((o) => o.kind === 'delivered')).toBe(true);
    expect(fake.messages.map((m) => m.token)).toEqual(tokens);
  });

  test('a device of another platform is rejected without a request', async () => {
    await setup();
    expect((await provider.send(device('apns', 'ab'.repeat(32)), notification())).kind).toBe('rejected');
    expect(fake.stats().requests).toBe(0);
  });
});
