// A burst of push requests against the real Kafka broker and PostgreSQL, delivered by the push
// service as a real process (services/push/dist/main.js) to the local FCM and APNs fakes, which
// answer 10% of sends with 429 and 5% with 503 (both Retry-After: 1) and call 2% of the device
// tokens unregistered. The instance is killed with SIGKILL once about a third of the deliveries
// reached the fakes; a new instance of the same consumer group takes over. When the group has
// committed every request:
// - every (request, device) pair is delivered or dead-lettered with its reason (retries ran out
//   after 429/503), no pair is lost, and a pair is settled twice only across the crash — see
//   delivery-ledger.ts for the exact rules, including that every duplicate delivery carries the
//   request's collapse id;
// - the unregistered tokens are gone from the registry (ListDevices) and no other device is.
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import { FaultInjector, randomApnsToken, randomFcmToken } from '../../services/push/src/testing';
import { apnsDeliveries, DeliveryLedger, fcmDeliveries, observedDeadLetter, REQUEST_DATA_KEY } from './delivery-ledger';
import type { BurstDevice, Era } from './delivery-ledger';
import { APNS_APP_ID, FCM_APP_ID, PushDeployment } from './push-deployment';
import type { PushApi } from './push-deployment';

const USERS = 500;
const REQUESTS = 3_000;
const PARTITIONS = 6;
/** Two sends per device: with 15% of sends failing, about 2% of the pairs run out and are dead-lettered. */
const MAX_ATTEMPTS = 2;
/** One device token in this many is unregistered at the provider (2%). */
const UNREGISTERED_EVERY = 50;

/** 10% of sends answer 429, 5% answer 503 (the second rule sees the 90% the first let through). */
function providerFaults(): FaultInjector {
  return new FaultInjector([
    { kind: 'rate-limited', probability: 0.1, retryAfter: 1 },
    { kind: 'unavailable', probability: 0.05 / 0.9, retryAfter: 1 },
  ]);
}

function burstDevices(users: string[]): BurstDevice[] {
  const devices: BurstDevice[] = [];
  const device = (userId: string, platform: 'fcm' | 'apns'): BurstDevice =>
    platform === 'fcm'
      ? { userId, platform, appId: FCM_APP_ID, token: randomFcmToken() }
      : { userId, platform, appId: APNS_APP_ID, token: randomApnsToken() };
  users.forEach((userId, i) => {
    const first = i % 2 === 0 ? 'fcm' : 'apns';
    devices.push(device(userId, first));
    // A third of the users have a second device on the other platform.
    if (i % 3 === 0) devices.push(device(userId, first === 'fcm' ? 'apns' : 'fcm'));
  });
  return devices;
}

async function register(api: PushApi, devices: BurstDevice[], concurrency = 25): Promise<void> {
  const queue = [...devices];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const platform = d.platform === 'fcm' ? pushV1.Platform.FCM : pushV1.Platform.APNS;
      await api.registerDevice({ userId: d.userId, platform, appId: d.appId, token: d.token });
    }
  }));
}

/** Every user gets REQUESTS / USERS requests, each with its own collapse key (nothing collapses). */
function burstRequests(run: string, users: string[]): pushV1.PushRequest[] {
  const firstEvent = BigInt(Date.now()) << 22n;
  return Array.from({ length: REQUESTS }, (_, i) => {
    const userId = users[i % users.length]!;
    const requestId = `${firstEvent + BigInt(i)}:${userId}`;
    return create(pushV1.PushRequestSchema, {
      requestId,
      userId,
      collapseKey: `burst-${run}-${i}`,
      title: 'burst',
      body: `message ${i}`,
      data: { [REQUEST_DATA_KEY]: requestId },
    });
  });
}

