// IDENTIFY authentication maps every refusal to its close code: forged or revoked token → 4004,
// invalid intents → 4013, privileged intents without a grant → 4014; the token is checked first.
import { GatewayIntent, PRIVILEGED_INTENTS } from '../protocol';
import { MemoryAuthStore } from './auth-store';
import type { AuthStore } from './auth-store';
import { Authenticator } from './authenticator';
import { AuthenticationError, GatewayAuthError } from './errors';
import { TokenSigner } from './token';

const signer = new TokenSigner('k'.repeat(32));
const USER = 175928847299117063n;
const NOW_S = 1_700_000_000;

async function closeCodeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayAuthError) return error.closeCode;
    throw error;
  }
  return undefined;
}

describe('Authenticator', () => {
  let store: MemoryAuthStore;
  let auth: Authenticator;
  const token = signer.sign({ userId: USER, issuedAt: NOW_S });
  beforeEach(() => {
    store = new MemoryAuthStore();
    auth = new Authenticator(signer, store);
  });

  it('authenticates a good token with unprivileged intents', async () => {
    const intents = GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES;
    const user = await auth.authenticate(token, intents);
    expect(user).toMatchObject({ userId: USER, grantedIntents: intents, privilegedIntents: 0, issuedAt: NOW_S });
    expect(user.user).toMatchObject({ id: '175928847299117063', bot: true });
  });

  it('accepts the "Bot " prefix some clients leave on', async () => {
    await expect(auth.authenticate(`Bot ${token}`, 0)).resolves.toMatchObject({ userId: USER });
  });

  it('closes 4004 for a forged or malformed token', async () => {
    expect(await closeCodeOf(auth.authenticate(new TokenSigner('x'.repeat(32)).sign({ userId: USER, issuedAt: NOW_S }), 0))).toBe(4004);
    expect(await closeCodeOf(auth.authenticate('not a token', 0))).toBe(4004);
    expect(await closeCodeOf(auth.authenticate(undefined as unknown as string, 0))).toBe(4004);
  });

  it('closes 4004 for a token issued before the revocation cutoff, not for one issued at it', async () => {
    await store.revokeTokens(USER, NOW_S + 1);
    const error = await auth.authenticate(token, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ closeCode: 4004, reason: 'revoked' });
    await expect(auth.authenticate(signer.sign({ userId: USER, issuedAt: NOW_S + 1 }), 0)).resolves.toMatchObject({ userId: USER });
  });

  it('closes 4013 for unknown bits, negatives and non-integers', async () => {
    for (const intents of [1 << 17, -1, 1.5, Number.NaN, 2 ** 31]) {
      expect(await closeCodeOf(auth.authenticate(token, intents))).toBe(4013);
    }
  });

  it('closes 4014 for privileged intents without a grant, and admits them once granted', async () => {
    expect(await closeCodeOf(auth.authenticate(token, GatewayIntent.MESSAGE_CONTENT))).toBe(4014);
    await store.setPrivilegedIntents(USER, GatewayIntent.MESSAGE_CONTENT);
    await expect(auth.authenticate(token, GatewayIntent.MESSAGE_CONTENT | GatewayIntent.GUILDS)).resolves.toMatchObject({
      grantedIntents: GatewayIntent.MESSAGE_CONTENT | GatewayIntent.GUILDS,
      privilegedIntents: GatewayIntent.MESSAGE_CONTENT,
    });
    expect(await closeCodeOf(auth.authenticate(token, GatewayIntent.GUILD_PRESENCES))).toBe(4014);
    await store.setPrivilegedIntents(USER, PRIVILEGED_INTENTS);
    await expect(auth.authenticate(token, PRIVILEGED_INTENTS)).resolves.toMatchObject({ grantedIntents: PRIVILEGED_INTENTS });
  });

  it('checks the token before intents, so a forger learns nothing about them', async () => {
    const forged = new TokenSigner('x'.repeat(32)).sign({ userId: USER, issuedAt: NOW_S });
    expect(await closeCodeOf(auth.authenticate(forged, 1 << 30))).toBe(4004);
  });

  it('lets store failures through as server faults (not auth errors)', async () => {
    const down: AuthStore = { userAuth: () => Promise.reject(new Error('db down')), revokeTokens: async () => 0, setPrivilegedIntents: async () => {},
      revocationsSince: async () => ({ revocations: [], asOfMs: 0 }) };
    const failing = new Authenticator(signer, down);
    await expect(failing.authenticate(token, 0)).rejects.toThrow('db down');
    await expect(failing.authenticate(token, 0)).rejects.not.toBeInstanceOf(GatewayAuthError);
  });

  it('reports each token check outcome (for metrics)', async () => {
    const outcomes: string[] = [];
    const observed = new Authenticator(signer, store, { onTokenCheck: (outcome) => outcomes.push(outcome) });
    await observed.authenticate(token, 0);
    await observed.authenticate('junk', 0).catch(() => undefined);
    await observed.authenticate(new TokenSigner('x'.repeat(32)).sign({ userId: USER, issuedAt: NOW_S }), 0).catch(() => undefined);
    await store.revokeTokens(USER, NOW_S + 1);
    await observed.authenticate(token, 0).catch(() => undefined);
    expect(outcomes).toEqual(['ok', 'malformed', 'bad-signature', 'revoked']);
  });
});
