// One behaviour suite for every AuthStore implementation (memory, PGlite, PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuthStore, Revocation } from './auth-store';
import { NO_AUTH_STATE } from './auth-store';

export interface AuthStoreFixture {
  store: AuthStore;
  teardown?: () => Promise<void>;
}

const BIG_ID = 175928847299117063n;
let nextId = 1_000n;
const freshUser = (): bigint => (nextId += 1n);
const cutoffOf = (revocations: readonly Revocation[], userId: bigint): number | undefined =>
  revocations.find((revocation) => revocation.userId === userId)?.tokensValidAfter;
/** Lets the store's millisecond clock move on, so reads before and after a write are ordered. */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export function describeAuthStoreContract(label: string, open: () => Promise<AuthStoreFixture>): void {
  describe(`AuthStore contract (${label})`, () => {
    let fixture: AuthStoreFixture;
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(() => fixture?.teardown?.());

    it('knows nothing of a user never revoked nor granted', async () => {
      expect(await fixture.store.userAuth(freshUser())).toEqual(NO_AUTH_STATE);
    });

    it('moves the revocation cutoff forward only', async () => {
      const user = freshUser();
      expect(await fixture.store.revokeTokens(user, 1_700_000_100)).toBe(1_700_000_100);
      expect(await fixture.store.revokeTokens(user, 1_700_000_050)).toBe(1_700_000_100);
      expect(await fixture.store.revokeTokens(user, 1_700_000_200)).toBe(1_700_000_200);
      expect(await fixture.store.userAuth(user)).toEqual({ tokensValidAfter: 1_700_000_200, privilegedIntents: 0 });
    });

    it('sets (not ORs) the privileged grant, independently of the cutoff', async () => {
      const user = freshUser();
      await fixture.store.revokeTokens(user, 42);
      await fixture.store.setPrivilegedIntents(user, (1 << 1) | (1 << 15));
      await fixture.store.setPrivilegedIntents(user, 1 << 8);
      expect(await fixture.store.userAuth(user)).toEqual({ tokensValidAfter: 42, privilegedIntents: 1 << 8 });
      await fixture.store.setPrivilegedIntents(user, 0);
      expect((await fixture.store.userAuth(user)).privilegedIntents).toBe(0);
    });

    it('keys by the full 64-bit snowflake, never a rounded number', async () => {
      await fixture.store.setPrivilegedIntents(BIG_ID, 1 << 1);
      expect((await fixture.store.userAuth(BIG_ID)).privilegedIntents).toBe(1 << 1);
      expect((await fixture.store.userAuth(BIG_ID + 1n)).privilegedIntents).toBe(0);
    });

    it('keeps concurrent revocations consistent (the latest cutoff wins)', async () => {
      const user = freshUser();
      const cutoffs = Array.from({ length: 10 }, (_, i) => 1_800_000_000 + i);
      await Promise.all(cutoffs.map((cutoff) => fixture.store.revokeTokens(user, cutoff)));
      expect((await fixture.store.userAuth(user)).tokensValidAfter).toBe(1_800_000_009);
    });

    it('lists the cutoffs that moved after a time of its own clock, and not grants or cutoffs that stayed', async () => {
      const [revoked, granted, unmoved] = [freshUser(), freshUser(), freshUser()];
      await fixture.store.revokeTokens(unmoved, 1_700_000_500);
      await tick();
      const start = await fixture.store.revocationsSince(Date.now());
      await fixture.store.revokeTokens(revoked, 1_700_000_100);
      await fixture.store.setPrivilegedIntents(granted, 1 << 1);
      await fixture.store.revokeTokens(unmoved, 1_700_000_400);
      const first = await fixture.store.revocationsSince(start.asOfMs);
      expect(first.asOfMs).toBeGreaterThanOrEqual(start.asOfMs);
      expect(cutoffOf(first.revocations, revoked)).toBe(1_700_000_100);
      expect(cutoffOf(first.revocations, granted)).toBeUndefined();
      expect(cutoffOf(first.revocations, unmoved)).toBeUndefined();

      await tick();
      const later = await fixture.store.revocationsSince(Date.now());
      await fixture.store.revokeTokens(revoked, 1_700_000_200);
      const second = await fixture.store.revocationsSince(later.asOfMs);
      expect(cutoffOf(second.revocations, revoked)).toBe(1_700_000_200);
      expect(cutoffOf(second.revocations, unmoved)).toBeUndefined();
    });

    it('lists a user revoked for the first time by a full 64-bit id', async () => {
      const start = await fixture.store.revocationsSince(Date.now());
      await fixture.store.revokeTokens(BIG_ID, 1_700_000_000);
      expect(cutoffOf((await fixture.store.revocationsSince(start.asOfMs)).revocations, BIG_ID)).toBe(1_700_000_000);
    });
  });
}
