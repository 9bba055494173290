// What DeviceStore must do, as one suite run on the real PostgreSQL (cluster mode) and on PGlite
// (embedded mode): the same SQL has to behave the same on both.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@switchboard/runtime';
import { DeviceStore } from '../device-store';
import type { TestPushDatabase } from './push-database';

let nextUser = 1_000_000_000_000n;
const newUser = () => nextUser++;
let nextToken = 0;
const fcmToken = () => `fcm-token-${++nextToken}:APA91b${'x'.repeat(40)}`;

async function rowCount(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: bigint }>('SELECT count(*) AS n FROM devices');
  return Number(rows[0]!.n);
}

export function describeDeviceStoreContract(label: string, open: () => Promise<TestPushDatabase>): void {
  describe(`DeviceStore (${label})`, () => {
    let fixture: TestPushDatabase;
    let store: DeviceStore;
    beforeAll(async () => {
      fixture = await open();
      store = new DeviceStore(fixture.database, { maxDevicesPerUser: 3 });
    });
    afterAll(() => fixture?.teardown());

    it('registers a device and lists it under its user with bigint ids', async () => {
      const userId = newUser();
      const token = fcmToken();
      const device = await store.register({ userId, platform: 'fcm', appId: 'android', token, locale: 'de-DE' });
      expect(device).toMatchObject({ userId, platform: 'fcm', appId: 'android', token, locale: 'de-DE' });
      expect(device.registeredAt).toBeInstanceOf(Date);
      const byUser = await store.devicesOf([userId]);
      expect(byUser.get(userId)).toEqual([device]);
    });

    it('leaves locale undefined when none was given', async () => {
      const userId = newUser();
      const device = await store.register({ userId, platform: 'fcm', appId: 'android', token: fcmToken() });
      expect('locale' in device).toBe(false);
    });

    it('moves a re-registered token to the new user, as a new registration', async () => {
      const [first, second] = [newUser(), newUser()];
      const token = fcmToken();
      const before = await store.register({ userId: first, platform: 'fcm', appId: 'android', token, locale: 'en-US' });
      const after = await store.register({ userId: second, platform: 'fcm', appId: 'android', token, locale: 'fr-FR' });
      expect(after).toMatchObject({ userId: second, locale: 'fr-FR' });
      expect(after.registeredAt.getTime()).toBeGreaterThanOrEqual(before.registeredAt.getTime());
      const byUser = await store.devicesOf([first, second]);
      expect(byUser.has(first)).toBe(false);
      expect(byUser.get(second)!.map((d) => d.token)).toEqual([token]);
    });

    it('keeps the first registration time when the same user registers the token again', async () => {
      const userId = newUser();
      const token = fcmToken();
      const first = await store.register({ userId, platform: 'fcm', appId: 'android', token });
      const again = await store.register({ userId, platform: 'fcm', appId: 'android', token, locale: 'ja' });
      expect(again.registeredAt).toEqual(first.registeredAt);
      expect(again.locale).toBe('ja');
      expect(again.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    });

    it('keeps the same token of another app or platform as a separate device', async () => {
      const userId = newUser();
      const token = 'ab'.repeat(32);
      await store.register({ userId, platform: 'apns', appId: 'ios', token });
      await store.register({ userId, platform: 'apns', appId: 'ios-beta', token });
      await store.register({ userId, platform: 'fcm', appId: 'ios', token });
      const devices = (await store.devicesOf([userId])).get(userId)!;
      expect(devices.map((d) => `${d.platform}/${d.appId}`).sort()).toEqual(['apns/ios', 'apns/ios-beta', 'fcm/ios']);
    });

    it('evicts the least recently registered devices of a user past the limit', async () => {
      const userId = newUser();
      const tokens = [fcmToken(), fcmToken(), fcmToken(), fcmToken()];
      for (const token of tokens) await store.register({ userId, platform: 'fcm', appId: 'android', token });
      const kept = (await store.devicesOf([userId])).get(userId)!.map((d) => d.token).sort();
      expect(kept).toEqual(tokens.slice(1).sort());
    });

    it('unregisters by platform, app and token, answering whether a device was removed', async () => {
      const userId = newUser();
      const token = fcmToken();
      await store.register({ userId, platform: 'fcm', appId: 'android', token });
      expect(await store.unregister({ platform: 'fcm', appId: 'other-app', token })).toBe(false);
      expect(await store.unregister({ platform: 'fcm', appId: 'android', token })).toBe(true);
      expect(await store.unregister({ platform: 'fcm', appId: 'android', token })).toBe(false);
      expect((await store.devicesOf([userId])).has(userId)).toBe(false);
    });

    it('leaves a token that moved to another user when its previous owner unregisters', async () => {
      const [previous, current] = [newUser(), newUser()];
      const token = fcmToken();
      await store.register({ userId: previous, platform: 'fcm', appId: 'android', token });
      await store.register({ userId: current, platform: 'fcm', appId: 'android', token });
      expect(await store.unregister({ platform: 'fcm', appId: 'android', token, userId: previous })).toBe(false);
      expect((await store.devicesOf([current])).get(current)).toHaveLength(1);
      expect(await store.unregister({ platform: 'fcm', appId: 'android', token, userId: current })).toBe(true);
    });

    it('removes a token the provider reports gone, whoever owns it', async () => {
      const userId = newUser();
      const token = fcmToken();
      await store.register({ userId, platform: 'fcm', appId: 'android', token });
      expect(await store.removeToken('fcm', 'android', token)).toBe(true);
      expect(await store.removeToken('fcm', 'android', token)).toBe(false);
      expect((await store.devicesOf([userId])).has(userId)).toBe(false);
    });

    it('reads the devices of many users in one call, absent users left out', async () => {
      const users = [newUser(), newUser(), newUser()];
      await store.register({ userId: users[0]!, platform: 'fcm', appId: 'android', token: fcmToken() });
      await store.register({ userId: users[0]!, platform: 'apns', appId: 'ios', token: 'cd'.repeat(32) });
      await store.register({ userId: users[2]!, platform: 'fcm', appId: 'android', token: fcmToken() });
      const byUser = await store.devicesOf([...users, newUser()]);
      expect([...byUser.keys()].sort()).toEqual([users[0], users[2]].sort());
      expect(byUser.get(users[0]!)).toHaveLength(2);
      expect(await store.devicesOf([])).toEqual(new Map());
    });

    it('handles user ids beyond 2^53 without losing precision', async () => {
      const big = 9_007_199_254_740_993n + newUser();
      await store.register({ userId: big, platform: 'fcm', appId: 'android', token: fcmToken() });
      const byUser = await store.devicesOf([big]);
      expect(byUser.get(big)![0]!.userId).toBe(big);
    });

    it('counts every registered device', async () => {
      const before = await store.count();
      expect(before).toBe(await rowCount(fixture.database));
      await store.register({ userId: newUser(), platform: 'fcm', appId: 'android', token: fcmToken() });
      expect(await store.count()).toBe(before + 1);
    });
  });
}