async function listTokens(api: PushApi, users: string[]): Promise<Set<string>> {
  const tokens = new Set<string>();
  for (let i = 0; i < users.length; i += 1_000) {
    const { devices } = await api.listDevices({ userIds: users.slice(i, i + 1_000) });
    for (const d of devices) tokens.add(d.token);
  }
  return tokens;
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

describe('push – a burst under provider faults and a kill -9 (real Kafka, PostgreSQL, provider fakes)', () => {
  const deployment = new PushDeployment({
    partitions: PARTITIONS,
    providerLatencyMs: 20,
    fcmFaults: providerFaults(),
    apnsFaults: providerFaults(),
    env: {
      KAFKA_CONSUMER_SESSION_TIMEOUT: '6s',
      PUSH_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      PUSH_RETRY_BASE_MS: '50',
      PUSH_RETRY_MAX_MS: '1000',
      PUSH_MAX_IN_FLIGHT: '200',
    },
  });

  beforeAll(() => deployment.open(), 60_000);
  afterAll(() => deployment.close(), 60_000);

  it('delivers every request to every device or dead-letters it with its reason, removes unregistered tokens, and loses nothing to the crash', async () => {
    const { fcm, apns } = deployment;
    const users = Array.from({ length: USERS }, (_, i) => String((BigInt(Date.now()) << 22n) + BigInt(i + 1)));
    const devices = burstDevices(users);
    const unregistered = new Set(devices.filter((_, i) => i % UNREGISTERED_EVERY === UNREGISTERED_EVERY / 2).map((d) => d.token));
    for (const d of devices) if (unregistered.has(d.token)) (d.platform === 'fcm' ? fcm : apns).unregistered.add(d.token);
    const requests = burstRequests(deployment.run, users);
    const perUser = new Map<string, number>();
    for (const d of devices) if (!unregistered.has(d.token)) perUser.set(d.userId, (perUser.get(d.userId) ?? 0) + 1);
    const deliverablePairs = requests.reduce((n, r) => n + (perUser.get(r.userId) ?? 0), 0);

    const first = await deployment.startInstance('push-a');
    await register(first.api, devices);
    expect((await listTokens(first.api, users)).size).toBe(devices.length);

    // The burst; the instance dies (SIGKILL, no shutdown code runs) once a third reached the fakes.
    const delivered = () => fcm.delivered + apns.delivered;
    let killedAt = 0;
    const killer = until(() => delivered() >= deliverablePairs / 3, 60_000, 'a third of the deliveries', 5).then(() => {
      first.process.child.kill('SIGKILL');
      killedAt = Date.now();
    });
    await deployment.produce(requests);
    await killer;
    expect(await first.process.exited).toMatchObject({ signal: 'SIGKILL' });
    // What the dead process had sent is read by now; nothing after this point came from it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const era1 = { fcm: fcm.messages.length, apns: apns.messages.length };

    const second = await deployment.startInstance('push-b');
    await until(() => deployment.allCommitted(), 75_000, 'every request committed by the group', 250);
    await until(() => deployment.deadLettersReadToEnd(), 15_000, 'the dead-letter topic read to its end');

    const eraBefore = (boundary: number) => (index: number): Era => (index < boundary ? 1 : 2);
    const deliveries = [...fcmDeliveries(fcm.messages, eraBefore(era1.fcm)), ...apnsDeliveries(apns.messages, eraBefore(era1.apns))];
    const letters = deployment.deadLetters.map((l) => observedDeadLetter(l, killedAt));
    const summary = new DeliveryLedger(requests, devices, unregistered).check(deliveries, letters, {
      requestsTopic: deployment.requestsTopic,
      group: deployment.group,
      reasons: { 'retries-exhausted': ['429', '503'] },
      attempts: String(MAX_ATTEMPTS),
    });
    // One line for the run's record: how the burst went (the counts vary with timing and chance).
    console.log(`push burst: ${JSON.stringify({ ...summary, violations: summary.violations.length, letters: letters.length, era1, killedAfter: era1.fcm + era1.apns, faults: {
      fcm429: fcm.faults.count('rate-limited'), fcm503: fcm.faults.count('unavailable'),
      apns429: apns.faults.count('rate-limited'), apns503: apns.faults.count('unavailable'),
    } })}`);

    expect(summary.violations).toEqual([]);
    expect(summary.recordLetters).toBe(0);
    expect(summary.delivered + summary.deadLettered).toBe(deliverablePairs);
    expect(summary.pairs - summary.unregisteredPairs).toBe(deliverablePairs);
    // The scenario happened as described: faults were injected on both providers, some devices ran
    // out of attempts, and both instances delivered part of the burst.
    for (const fake of [fcm, apns]) {
      expect(fake.faults.count('rate-limited')).toBeGreaterThan(0);
      expect(fake.faults.count('unavailable')).toBeGreaterThan(0);
    }
    expect(summary.deadLettered).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.era === 1).length).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.era === 2).length).toBeGreaterThan(0);

    // The registry lost exactly the unregistered tokens.
    const remaining = await listTokens(second.api, users);
    const expected = new Set(devices.map((d) => d.token).filter((t) => !unregistered.has(t)));
    expect([...unregistered].filter((t) => remaining.has(t))).toEqual([]);
    expect([...expected].filter((t) => !remaining.has(t))).toEqual([]);
    expect(remaining.size).toBe(expected.size);
  }, 150_000);
});
