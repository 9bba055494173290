import { waitFor } from '../../../../test/support/wait';
import { FakeApns, type FakeApnsOptions } from '../testing/fake-apns';
import { FaultInjector } from '../testing/fault-injector';
import { generateApnsKey, randomApnsToken } from '../testing/test-credentials';
import { ManualClock, flush } from './__tests__/manual-clock';
import { device, notification } from './__tests__/notifications';
import { ApnsProvider, type ApnsProviderOptions } from './apns-provider';
import { TokenBucket } from './quota';

const BUNDLE = 'chat.switchboard.ios';
const key = generateApnsKey();
const MINUTE = 60_000;

describe('ApnsProvider against the fake APNs', () => {
  let fake: FakeApns;
  let provider: ApnsProvider;
  let wall: number;

  async function setup(fakeOptions: FakeApnsOptions = {}, providerOptions: Partial<ApnsProviderOptions> = {}): Promise<void> {
    wall = Date.now();
    fake = await FakeApns.start({ now: () => wall, ...fakeOptions });
    fake.addKey({ teamId: key.teamId, keyId: key.keyId, publicKey: key.publicKey, topics: [BUNDLE] });
    provider = new ApnsProvider({
      teamId: key.teamId,
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
      bundleId: BUNDLE,
      baseUrl: fake.url,
      now: () => wall,
      ...providerOptions,
    });
  }

  afterEach(async () => {
    await provider.close();
    await fake.close();
  });

  test('delivers with topic, push type, priority, collapse id, expiration and the payload', async () => {
    await setup();
    const token = randomApnsToken();
    const outcome = await provider.send(device('apns', token), notification({ badge: 2 }));
    expect(outcome.kind).toBe('delivered');
    expect(fake.deliveries(token)).toBe(1);
    expect(fake.messages).toEqual([
      {
        token,
        topic: BUNDLE,
        pushType: 'alert',
        priority: '10',
        expiration: Math.floor(wall / 1000) + 86_400,
        collapseId: 'channel:41771983423143937',
        payload: { aps: { alert: { title: 'alice in #general', body: 'hello @bob' }, badge: 2 }, ...notification().data },
      },
    ]);
  });

  test('a collapse id over 64 bytes is replaced by a stable 64-character digest', async () => {
    await setup();
    const long = `channel:${'9'.repeat(80)}`;
    await provider.send(device('apns', randomApnsToken()), notification({ collapseId: long }));
    await provider.send(device('apns', randomApnsToken()), notification({ collapseId: long }));
    const [first, second] = fake.messages;
    expect(first!.collapseId).toHaveLength(64);
    expect(second!.collapseId).toBe(first!.collapseId);
  });

  test('a token signed with another key is refused by the fake and classified rejected', async () => {
    await setup();
    const other = generateApnsKey({ teamId: key.teamId, keyId: key.keyId });
    const impostor = new ApnsProvider({ ...other, bundleId: BUNDLE, baseUrl: fake.url });
    try {
      const outcome = await impostor.send(device('apns', randomApnsToken()), notification());
      expect(outcome).toEqual({ kind: 'rejected', status: 403, reason: 'credentials: InvalidProviderToken' });
      expect(fake.delivered).toBe(0);
    } finally {
      await impostor.close();
    }
  });

  test('a bundle id the key may not push to is rejected', async () => {
    await setup({}, { bundleId: 'com.example.other' });
    expect(await provider.send(device('apns', randomApnsToken()), notification())).toMatchObject({
      kind: 'rejected',
      status: 400,
      reason: 'TopicDisallowed',
    });
  });

  test('reuses one provider token and renews it after the configured period', async () => {
    await setup({}, { tokenRenewMinutes: 40 });
    for (let i = 0; i < 10; i += 1) await provider.send(device('apns', randomApnsToken()), notification());
    wall += 39 * MINUTE;
    expect((await provider.send(device('apns', randomApnsToken()), notification())).kind).toBe('delivered');
    expect(fake.providerTokens.size).toBe(1);
    wall += 2 * MINUTE;
    // The fake refuses renewals within 20 minutes and tokens over an hour old: this one is neither.
    expect((await provider.send(device('apns', randomApnsToken()), notification())).kind).toBe('delivered');
    expect(fake.providerTokens.size).toBe(2);
    expect(provider.token.issued).toBe(2);
  });

  test('a renewal period outside 20–60 minutes is refused', () => {
    const options = { ...key, bundleId: BUNDLE, baseUrl: 'http://127.0.0.1:1' };
    expect(() => new ApnsProvider({ ...options, tokenRenewMinutes: 10 })).toThrow(/20–60/);
    expect(() => new ApnsProvider({ ...options, tokenRenewMinutes: 61 })).toThrow(/20–60/);
  });

  test('ExpiredProviderToken renews the token and the send goes through', async () => {
    // APNs' clock runs 30 minutes ahead of ours, so our 35-minute-old token is 65 minutes old there.
    await setup({ now: () => wall + 30 * MINUTE });
    await provider.send(device('apns', randomApnsToken()), notification());
    wall += 35 * MINUTE;
    expect((await provider.send(device('apns', randomApnsToken()), notification())).kind).toBe('delivered');
    expect(provider.token.issued).toBe(2);
    expect(fake.delivered).toBe(2);
  });

  test('a token in the unregistered set is classified unregistered (410 with timestamp)', async () => {
    await setup();
    const token = randomApnsToken();
    fake.unregistered.add(token);
    const outcome = await provider.send(device('apns', token), notification());
    expect(outcome).toEqual({ kind: 'unregistered', status: 410, reason: `Unregistered since ${wall}` });
  });

  test('a malformed device token is classified unregistered (BadDeviceToken)', async () => {
    await setup();
    expect(await provider.send(device('apns', 'not-a-token'), notification())).toEqual({
      kind: 'unregistered',
      status: 400,
      reason: 'BadDeviceToken',
    });
  });

  test.each([
    ['bad-token', {}, { kind: 'unregistered', status: 400, reason: 'BadDeviceToken' }],
    ['unregistered', {}, { kind: 'unregistered', status: 410 }],
    ['rate-limited', { retryAfter: 5 }, { kind: 'retry', status: 429, reason: 'TooManyRequests', retryAfterMs: 5000 }],
    ['unavailable', { retryAfter: 9 }, { kind: 'retry', status: 503, reason: 'ServiceUnavailable', retryAfterMs: 9000 }],
    ['unavailable', {}, { kind: 'retry', status: 503 }],
    ['internal', {}, { kind: 'retry', status: 500, reason: 'InternalServerError' }],
    ['reset', {}, { kind: 'retry' }],
  ] as const)('fault %s %j is classified %j', async (kind, extra, expected) => {
    await setup({ faults: new FaultInjector([{ kind, ...extra }]) });
    const outcome = await provider.send(device('apns', randomApnsToken()), notification());
    expect(outcome).toEqual(expect.objectContaining(expected));
    if (!('retryAfterMs' in expected)) expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  test('no answer within the request timeout is a retry', async () => {
    await setup({ faults: new FaultInjector([{ kind: 'stall' }]) }, { requestTimeoutMs: 200 });
    const outcome = await provider.send(device('apns', randomApnsToken()), notification());
    expect(outcome.kind === 'retry' && outcome.reason).toMatch(/^timeout/);
  });

  test('faults by probability hit some sends and not others', async () => {
    let i = 0;
    // Alternates: fail, pass, fail, pass, ...
    await setup({ faults: new FaultInjector([{ kind: 'internal', probability: 0.5 }], () => (i++ % 2 === 0 ? 0.1 : 0.9)) });
    const outcomes = [];
    for (let n = 0; n < 6; n += 1) outcomes.push((await provider.send(device('apns', randomApnsToken()), notification())).kind);
    expect(outcomes).toEqual(['retry', 'delivered', 'retry', 'delivered', 'retry', 'delivered']);
    expect(fake.faults.count('internal')).toBe(3);
  });

  test('many sends reuse one persistent connection within the stream bound', async () => {
    await setup({ latencyMs: 20 }, { maxSessions: 3, maxStreamsPerSession: 8 });
    for (let round = 0; round < 4; round += 1) {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => provider.send(device('apns', randomApnsToken()), notification())));
      expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    }
    expect(fake.stats().sessions).toBe(1);
    expect(fake.stats().maxActiveStreams).toBeLessThanOrEqual(8);
  });

  test('in-flight streams stay within sessions × streams per session', async () => {
    await setup({ latencyMs: 100 }, { maxSessions: 2, maxStreamsPerSession: 4 });
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => provider.send(device('apns', randomApnsToken()), notification())));
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(fake.stats().maxActiveStreams).toBeLessThanOrEqual(8);
    expect(fake.stats().maxActiveStreams).toBeGreaterThan(4);
    expect(fake.stats().sessions).toBe(2);
  });

  test('reconnects after GOAWAY', async () => {
    await setup({ faults: new FaultInjector([{ kind: 'goaway', times: 1 }]) });
    expect((await provider.send(device('apns', randomApnsToken()), notification())).kind).toBe('delivered');
    await waitFor(() => fake.stats().openSessions === 0, 10_000, 'the connection closed');
    expect((await provider.send(device('apns', randomApnsToken()), notification())).kind).toBe('delivered');
    expect(fake.stats().sessions).toBe(2);
  });

  test('the local quota smooths a burst in arrival order', async () => {
    const clock = new ManualClock();
    await setup({}, { quota: new TokenBucket('apns:app', { ratePerMinute: 120, burst: 1, clock }) });
    const tokens = Array.from({ length: 4 }, () => randomApnsToken());
    const outcomes = tokens.map((t) => provider.send(device('apns', t), notification()));
    await waitFor(() => fake.delivered === 1, 10_000, 'the burst');
    await flush();
    expect(fake.delivered).toBe(1);
    clock.advance(500);
    await waitFor(() => fake.delivered === 2, 10_000, 'one more after half a second');
    clock.advance(1000);
    expect((await Promise.all(outcomes)).every((o) => o.kind === 'delivered')).toBe(true);
    expect(fake.messages.map((m) => m.token)).toEqual(tokens);
  });
});
